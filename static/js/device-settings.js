// The profile page's "This phone or computer": install the portal (only when the browser offers it, never as
// a pop-up), and turn push on for this device: the browser's subscription is posted to the portal, which
// then shows the result on the reloaded page.
(function () {
  "use strict";

  var box = document.querySelector("[data-device-settings]");
  if (!box) {
    return;
  }

  var install = box.querySelector("[data-install]");
  var deferredPrompt = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();  // offered by our button instead of the browser's own banner
    deferredPrompt = event;
    install.hidden = false;
  });
  box.querySelector("[data-install-button]").addEventListener("click", function () {
    if (deferredPrompt) {
      deferredPrompt.prompt();
      deferredPrompt.userChoice.finally(function () {
        deferredPrompt = null;
        install.hidden = true;
      });
    }
  });

  var button = box.querySelector("[data-push-button]");
  var key = box.dataset.pushKey;
  if (!button || !key || !("serviceWorker" in navigator) || !("PushManager" in window)) {
    return;
  }
  var pushStatus = box.querySelector("[data-push-status]");
  box.querySelector("[data-push-unsupported]").hidden = true;
  button.hidden = false;

  function keyBytes(base64url) {
    var base64 = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(base64), function (c) { return c.charCodeAt(0); });
  }

  function post(url, fields) {
    var data = new FormData();
    Object.keys(fields).forEach(function (name) { data.append(name, fields[name]); });
    data.append("csrf_token", JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]);
    return fetch(url, { method: "POST", body: data, credentials: "same-origin" }).then(function () {
      window.location.reload();
    });
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        pushStatus.textContent = box.dataset.denied;
        button.disabled = false;
        return;
      }
      return navigator.serviceWorker.ready.then(function (registration) {
        return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
      }).then(function (subscription) {
        var json = subscription.toJSON();
        return post(box.dataset.pushOn, { endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth });
      });
    }).catch(function () {
      pushStatus.textContent = box.dataset.denied;
      button.disabled = false;
    });
  });
})();
