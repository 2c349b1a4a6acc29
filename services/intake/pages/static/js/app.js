// Small behaviours for every page (no inline script: the CSP allows only files from here).
(function () {
  "use strict";

  // Elements with data-poll refresh their content from a fragment URL every few seconds,
  // until the fragment marks itself done (data-poll-done). A refresh waits while keyboard
  // focus is inside, so nobody loses their place.
  function startPolling(box) {
    var url = box.getAttribute("data-poll");
    var seconds = parseFloat(box.getAttribute("data-poll-seconds") || "5");
    var last = box.innerHTML;
    function done() { return box.querySelector("[data-poll-done]") !== null; }
    function tick() {
      if (done()) { return; }
      if (box.contains(document.activeElement) && document.activeElement !== box) {
        window.setTimeout(tick, seconds * 1000);
        return;
      }
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html !== null && html !== last) { box.innerHTML = html; last = html; }
        })
        .catch(function () { /* try again next time */ })
        .then(function () { window.setTimeout(tick, seconds * 1000); });
    }
    window.setTimeout(tick, seconds * 1000);
  }

  // The override form asks for an imaging modality only when the queue is imaging.
  function modalityToggle(select) {
    var field = document.getElementById(select.getAttribute("data-modality-toggle"));
    function update() {
      var imaging = select.value === "imaging";
      field.hidden = !imaging;
      field.querySelector("select").disabled = !imaging;
    }
    select.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-poll]"), startPolling);
    Array.prototype.forEach.call(document.querySelectorAll("[data-modality-toggle]"),
      modalityToggle);
    var finished = document.querySelector("[data-clear-draft]");
    if (finished) {
      try { window.localStorage.removeItem(finished.getAttribute("data-clear-draft")); }
      catch (e) { /* storage unavailable */ }
    }
  });
}());
