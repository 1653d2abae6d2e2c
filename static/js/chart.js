// The chart at the chair: show only the fields a PRP step needs, and let a barcode
// scanner's Enter move on to the next field instead of sending a half-filled step.
(function () {
  "use strict";
  var STEP_FIELDS = {
    spin: ["g_force", "minutes"],
    extract: ["volume_ml"],
    apply: ["area", "identity_confirmed", "witness_username", "witness_password"],
    discard: []
  };
  var OPTIONAL = [
    "g_force", "minutes", "volume_ml", "area", "identity_confirmed", "witness_username",
    "witness_password"
  ];

  function showStepFields(form) {
    var step = form.querySelector("[name=step]");
    if (!step) return;
    var wanted = STEP_FIELDS[step.value] || [];
    OPTIONAL.forEach(function (name) {
      var box = form.querySelector(".field-" + name);
      if (box) box.hidden = wanted.indexOf(name) === -1;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-prp-step]").forEach(function (form) {
      var step = form.querySelector("[name=step]");
      if (step) step.addEventListener("change", function () { showStepFields(form); });
      showStepFields(form);
    });
    // A barcode scanner types the code and presses Enter: keep Enter in a scan field from
    // submitting a half-filled form when more fields follow.
    document.querySelectorAll("input[data-scan]").forEach(function (input) {
      input.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") return;
        var fields = Array.prototype.slice.call(input.form.querySelectorAll("input:not([type=hidden]), select"));
        var next = fields[fields.indexOf(input) + 1];
        if (next && !next.closest("[hidden]") && input.dataset.scan === "tube") {
          event.preventDefault();
          next.focus();
        }
      });
    });
  });
})();
