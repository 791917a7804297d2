/* Theme: follows the system setting until the reader picks one with the toggle. */
(function () {
  "use strict";
  var root = document.documentElement;
  var button = document.querySelector(".theme-toggle");
  if (!button) { return; }
  function current() {
    if (root.classList.contains("dark")) { return "dark"; }
    if (root.classList.contains("light")) { return "light"; }
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function label() {
    var next = current() === "dark" ? "light" : "dark";
    button.setAttribute("aria-label", "Switch to the " + next + " theme");
  }
  button.addEventListener("click", function () {
    var next = current() === "dark" ? "light" : "dark";
    root.classList.remove("dark", "light");
    root.classList.add(next);
    try { localStorage.setItem("mpbook.theme", next); } catch (e) { /* not kept; fine */ }
    label();
  });
  label();
}());
