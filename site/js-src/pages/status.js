/* The status page: the theme toggle, and the numbers refreshed every 2 seconds.
   Bundled into site/static/pages/status.js. */
import "../modules/theme.js";
import "../modules/status.js";
