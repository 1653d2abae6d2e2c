/* The capture page (templates/clinical/photo_capture.html): the live camera (the rear one
   when there is a choice) with the patient's baseline photo of the view as a ghost at an
   adjustable opacity and a framing grid. Capture freezes the frame on a canvas; Save posts
   it as a JPEG with the camera's settings to the page's own URL (session and CSRF, as the
   form would), then returns to the chart. Without a camera the upload form below stays
   the way to add a photo; without JavaScript nothing here runs and the form still works. */
(function () {
  "use strict";

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) {
        return headers["X-CSRFToken"];
      }
    } catch (ignored) {
      /* fall back to the cookie */
    }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function setUp(root) {
    var video = root.querySelector("[data-capture-video]");
    var canvas = root.querySelector("[data-capture-canvas]");
    var frame = root.querySelector("[data-capture-frame]");
    var ghost = root.querySelector("[data-capture-ghost]");
    var opacity = root.querySelector("[data-capture-opacity]");
    var grid = root.querySelector("[data-capture-grid]");
    var gridToggle = root.querySelector("[data-capture-grid-toggle]");
    var shoot = root.querySelector("[data-capture-shoot]");
    var retake = root.querySelector("[data-capture-retake]");
    var save = root.querySelector("[data-capture-save]");
    var status = root.querySelector("[data-capture-status]");
    var unavailable = document.querySelector("[data-capture-unavailable]");
    var stream = null;
    var track = null;

    function say(text, isError) {
      status.textContent = text;
      status.classList.toggle("is-error", Boolean(isError));
    }

    function noCamera(reason) {
      root.hidden = true;
      if (unavailable) {
        unavailable.textContent = "The camera could not start here (" + reason + "). " +
          "Use the upload form below instead.";
        unavailable.hidden = false;
      }
    }

    function stop() {
      if (stream) {
        stream.getTracks().forEach(function (t) { t.stop(); });
        stream = null;
      }
    }

    function showLive() {
      canvas.hidden = true;
      video.hidden = false;
      if (ghost) {
        ghost.hidden = false;
      }
      shoot.hidden = false;
      retake.hidden = true;
      save.hidden = true;
      save.disabled = false;
    }

    function capture() {
      var width = video.videoWidth;
      var height = video.videoHeight;
      if (!width || !height) {
        say("The camera is not ready yet: try again in a moment.", true);
        return;
      }
      canvas.width = width;
      canvas.height = height;
      canvas.getContext("2d").drawImage(video, 0, 0, width, height);
      video.hidden = true;
      canvas.hidden = false;
      if (ghost) {
        ghost.hidden = true;
      }
      shoot.hidden = true;
      retake.hidden = false;
      save.hidden = false;
      save.focus();
      say("Photo taken. Check it, then save it or take it again.");
    }

    function metadata() {
      var settings = track && track.getSettings ? track.getSettings() : {};
      var meta = {
        camera_label: track ? track.label : "",
        track_width: settings.width,
        track_height: settings.height,
        facing_mode: settings.facingMode,
        zoom: settings.zoom
      };
      if (root.dataset.baselineId) {
        meta.aligned_to = root.dataset.baselineId;
      }
      return JSON.stringify(meta);
    }

    function upload(blob) {
      var body = new FormData();
      body.append("view", root.dataset.view);
      body.append("stage", root.dataset.stage);
      body.append("capture", metadata());
      body.append("file", blob, "capture.jpg");
      fetch(root.dataset.uploadUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (answer) {
          return { ok: response.ok, answer: answer };
        });
      }).then(function (result) {
        if (result.ok) {
          say(result.answer.message || "Saved.");
          stop();
          window.location.assign(result.answer.redirect);
        } else {
          say(result.answer.message || "The photo was not saved.", true);
          save.disabled = false;
        }
      }).catch(function () {
        say("The photo was not saved: the connection failed. Try again.", true);
        save.disabled = false;
      });
    }

    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      noCamera("this browser offers no camera access");
      return;
    }

    if (opacity && ghost) {
      var applyOpacity = function () { ghost.style.opacity = String(Number(opacity.value) / 100); };
      opacity.addEventListener("input", applyOpacity);
      applyOpacity();
    }
    if (gridToggle && grid) {
      gridToggle.addEventListener("change", function () { grid.hidden = !gridToggle.checked; });
    }
    shoot.addEventListener("click", capture);
    retake.addEventListener("click", function () {
      showLive();
      say("");
      shoot.focus();
    });
    save.addEventListener("click", function () {
      save.disabled = true;
      say("Saving…");
      canvas.toBlob(function (blob) {
        if (!blob) {
          say("The photo could not be prepared: take it again.", true);
          save.disabled = false;
          return;
        }
        upload(blob);
      }, "image/jpeg", 0.92);
    });
    window.addEventListener("pagehide", stop);

    navigator.mediaDevices.getUserMedia({
      audio: false,
      video: {
        facingMode: { ideal: "environment" },
        width: { ideal: 4096 },
        height: { ideal: 3072 }
      }
    }).then(function (granted) {
      stream = granted;
      track = stream.getVideoTracks()[0] || null;
      video.srcObject = stream;
      video.addEventListener("loadedmetadata", function () {
        if (video.videoWidth && video.videoHeight) {
          frame.style.aspectRatio = video.videoWidth + " / " + video.videoHeight;
        }
      });
      root.hidden = false;
      showLive();
      var playing = video.play();
      if (playing && playing.catch) {
        playing.catch(function () { /* autoplay is muted; a tap starts it otherwise */ });
      }
    }).catch(function (error) {
      noCamera(error && error.name === "NotAllowedError" ? "permission was refused" :
        "no camera was found");
    });
  }

  function start() {
    document.querySelectorAll("[data-photo-capture]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
