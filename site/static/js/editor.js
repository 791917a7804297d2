/* Editor: each example's code becomes editable in place with CodeMirror 6.
   The bundle (site/static/vendor/codemirror-<version>.min.js) is loaded only
   when a reader reaches for the code (click, focus, typing) or when the page
   has edited code to show, so a first visit does not pay for it. Until then,
   and without JavaScript, the Pygments HTML stays. Edits are kept in
   localStorage under mpbook.edit.<id>; share links carry code in the URL
   fragment as #run=<id>:<base64url of the UTF-8 code>. */
(function () {
  "use strict";
  var MPBook = window.MPBook = window.MPBook || {};

  var BUNDLE = "codemirror-6.0.2.min.js"; /* set by site/js-src/build.mjs */
  var KEY_PREFIX = "mpbook.edit.";

  var scriptSrc = document.currentScript ? document.currentScript.src : "";
  var bundlePromise = null;
  var editors = [];
  var editing = true;

  function bundleUrl() {
    var base = scriptSrc ? scriptSrc.replace(/js\/editor\.js(\?.*)?$/, "") : "/static/";
    return base + "vendor/" + BUNDLE;
  }

  /** Load the CodeMirror bundle once; resolves to window.MPBookCodeMirror. */
  function loadBundle() {
    if (window.MPBookCodeMirror) { return Promise.resolve(window.MPBookCodeMirror); }
    if (bundlePromise) { return bundlePromise; }
    bundlePromise = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = bundleUrl();
      script.async = true;
      script.onload = function () {
        if (window.MPBookCodeMirror) { resolve(window.MPBookCodeMirror); } else { reject(new Error("editor bundle did not load")); }
      };
      script.onerror = function () { bundlePromise = null; reject(new Error("editor bundle did not load")); };
      document.head.appendChild(script);
    });
    return bundlePromise;
  }

  function storageGet(id) {
    try { return window.localStorage.getItem(KEY_PREFIX + id); } catch (e) { return null; }
  }
  function storageSet(id, code) {
    try {
      if (code === null) { window.localStorage.removeItem(KEY_PREFIX + id); } else { window.localStorage.setItem(KEY_PREFIX + id, code); }
    } catch (e) { /* storage full or blocked: the edit lives until the page closes */ }
  }

  /* base64url of UTF-8 text, and back. */
  function encode(text) {
    var bytes = new TextEncoder().encode(text);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function decode(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var binary = window.atob(b64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  }

  /** The example id and code of a #run=<id>:<code> fragment, or null. */
  function sharedFromHash(hash) {
    var m = /^#run=([a-z0-9][a-z0-9-]*):([A-Za-z0-9_-]*)$/.exec(hash || "");
    if (!m) { return null; }
    try { return { id: m[1], code: decode(m[2]) }; } catch (e) { return null; }
  }

  function shareUrl(id, code) {
    return window.location.origin + window.location.pathname + "#run=" + id + ":" + encode(code);
  }

  /** Copy `text` to the clipboard; resolves true when it worked. */
  function copyText(text) {
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      return ok;
    }
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return fallback(); });
    }
    return Promise.resolve(fallback());
  }

  /**
   * One example's code. `options`: id, source (published), figure, onRun, onStop,
   * onChange(edited). Exposes code(), edited(), reset(), mount().
   */
  function ExampleEditor(options) {
    this.id = options.id;
    this.source = options.source;
    this.figure = options.figure;
    this.holder = options.figure.querySelector(".example-code");
    this.options = options;
    this.cm = null;
    this.mounting = null;
    var stored = storageGet(this.id);
    this.current = stored !== null ? stored : this.source;
    this.bindFallback();
  }

  ExampleEditor.prototype.code = function () {
    if (!editing) { return this.source; }
    return this.cm ? this.cm.getCode() : this.current;
  };

  ExampleEditor.prototype.edited = function () { return editing && this.code() !== this.source; };

  /* Until the editor exists, reaching for the highlighted code mounts it. */
  ExampleEditor.prototype.bindFallback = function () {
    var self = this;
    var pre = this.holder && this.holder.querySelector("pre");
    if (!pre) { return; }
    this.holder.classList.add("editable");
    pre.tabIndex = 0;
    pre.title = "Click to edit this code";
    function reach(event) {
      if (self.cm || !editing) { return; }
      var x = event && event.clientX, y = event && event.clientY;
      self.mount().then(function () {
        if (self.cm) { self.cm.focusAt(x === undefined ? null : x, y === undefined ? null : y); }
      });
    }
    this.holder.addEventListener("mousedown", function (event) {
      if (!self.cm && editing) { event.preventDefault(); reach(event); }
    });
    this.holder.addEventListener("touchend", function () { if (!self.cm) { reach(null); } }, { passive: true });
    pre.addEventListener("focus", function () { if (!self.cm && editing) { reach(null); } });
  };

  /** Replace the highlighted code by the editor (the Pygments HTML stays, hidden). */
  ExampleEditor.prototype.mount = function () {
    var self = this;
    if (this.cm) { return Promise.resolve(this.cm); }
    if (this.mounting) { return this.mounting; }
    this.mounting = loadBundle().then(function (CM) {
      if (self.cm) { return self.cm; }
      var host = document.createElement("div");
      host.className = "example-editor";
      self.holder.appendChild(host);
      var title = self.figure.querySelector(".example-title");
      self.cm = CM.create({
        parent: host,
        doc: editing ? self.current : self.source,
        readOnly: !editing,
        label: "Code of example " + self.id + (title ? ": " + title.textContent : "") +
          ". Ctrl+Enter runs it, Escape stops it; press Escape then Tab to leave the editor.",
        keys: [
          { key: "Mod-Enter", run: function () { self.options.onRun(); return true; } },
          { key: "Shift-Mod-Enter", run: function () { self.options.onRun(3); return true; } }
        ],
        onChange: function (code) { self.changed(code); }
      });
      self.holder.classList.add("has-editor");
      var pre = self.holder.querySelector(".highlight");
      if (pre) { pre.hidden = true; }
      self.figure.classList.add("editor-ready");
      return self.cm;
    }, function (error) {
      self.mounting = null;
      throw error;
    });
    return this.mounting;
  };

  ExampleEditor.prototype.changed = function (code) {
    this.current = code;
    var self = this;
    window.clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(function () { self.save(); }, 250);
    this.options.onChange(this.edited());
  };

  ExampleEditor.prototype.save = function () {
    window.clearTimeout(this.saveTimer);
    if (!editing) { return; }
    storageSet(this.id, this.current === this.source ? null : this.current);
  };

  /** Load `code` (from a share link) as this example's edit. */
  ExampleEditor.prototype.load = function (code) {
    this.current = code;
    storageSet(this.id, code === this.source ? null : code);
    if (this.cm) { this.cm.setCode(code); }
    this.options.onChange(this.edited());
  };

  ExampleEditor.prototype.reset = function () {
    this.current = this.source;
    storageSet(this.id, null);
    if (this.cm) { this.cm.setCode(this.source); }
    this.options.onChange(false);
  };

  ExampleEditor.prototype.setEditing = function () {
    var pre = this.holder && this.holder.querySelector(".highlight pre");
    if (pre) { pre.title = editing ? "Click to edit this code" : ""; }
    if (this.holder) { this.holder.classList.toggle("editable", editing); }
    if (!this.cm) { return; }
    this.cm.setReadOnly(!editing);
    var want = editing ? this.current : this.source;
    if (this.cm.getCode() !== want) {
      var keep = this.current;
      this.cm.setCode(want);
      this.current = keep;  /* setCode's change event must not overwrite the stored edit */
    }
  };

  MPBook.editor = {
    ExampleEditor: ExampleEditor,
    create: function (options) {
      var ed = new ExampleEditor(options);
      editors.push(ed);
      return ed;
    },
    loadBundle: loadBundle,
    bundleUrl: bundleUrl,
    encode: encode,
    decode: decode,
    sharedFromHash: sharedFromHash,
    shareUrl: shareUrl,
    copyText: copyText,
    storageKey: function (id) { return KEY_PREFIX + id; },
    editing: function () { return editing; },
    /** hello.editing: false makes every editor read-only, showing the published code. */
    setEditing: function (flag) {
      editing = flag !== false;
      editors.forEach(function (ed) {
        ed.setEditing();
        ed.options.onChange(ed.edited());
      });
    }
  };
}());
