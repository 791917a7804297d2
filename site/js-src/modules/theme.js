/* Theme: follows the system setting until the reader picks one with the toggle.
   (base.html applies a kept choice before paint; this module runs the toggle.) */
const root = document.documentElement;
const button = document.querySelector(".theme-toggle");

function current() {
  if (root.classList.contains("dark")) { return "dark"; }
  if (root.classList.contains("light")) { return "light"; }
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function other() { return current() === "dark" ? "light" : "dark"; }

function label() {
  button.setAttribute("aria-label", "Switch to the " + other() + " theme");
}

if (button) {
  button.addEventListener("click", () => {
    const next = other();
    root.classList.remove("dark", "light");
    root.classList.add(next);
    try { localStorage.setItem("mpbook.theme", next); } catch { /* not kept; fine */ }
    label();
  });
  label();
}
