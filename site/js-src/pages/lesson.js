/* A lesson page: the sidebar's fold, the theme toggle, and the examples and exercises
   (run.js, which imports the rest). Bundled into site/static/pages/lesson.js. */
import "../modules/layout.js";
import "../modules/theme.js";
import "../modules/run.js";
