// ESLint's flat config for the book's own JavaScript (`make lint` runs it).
// `npx eslint` lints every .js/.mjs file of the repository but these: the CodeMirror
// bundles in site/static/vendor and site/static/pages (built by esbuild from what is linted
// here: site/js-src), node_modules and the virtualenv.
import js from "@eslint/js";
import globals from "globals";

/* Program output goes into the page as text, never as HTML (docs/frontend.md). */
const noHtml = ["innerHTML", "outerHTML"].map((property) => ({
  property, message: "Insert text (textContent, text nodes), never HTML.",
}));

export default [
  { ignores: ["site/static/vendor/**", "site/static/pages/**", "node_modules/**", ".venv/**"] },
  js.configs.recommended,
  {
    rules: {
      "no-var": "error",
      "prefer-const": "error",
      "eqeqeq": ["error", "always", { null: "ignore" }],
      "no-implicit-globals": "error",
      "no-eval": "error",
      "prefer-arrow-callback": "error",
      "object-shorthand": ["error", "properties"],
    },
  },
  {
    // The page's ES modules, and the pages' entries that import them.
    files: ["site/js-src/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
    rules: {
      "no-restricted-properties": ["error", ...noHtml],
      "no-restricted-syntax": ["error",
        { selector: "CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln)$/]",
          message: "Insert text (textContent, text nodes), never HTML." }],
    },
  },
  {
    // Node: the bundle's build script and this file.
    files: ["site/js-src/**/*.mjs", "eslint.config.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node },
  },
];
