/* Editor: each example's code becomes editable in place with CodeMirror 6.
   The bundle (site/static/vendor/codemirror-<version>.min.js) is loaded only
   when a reader reaches for the code (click, focus, typing) or when the page
   has edited code to show, so a first visit does not pay for it. Until then,
   and without JavaScript, the Pygments HTML stays. Edits are kept in
   localStorage under mpbook.edit.<id>; share links carry code in the URL
   fragment as #run=<id>:<base64url of the UTF-8 code>. */

const BUNDLE = "codemirror-6.0.2.min.js"; /* set by site/js-src/build.mjs */
const KEY_PREFIX = "mpbook.edit.";

let bundlePromise = null;
const editors = [];
let editingOn = true;

/** The bundle's address, beside the page bundle's folder (static/pages/ -> static/vendor/). */
export function bundleUrl() {
  return new URL("../vendor/" + BUNDLE, import.meta.url).href;
}

/** Load the CodeMirror bundle once; resolves to window.MPBookCodeMirror. */
export function loadBundle() {
  if (window.MPBookCodeMirror) { return Promise.resolve(window.MPBookCodeMirror); }
  if (bundlePromise) { return bundlePromise; }
  bundlePromise = new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = bundleUrl();
    script.async = true;
    script.onload = () => {
      if (window.MPBookCodeMirror) { resolve(window.MPBookCodeMirror); } else { reject(new Error("editor bundle did not load")); }
    };
    script.onerror = () => { bundlePromise = null; reject(new Error("editor bundle did not load")); };
    document.head.appendChild(script);
  });
  return bundlePromise;
}

/** Where the edit of example `id` is kept in localStorage. */
export function storageKey(id) { return KEY_PREFIX + id; }

function storageGet(id) {
  try { return window.localStorage.getItem(storageKey(id)); } catch { return null; }
}
function storageSet(id, code) {
  try {
    if (code === null) { window.localStorage.removeItem(storageKey(id)); } else { window.localStorage.setItem(storageKey(id), code); }
  } catch { /* storage full or blocked: the edit lives until the page closes */ }
}

