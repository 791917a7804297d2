// Build the committed bundles with esbuild (the book itself needs no Node):
// - the editor: editor-entry.js -> site/static/vendor/codemirror-<version>.min.js, where
//   <version> is the installed `codemirror` package's; older ones are removed, and
//   modules/editor.js is told the new name;
// - one bundle per kind of page: pages/<name>.js -> site/static/pages/<name>.js (with a
//   source map), so that a page loads one script instead of a dozen modules.
// Usage: npm run build            writes the bundles
//        npm run build -- --check  writes nothing; fails, naming them, if any is stale
//                                  (tests/test_frontend.py runs it)
import { build } from "esbuild";
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const src = join(root, "site", "js-src");
const staticDir = join(root, "site", "static");
const check = process.argv.includes("--check");

const version = JSON.parse(readFileSync(join(root, "node_modules", "codemirror", "package.json"), "utf8")).version;
const editorName = `codemirror-${version}.min.js`;
const editorJs = join(src, "modules", "editor.js");
const marker = /const BUNDLE = "[^"]*"; \/\* set by site\/js-src\/build\.mjs \*\//;

/** Every file the bundles should consist of: path -> bytes. */
async function outputs() {
  const files = new Map();
  const editor = await build({
    entryPoints: [join(src, "editor-entry.js")],
    bundle: true, minify: true, format: "iife", target: ["es2020"], legalComments: "eof",
    outfile: join(staticDir, "vendor", editorName), write: false, logLevel: "warning",
  });
  for (const file of editor.outputFiles) { files.set(file.path, Buffer.from(file.contents)); }

  // editor.js names the editor bundle, and is itself part of the lesson page's bundle.
  const text = readFileSync(editorJs, "utf8");
  if (!marker.test(text)) { throw new Error("modules/editor.js has lost its BUNDLE line"); }
  const named = text.replace(marker, `const BUNDLE = "${editorName}"; /* set by site/js-src/build.mjs */`);
  files.set(editorJs, Buffer.from(named));

  const pages = readdirSync(join(src, "pages")).filter((name) => name.endsWith(".js")).sort();
  const built = await build({
    entryPoints: pages.map((name) => join(src, "pages", name)),
    bundle: true, minify: true, format: "esm", target: ["es2020"], sourcemap: "linked",
    outdir: join(staticDir, "pages"), write: false, logLevel: "warning",
    // modules/editor.js as named above, even before it is written.
    plugins: [{
      name: "named-editor",
      setup(b) { b.onLoad({ filter: /modules[\\/]editor\.js$/ }, () => ({ contents: named, loader: "js" })); },
    }],
  });
  for (const file of built.outputFiles) { files.set(file.path, Buffer.from(file.contents)); }
  return files;
}

/** Bundles in `folder` matching `pattern` that the build no longer makes. */
function leftovers(files, folder, pattern) {
  if (!existsSync(folder)) { return []; }
  return readdirSync(folder).filter((name) => pattern.test(name)).map((name) => join(folder, name))
    .filter((path) => !files.has(path));
}

const files = await outputs();
const old = [
  ...leftovers(files, join(staticDir, "vendor"), /^codemirror-.*\.min\.js$/),
  ...leftovers(files, join(staticDir, "pages"), /\.js(\.map)?$/),
];
const stale = [...files].filter(([path, bytes]) => !existsSync(path) || !readFileSync(path).equals(bytes));

if (check) {
  const names = [...stale.map(([path]) => path), ...old].map((path) => relative(root, path));
  if (names.length) {
    console.error(`stale bundles (run \`make build-js\`): ${names.join(", ")}`);
    process.exit(1);
  }
  console.log(`${files.size} bundle files are up to date`);
} else {
  for (const [path, bytes] of stale) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes); console.log(`wrote ${relative(root, path)}`);
  }
  for (const path of old) { unlinkSync(path); console.log(`removed ${relative(root, path)}`); }
  for (const [path, bytes] of files) {
    if (path.endsWith(".js") && path.startsWith(staticDir)) {
      console.log(`${basename(path)}: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped`);
    }
  }
}
