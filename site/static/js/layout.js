/* Layout: on narrow screens (860px and less, as in book.css) the sidebar's
   table of contents starts folded, and it follows the width when it changes.
   The one classic script (not a module): loaded in <head> without defer, it
   marks <html> at once so run.css can keep the open list from flashing on a
   phone before the fold is closed. Modules are deferred, too late for that. */
(function () {
  "use strict";
  if (!window.matchMedia) { return; }
  const root = document.documentElement;
  root.classList.add("js-layout");
  const narrow = window.matchMedia("(max-width: 860px)");
  function setup() {
    const fold = document.querySelector(".sidebar-fold");
    if (fold) {
      const apply = () => { fold.open = !narrow.matches; };
      apply();
      if (narrow.addEventListener) { narrow.addEventListener("change", apply); } else if (narrow.addListener) { narrow.addListener(apply); }
    }
    root.classList.add("layout-ready");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
}());