/** base64url of UTF-8 text. */
export function encode(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** UTF-8 text from base64url; throws on anything else. */
export function decode(text) {
  let b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  while (b64.length % 4) { b64 += "="; }
  const binary = window.atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/** The example id and code of a #run=<id>:<code> fragment, or null. */
export function sharedFromHash(hash) {
  const m = /^#run=([a-z0-9][a-z0-9-]*):([A-Za-z0-9_-]*)$/.exec(hash || "");
  if (!m) { return null; }
  try { return { id: m[1], code: decode(m[2]) }; } catch { return null; }
}

export function shareUrl(id, code) {
  return window.location.origin + window.location.pathname + "#run=" + id + ":" + encode(code);
}

/** Copy `text` to the clipboard; resolves true when it worked. */
export function copyText(text) {
  function fallback() {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    let ok;
    try { ok = document.execCommand("copy"); } catch { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(text).then(() => true, () => fallback());
  }
  return Promise.resolve(fallback());
}

/**
 * One example's code. `options`: id, source (published), figure, onRun, onStop,
 * onChange(edited). Exposes code(), edited(), reset(), mount().
 */
export class ExampleEditor {
  constructor(options) {
    this.id = options.id;
    this.source = options.source;
    this.figure = options.figure;
    this.holder = options.figure.querySelector(".example-code");
    this.options = options;
    this.cm = null;
    this.mounting = null;
    const stored = storageGet(this.id);
    this.current = stored !== null ? stored : this.source;
    this.bindFallback();
  }

  code() {
    if (!editingOn) { return this.source; }
    return this.cm ? this.cm.getCode() : this.current;
  }

  edited() { return editingOn && this.code() !== this.source; }

  /* Until the editor exists, reaching for the highlighted code mounts it. */
  bindFallback() {
    const pre = this.holder && this.holder.querySelector("pre");
    if (!pre) { return; }
    this.holder.classList.add("editable");
    pre.tabIndex = 0;
    pre.title = "Click to edit this code";
    const reach = (event) => {
      if (this.cm || !editingOn) { return; }
      const x = event && event.clientX, y = event && event.clientY;
      this.mount().then(() => {
        if (this.cm) { this.cm.focusAt(x === undefined ? null : x, y === undefined ? null : y); }
      });
    };
    this.holder.addEventListener("mousedown", (event) => {
      if (!this.cm && editingOn) { event.preventDefault(); reach(event); }
    });
    this.holder.addEventListener("touchend", () => { if (!this.cm) { reach(null); } }, { passive: true });
    pre.addEventListener("focus", () => { if (!this.cm && editingOn) { reach(null); } });
  }

  /** Replace the highlighted code by the editor (the Pygments HTML stays, hidden). */
  mount() {
    if (this.cm) { return Promise.resolve(this.cm); }
    if (this.mounting) { return this.mounting; }
    this.mounting = loadBundle().then((CM) => {
      if (this.cm) { return this.cm; }
      const host = document.createElement("div");
      host.className = "example-editor";
      this.holder.appendChild(host);
      const title = this.figure.querySelector(".example-title");
      this.cm = CM.create({
        parent: host,
        doc: editingOn ? this.current : this.source,
        readOnly: !editingOn,
        label: "Code of example " + this.id + (title ? ": " + title.textContent : "") +
          ". Ctrl+Enter runs it, Escape stops it; press Escape then Tab to leave the editor.",
        keys: [
          { key: "Mod-Enter", run: () => { this.options.onRun(); return true; } },
          { key: "Shift-Mod-Enter", run: () => { this.options.onRun(3); return true; } }
        ],
        onChange: (code) => { this.changed(code); }
      });
      this.holder.classList.add("has-editor");
      const pre = this.holder.querySelector(".highlight");
      if (pre) { pre.hidden = true; }
      this.figure.classList.add("editor-ready");
      return this.cm;
    }, (error) => {
      this.mounting = null;
      throw error;
    });
    return this.mounting;
  }

  changed(code) {
    this.current = code;
    window.clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => { this.save(); }, 250);
    this.options.onChange(this.edited());
  }

  save() {
    window.clearTimeout(this.saveTimer);
    if (!editingOn) { return; }
    storageSet(this.id, this.current === this.source ? null : this.current);
  }

  /** Load `code` (from a share link) as this example's edit. */
  load(code) {
    this.current = code;
    storageSet(this.id, code === this.source ? null : code);
    if (this.cm) { this.cm.setCode(code); }
    this.options.onChange(this.edited());
  }

  reset() {
    this.current = this.source;
    storageSet(this.id, null);
    if (this.cm) { this.cm.setCode(this.source); }
    this.options.onChange(false);
  }

  setEditing() {
    const pre = this.holder && this.holder.querySelector(".highlight pre");
    if (pre) { pre.title = editingOn ? "Click to edit this code" : ""; }
    if (this.holder) { this.holder.classList.toggle("editable", editingOn); }
    if (!this.cm) { return; }
    this.cm.setReadOnly(!editingOn);
    const want = editingOn ? this.current : this.source;
    if (this.cm.getCode() !== want) {
      const keep = this.current;
      this.cm.setCode(want);
      this.current = keep;  /* setCode's change event must not overwrite the stored edit */
    }
  }
}

/** A new ExampleEditor, kept so that setEditing reaches it. */
export function create(options) {
  const ed = new ExampleEditor(options);
  editors.push(ed);
  return ed;
}

/** Whether this server lets readers edit (hello.editing). */
export function editing() { return editingOn; }

/** hello.editing: false makes every editor read-only, showing the published code. */
export function setEditing(flag) {
  editingOn = flag !== false;
  for (const ed of editors) {
    ed.setEditing();
    ed.options.onChange(ed.edited());
  }
}
