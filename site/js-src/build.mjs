// Build the editor bundle: site/js-src/editor-entry.js -> site/static/vendor/codemirror-<version>.min.js,
// where <version> is the installed `codemirror` package's version. Older bundles are removed.
// Usage: npm run build   (the bundle is committed; the book itself needs no Node)
import { build } from "esbuild";
import { readFileSync, readdirSync, unlinkSync, statSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const version = JSON.parse(readFileSync(join(root, "node_modules", "codemirror", "package.json"), "utf8")).version;
const vendor = join(root, "site", "static", "vendor");
const name = `codemirror-${version}.min.js`;
const outfile = join(vendor, name);

await build({
  entryPoints: [join(root, "site", "js-src", "editor-entry.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "eof",
  outfile,
  logLevel: "warning",
});

for (const file of readdirSync(vendor)) {
  if (/^codemirror-.*\.min\.js$/.test(file) && file !== name) {
    unlinkSync(join(vendor, file));
    console.log(`removed old bundle ${file}`);
  }
}
// site/static/js/editor.js loads the bundle by this name.
const editorJs = join(root, "site", "static", "js", "editor.js");
const marker = /const BUNDLE = "[^"]*"; \/\* set by site\/js-src\/build\.mjs \*\//;
const text = readFileSync(editorJs, "utf8");
if (!marker.test(text)) throw new Error("editor.js has lost its BUNDLE line");
const updated = text.replace(marker, `const BUNDLE = "${name}"; /* set by site/js-src/build.mjs */`);
if (updated !== text) {
  writeFileSync(editorJs, updated);
  console.log(`editor.js now loads ${name}`);
}

const bytes = readFileSync(outfile);
console.log(`${name}: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped (${statSync(outfile).size} on disk)`);
