{#- The portal's service worker, rendered at /service-worker.js (scope: the whole portal).
    Only same-origin URLs are ever fetched or cached: no third party is asked for anything. -#}
"use strict";
// Named after the versioned static files it keeps: a new version of any of them installs a new cache.
const CACHE = {{ ("watch-" ~ version) | tojson }};
const ASSETS = {{ assets | tojson }};
const OFFLINE_URL = {{ offline_url | tojson }};
const SYNC_TAG = "send-observations";

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(ASSETS);
    // The offline page without anyone's login: it is the same for everybody.
    await cache.put(OFFLINE_URL, await fetch(OFFLINE_URL, { credentials: "omit" }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    // Pages always come from the network, so nobody reads stale data and no personal page is kept;
    // without a network the offline page says what still works.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((kept) => kept || fetch(request)));
  }
});

// Background Sync: the browser says the network is back; an open page of the portal sends the queue
// (it holds the person's login and the form's token), so wake every open page.
self.addEventListener("sync", (event) => {
  if (event.tag === SYNC_TAG) {
    event.waitUntil(self.clients.matchAll({ type: "window" }).then((pages) => {
      pages.forEach((page) => page.postMessage({ type: SYNC_TAG }));
    }));
  }
});

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = {};
  }
  event.waitUntil(self.registration.showNotification(message.title || "Grannsamverkan", {
    body: message.body || "",
    icon: {{ url_for('static', filename='icons/icon-192.png') | tojson }},
    data: { url: message.url || "/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // Only a path in the portal is opened; it asks for a login before it shows anything.
  const target = new URL(event.notification.data.url, self.location.origin);
  const url = target.origin === self.location.origin ? target.href : self.location.origin + "/";
  event.waitUntil(self.clients.openWindow(url));
});
