/* The compare page (templates/clinical/patient_photos.html): a before/after slider per
   view. The latest photo lies over the baseline and the range input moves the edge of
   its clip. Without JavaScript the slider stays hidden; the photos side by side remain. */
(function () {
  "use strict";

  function setUp(root) {
    var after = root.querySelector("[data-compare-after]");
    var divider = root.querySelector("[data-compare-divider]");
    var range = root.querySelector("[data-compare-range]");
    if (!after || !range) {
      return;
    }

    function apply() {
      var value = Math.min(100, Math.max(0, Number(range.value)));
      after.style.clipPath = "inset(0 0 0 " + value + "%)";
      if (divider) {
        divider.style.left = value + "%";
      }
    }

    range.addEventListener("input", apply);
    apply();
    root.hidden = false;
  }

  function start() {
    document.querySelectorAll("[data-photo-compare]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
