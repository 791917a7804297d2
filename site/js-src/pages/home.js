/* The home page: the theme toggle, and the solved marks of the table of contents.
   Bundled into site/static/pages/home.js. */
import "../modules/theme.js";
import "../modules/progress.js";
