// "Use my location": fills a form's latitude and longitude from the phone, only when the person asks.
for (const button of document.querySelectorAll("[data-locate]")) {
  if (!("geolocation" in navigator)) continue;
  const form = button.form;
  const status = document.getElementById(button.dataset.locate + "-status");
  button.hidden = false;
  button.addEventListener("click", () => {
    status.textContent = button.dataset.waiting;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.elements.latitude.value = position.coords.latitude.toFixed(5);
        form.elements.longitude.value = position.coords.longitude.toFixed(5);
        status.textContent = button.dataset.done;
      },
      () => { status.textContent = button.dataset.failed; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
}
