/* Status page: fetch /api/status every 2 seconds and put each number, as text,
   into the element whose data-field names its path ("runs.active"). */
(function () {
  "use strict";

  var PERIOD = 2000;
  var fields = document.querySelectorAll("[data-field]");
  var updated = document.getElementById("status-updated");

  function lookup(data, path) {
    return path.split(".").reduce(function (value, key) {
      return value !== null && typeof value === "object" && key in value ? value[key] : null;
    }, data);
  }

  function show(value) {
    if (value === null || value === undefined) { return "n/a"; }
    if (Array.isArray(value)) { return value.join(" · "); }
    return String(value);
  }

  function render(data) {
    for (var i = 0; i < fields.length; i += 1) {
      fields[i].textContent = show(lookup(data, fields[i].getAttribute("data-field")));
    }
    updated.textContent = "Updated at " + new Date().toLocaleTimeString() + ".";
  }

  function poll() {
    if (document.visibilityState === "hidden") { window.setTimeout(poll, PERIOD); return; }
    window.fetch("/api/status", { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(render)
      .catch(function (error) {
        updated.textContent = "Could not refresh (" + error.message + "); trying again.";
      })
      .then(function () { window.setTimeout(poll, PERIOD); });
  }

  window.setTimeout(poll, PERIOD);
}());
