/* Status page: fetch /api/status every 2 seconds and put each number, as text,
   into the element whose data-field names its path ("runs.active").
   An ES module, so strict mode is on without a "use strict" line. */
const PERIOD = 2000;
const fields = document.querySelectorAll("[data-field]");
const updated = document.getElementById("status-updated");

function lookup(data, path) {
  return path.split(".").reduce(
    (value, key) => (value !== null && typeof value === "object" && key in value ? value[key] : null), data);
}

function show(value) {
  if (value === null || value === undefined) { return "n/a"; }
  if (Array.isArray(value)) { return value.join(" · "); }
  return String(value);
}

function render(data) {
  for (const field of fields) {
    field.textContent = show(lookup(data, field.getAttribute("data-field")));
  }
  updated.textContent = "Updated at " + new Date().toLocaleTimeString() + ".";
}

function poll() {
  if (document.visibilityState === "hidden") { window.setTimeout(poll, PERIOD); return; }
  window.fetch("/api/status", { credentials: "same-origin", cache: "no-store" })
    .then((response) => {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    })
    .then(render)
    .catch((error) => {
      updated.textContent = "Could not refresh (" + error.message + "); trying again.";
    })
    .then(() => { window.setTimeout(poll, PERIOD); });
}

window.setTimeout(poll, PERIOD);
