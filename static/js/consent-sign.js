/* Consent signing: wires the vendored signature_pad 5.1.4 (szimek/signature_pad, MIT,
   static/vendor/signature_pad.umd.min.js) to the form on templates/intake/consent_sign.html.
   The drawing goes to the hidden input as a PNG data URL; the server checks it again. */
(function () {
  "use strict";

  function setUp(form) {
    var canvas = form.querySelector("[data-signature-pad]");
    var input = form.querySelector("[data-signature-input]");
    var error = form.querySelector("[data-signature-error]");
    var clear = form.querySelector("[data-signature-clear]");
    if (!canvas || !input || typeof window.SignaturePad !== "function") {
      return;
    }
    var pad = new window.SignaturePad(canvas, { penColor: "rgb(20, 24, 31)", minWidth: 0.8, maxWidth: 2.6 });
    var width = 0;

    function fit() {
      // Size the drawing surface to the box as shown, sharp on high-density screens.
      if (canvas.offsetWidth === width) {
        return;
      }
      width = canvas.offsetWidth;
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.redraw();
    }

    function hideError() {
      error.hidden = true;
      canvas.removeAttribute("aria-invalid");
    }

    window.addEventListener("resize", fit);
    fit();
    if (input.value) {
      // Shown again after another field needed correcting: keep what was drawn.
      pad.fromDataURL(input.value);
    }
    pad.addEventListener("beginStroke", hideError);
    clear.addEventListener("click", function () {
      pad.clear();
      input.value = "";
      hideError();
    });
    form.addEventListener("submit", function (event) {
      if (pad.isEmpty()) {
        event.preventDefault();
        input.value = "";
        error.hidden = false;
        canvas.setAttribute("aria-invalid", "true");
        canvas.scrollIntoView({ block: "center" });
        return;
      }
      input.value = pad.toDataURL("image/png");
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true; // one signature per tap
      }
    });
  }

  function start() {
    document.querySelectorAll("[data-consent-form]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
