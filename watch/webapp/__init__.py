"""The portal as an installable web app: manifest, service worker, offline page, and push on each device."""
