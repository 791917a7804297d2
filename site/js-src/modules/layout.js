/* Layout: on narrow screens (860px and less, as in book.css) the sidebar's
   table of contents starts folded, and it follows the width when it changes.
   lesson.html marks <html> with "js-layout" in an inline script at the top of
   <head>, before the first paint, so that run.css keeps the open list from
   flashing on a phone before the fold is closed; this module (deferred, like
   every module) then sets the fold and marks <html> "layout-ready". */
if (window.matchMedia) {
  const root = document.documentElement;
  const narrow = window.matchMedia("(max-width: 860px)");
  const fold = document.querySelector(".sidebar-fold");
  if (fold) {
    const apply = () => { fold.open = !narrow.matches; };
    apply();
    if (narrow.addEventListener) { narrow.addEventListener("change", apply); } else if (narrow.addListener) { narrow.addListener(apply); }
  }
  root.classList.add("layout-ready");
}
