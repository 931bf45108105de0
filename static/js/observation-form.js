// Observation form: "Use my location" fills the hidden coordinates, and choosing another
// group pre-fills the place with that group's area unless the reporter already wrote one; choosing a
// category about boats opens the boat and engine questions.
(function () {
  "use strict";

  function setUpLocation() {
    var box = document.querySelector("[data-locate]");
    if (!box || !("geolocation" in navigator)) {
      return;
    }
    var button = box.querySelector("[data-locate-button]");
    var status = box.querySelector("[data-locate-status]");
    var latitude = document.getElementById("latitude");
    var longitude = document.getElementById("longitude");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = box.dataset.waiting;
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          latitude.value = position.coords.latitude.toFixed(6);
          longitude.value = position.coords.longitude.toFixed(6);
          // Grouped the page's language's way (1 200 in Swedish, 1,200 in English), in Latin digits as Babel writes them.
          var metres = Math.round(position.coords.accuracy)
            .toLocaleString(document.documentElement.lang, { numberingSystem: "latn" });
          status.textContent = box.dataset.found.replace("{metres}", metres);
          button.disabled = false;
        },
        function () {
          status.textContent = box.dataset.failed;
          button.disabled = false;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  function setUpGroupArea() {
    var group = document.getElementById("group");
    var place = document.getElementById("location");
    if (!group || !place) {
      return;
    }
    var areaOf = function (select) {
      return select.options[select.selectedIndex].dataset.area || "";
    };
    var previousArea = areaOf(group);
    group.addEventListener("change", function () {
      var area = areaOf(group);
      if (place.value.trim() === "" || place.value === previousArea) {
        place.value = area;
      }
      previousArea = area;
    });
  }

  function setUpBoatDetails() {
    var details = document.querySelector("[data-boat-details]");
    if (!details) {
      return;
    }
    var boatCategories = details.dataset.boatCategories.split(" ");
    document.querySelectorAll("input[name=category]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (radio.checked && boatCategories.indexOf(radio.value) !== -1) {
          details.open = true;
        }
      });
    });
  }

  setUpLocation();
  setUpGroupArea();
  setUpBoatDetails();
})();
