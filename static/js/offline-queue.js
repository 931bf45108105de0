// Observations written without coverage: kept in IndexedDB (idb-keyval) with their photo, and sent when the
// connection is back: on the `online` event, on the next page load, or when Background Sync wakes the page.
// Each form carries a client id, so the server files it once however often it is sent. A queued observation
// belongs to the person who wrote it: nobody else logged in on this phone sends it, and logging out asks
// before it deletes them. Loaded on every page of a logged-in person (templates/base.html).
(function () {
  "use strict";

  var store = window.idbKeyval;
  var person = document.body.dataset.person;
  var status = document.querySelector("[data-offline-status]");
  if (!store || !person || !status) {
    return;
  }
  var PREFIX = "observation:";
  var SYNC_TAG = "send-observations";
  var MAX_PHOTO_BYTES = 8 * 1024 * 1024;
  var MINE_PATH = "/observations/mine";
  var sending = false;

  if ("serviceWorker" in navigator && document.body.dataset.serviceWorker) {
    navigator.serviceWorker.register(document.body.dataset.serviceWorker).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === SYNC_TAG) {
        sendQueued();
      }
    });
  }

  function say(text) {
    status.textContent = text;
    status.hidden = false;
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function csrfToken() {
    return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  }

  function mine() {
    return store.entries().then(function (entries) {
      return entries.filter(function (entry) {
        return String(entry[0]).indexOf(PREFIX) === 0 && entry[1].person === person;
      });
    });
  }

  function send(key, item) {
    var data = new FormData();
    item.fields.forEach(function (field) {
      if (field[0] !== "csrf_token") {
        data.append(field[0], field[1]);
      }
    });
    data.append("csrf_token", csrfToken());  // this page's token: the queued one may belong to an older login
    if (item.photo) {
      data.append("photo", item.photo, item.photoName);
    }
    return fetch(item.action, { method: "POST", body: data, credentials: "same-origin" }).then(function (response) {
      if (response.redirected && new URL(response.url).pathname === MINE_PATH) {
        return store.del(key).then(function () { return "sent"; });
      }
      if (response.status === 429 || response.status >= 500 || new URL(response.url).pathname === "/login") {
        return "later";
      }
      // Refused (a time now too long ago, say): kept, and put back in the form for the person to correct.
      item.refused = true;
      return store.set(key, item).then(function () { return "refused"; });
    });
  }

  function sendQueued() {
    if (sending || !navigator.onLine) {
      return Promise.resolve();
    }
    sending = true;
    return mine().then(function (entries) {
      var outcomes = [];
      var chain = Promise.resolve();
      entries.filter(function (entry) { return !entry[1].refused; }).forEach(function (entry) {
        chain = chain.then(function () { return send(entry[0], entry[1]); }).then(function (outcome) {
          outcomes.push(outcome);
        });
      });
      return chain.then(function () {
        if (outcomes.indexOf("refused") !== -1) {
          say(status.dataset.refused);
        } else if (outcomes.indexOf("sent") !== -1) {
          say(status.dataset.sent);
        }
      });
    }).catch(function () {
      // Still no network: they stay queued for the next try.
    }).then(function () {
      sending = false;
    });
  }

  function queue(form) {
    var fields = [];
    var photo = null;
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") {
        fields.push([name, value]);
      } else if (name === "photo" && value.size > 0) {
        photo = value;
      }
    });
    if (photo && photo.size > MAX_PHOTO_BYTES) {
      say(status.dataset.tooBig);
      return Promise.resolve(false);
    }
    var clientId = form.querySelector("[name=client_id]").value;
    var item = { person: person, action: form.action, fields: fields, photo: photo,
                 photoName: photo ? photo.name : null, savedAt: new Date().toISOString() };
    return store.set(PREFIX + clientId, item).then(function () { return true; });
  }

  function askForBackgroundSync() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.ready.then(function (registration) {
        return registration.sync && registration.sync.register(SYNC_TAG);
      }).catch(function () {});
    }
  }

  function restoreRefused(form) {
    return mine().then(function (entries) {
      var refused = entries.filter(function (entry) { return entry[1].refused; })[0];
      if (!refused) {
        return;
      }
      var item = refused[1];
      item.fields.forEach(function (field) {
        var input = form.querySelector("[name='" + field[0] + "']:not([type=radio])");
        var radio = form.querySelector("[name='" + field[0] + "'][type=radio][value='" + field[1] + "']");
        if (radio) {
          radio.checked = true;
        } else if (input && field[0] !== "csrf_token") {
          input.value = field[1];
        }
      });
      if (item.photo && window.DataTransfer) {
        var files = new DataTransfer();
        files.items.add(new File([item.photo], item.photoName || "photo.jpg", { type: item.photo.type }));
        form.querySelector("[name=photo]").files = files.files;
      }
      say(status.dataset.refused);
      return store.del(refused[0]);
    });
  }

  function setUpForm() {
    var form = document.querySelector("form[data-offline-form]");
    if (!form) {
      return;
    }
    var clientId = form.querySelector("[name=client_id]");
    restoreRefused(form).then(function () {
      if (!clientId.value) {
        clientId.value = newId();
      }
    });
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) {
        return;  // sent as without script; a second press is filed once thanks to the client id
      }
      event.preventDefault();
      queue(form).then(function (queued) {
        if (!queued) {
          return;
        }
        form.reset();
        clientId.value = newId();
        say(status.dataset.waiting);
        status.scrollIntoView({ block: "center" });
        askForBackgroundSync();
      });
    });
  }

  function setUpLogout() {
    document.querySelectorAll("form[data-logout]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        mine().then(function (entries) {
          if (entries.length && !window.confirm(status.dataset.logout)) {
            return;
          }
          return Promise.all(entries.map(function (entry) { return store.del(entry[0]); })).then(function () {
            form.submit();
          });
        }).catch(function () {
          form.submit();
        });
      });
    });
  }

  setUpForm();
  setUpLogout();
  window.addEventListener("online", sendQueued);
  sendQueued();
})();
