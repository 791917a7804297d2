/* Every other page (the error pages): the theme toggle. Bundled into site/static/pages/plain.js. */
import "../modules/theme.js";
