/* Run: the controls of each example (Run, Stop, start method, Run ×3, Reset,
   Copy, Share) and the page's run queue. The server runs one program per
   connection, so a run is sent only when the previous one has sent "exit":
   starting another example first stops the current run, then waits for its
   exit. Frames go to the RunView (output.js) of the run in progress. */
(function () {
  "use strict";
  var MPBook = window.MPBook = window.MPBook || {};
  var conn = MPBook.connection;
  var examples = [];
  var byId = {};

  /* The run in progress (sent, not yet ended) and the one waiting to be sent. */
  var active = null;
  var pending = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function button(className, text, title) {
    var b = el("button", className, text);
    b.type = "button";
    if (title) { b.title = title; }
    return b;
  }

  function isMac() { return /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent || ""); }

  /* ---- the queue ---------------------------------------------------------- */

  /** Ask for `times` runs of example `ex`; stops whatever runs now first. */
  function request(ex, times) {
    if (!conn.hello()) { return; }
    if (pending) { pending.ex.cancelled(); }
    pending = { ex: ex, times: times, method: ex.method(), code: ex.codeToSend() };
    ex.prepare(times);
    if (active) {
      stopActive(active.ex === ex ? null : "stopped: you ran another example");
      ex.waiting();
    } else {
      sendNext();
    }
  }

  function stopActive(how) {
    if (!active || active.stopping) { return; }
    active.stopping = true;
    active.view.stoppedHow = how || null;
    active.remaining = 0;
    if (active.retrying) {
      /* Nothing is on the server yet: end here rather than wait for an exit. */
      active.view.render({ type: "exit", code: null, reason: "stopped", t: 0 });
      endActive();
      return;
    }
    conn.send({ op: "stop" });
  }

  function sendNext() {
    if (active || !pending) { return; }
    var next = pending;
    pending = null;
    startRun(next.ex, next, 0);
  }

  function startRun(ex, plan, index) {
    var frame = { op: "run", example: ex.id };
    if (plan.code !== null) { frame.code = plan.code; }
    if (plan.method) { frame.start_method = plan.method; }
    var view = ex.viewFor(index, plan.times);
    active = { ex: ex, plan: plan, index: index, view: view, frame: frame, stopping: false, remaining: plan.times - index - 1 };
    ex.running(true);
    if (!conn.send(frame)) {
      view.fail("Not connected to the server.");
      endActive();
    }
  }

  function endActive() {
    var was = active;
    active = null;
    if (!was) { return; }
    if (was.remaining > 0 && !pending && !was.stopping) {
      startRun(was.ex, was.plan, was.index + 1);
      return;
    }
    was.ex.running(false);
    sendNext();
  }

  function onFrame(frame) {
    if (!active) { return; }
    if (frame.type === "started") { active.started = true; }
    if (frame.type === "error") {
      /* An error answers our last message. Before "started" it means the run was refused. */
      if (active.started) { return; }
      /* "busy" can answer a run sent the moment the previous one exited, before the
         server has freed the connection, or when every queue place is taken: retry a little. */
      if (frame.code === "busy" && (active.retries || 0) < 6 && !active.stopping && !pending) {
        var again = active;
        again.retries = (again.retries || 0) + 1;
        again.retrying = true;
        window.setTimeout(function () {
          again.retrying = false;
          if (active === again && !again.stopping) { conn.send(again.frame); }
        }, 100 * Math.pow(2, again.retries - 1));
        return;
      }
      active.view.render(frame);
      active.remaining = 0;
      endActive();
      return;
    }
    active.view.render(frame);
    if (frame.type === "exit") { endActive(); }
  }

  ["queued", "started", "output", "process", "exit", "error"].forEach(function (type) { conn.on(type, onFrame); });

  conn.on("up", function (hello) {
    MPBook.editor.setEditing(hello.editing !== false);
    examples.forEach(function (ex) { ex.online(hello); });
  });

  conn.on("down", function () {
    if (active) {
      active.view.fail("The connection to the server dropped; the run was stopped.");
      active.remaining = 0;
      active.ex.running(false);
      active = null;
    }
    if (pending) { pending.ex.cancelled(); pending = null; }
    examples.forEach(function (ex) { ex.offline(); });
  });

  /* ---- one example -------------------------------------------------------- */

  function Example(figure) {
    var self = this;
    var data = JSON.parse(figure.querySelector("script.example-source").textContent);
    this.id = data.id;
    this.figure = figure;
    var toolbar = figure.querySelector(".example-toolbar");
    this.toolbar = toolbar;
    this.runButton = toolbar.querySelector("button.run");
    this.note = toolbar.querySelector(".run-note");
    this.note.textContent = "Connecting to the server…";

    this.stopButton = button("stop", "Stop", "Stop the run (Escape)");
    this.stopButton.disabled = true;
    this.times3Button = button("run3", "Run ×3", "Run three times in a row and compare the outputs");
    this.times3Button.disabled = true;
    this.times3Button.setAttribute("aria-label", "Run ×3: three runs in a row");
    var methodLabel = el("label", "method");
    var methodText = el("span", "visually-hidden", "Start method");
    this.methodSelect = el("select");
    this.methodSelect.title = "The multiprocessing start method";
    methodLabel.appendChild(methodText);
    methodLabel.appendChild(this.methodSelect);
    methodLabel.hidden = true;
    this.methodLabel = methodLabel;

    this.tools = el("span", "edit-tools");
    this.resetButton = button("reset", "Reset", "Put back the published code");
    this.resetButton.hidden = true;
    this.copyButton = button("copy", "Copy", "Copy the code");
    this.shareButton = button("share", "Share", "Copy a link that carries this code");
    this.tools.appendChild(this.resetButton);
    this.tools.appendChild(this.copyButton);
    this.tools.appendChild(this.shareButton);
    this.feedback = el("span", "tool-feedback");
    this.feedback.setAttribute("role", "status");

    toolbar.insertBefore(this.stopButton, this.runButton.nextSibling);
    toolbar.insertBefore(this.times3Button, this.stopButton.nextSibling);
    toolbar.insertBefore(methodLabel, this.times3Button.nextSibling);
    toolbar.appendChild(this.tools);
    toolbar.appendChild(this.feedback);
    this.runButton.title = "Run this example (" + (isMac() ? "⌘" : "Ctrl") + "+Enter)";

    this.editedMark = el("span", "edited-mark", "edited");
    this.editedMark.hidden = true;
    this.editedMark.title = "You changed this code; Reset puts back the published version";
    var head = figure.querySelector(".example-head");
    var idLink = head && head.querySelector(".example-id");
    if (head) { head.insertBefore(this.editedMark, idLink); }

    this.panel = el("div", "example-run");
    this.panel.hidden = true;
    toolbar.parentNode.insertBefore(this.panel, toolbar.nextSibling);
    this.views = [];

    this.editor = MPBook.editor.create({
      id: this.id, source: data.source, figure: figure,
      onRun: function (times) { self.run(times || 1); },
      onStop: function () { self.stop(); },
      onChange: function (edited) { self.markEdited(edited); }
    });
    this.markEdited(this.editor.edited());

    this.runButton.addEventListener("click", function () { self.run(1); });
    this.times3Button.addEventListener("click", function () { self.run(3); });
    this.stopButton.addEventListener("click", function () { self.stop(); });
    this.resetButton.addEventListener("click", function () { self.editor.reset(); self.say("Published code restored."); });
    this.copyButton.addEventListener("click", function () {
      MPBook.editor.copyText(self.editor.code()).then(function (ok) { self.say(ok ? "Copied." : "Copy failed; select the code and copy it."); });
    });
    this.shareButton.addEventListener("click", function () { self.share(); });
    figure.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.defaultPrevented) {
        if (!self.runButton.disabled) { event.preventDefault(); self.run(event.shiftKey ? 3 : 1); }
      } else if (event.key === "Escape" && self.isRunning) {
        self.stop();
      }
    });
  }

  Example.prototype.say = function (text) {
    var fb = this.feedback;
    fb.textContent = text;
    window.clearTimeout(this.sayTimer);
    this.sayTimer = window.setTimeout(function () { fb.textContent = ""; }, 4000);
  };

  Example.prototype.method = function () {
    return this.methodLabel.hidden ? null : (this.methodSelect.value || null);
  };

  Example.prototype.codeToSend = function () {
    return this.editor.edited() ? this.editor.code() : null;
  };

  Example.prototype.markEdited = function (edited) {
    this.figure.classList.toggle("edited", !!edited);
    this.editedMark.hidden = !edited;
    this.resetButton.hidden = !edited;
    var canEdit = MPBook.editor.editing();
    this.shareButton.hidden = !canEdit;
  };

  Example.prototype.online = function (hello) {
    this.runButton.disabled = false;
    this.runButton.removeAttribute("title");
    this.runButton.title = "Run this example (" + (isMac() ? "⌘" : "Ctrl") + "+Enter)";
    this.times3Button.disabled = false;
    var methods = hello.start_methods || [];
    var previous = this.methodSelect.value;
    while (this.methodSelect.firstChild) { this.methodSelect.removeChild(this.methodSelect.firstChild); }
    var self = this;
    methods.forEach(function (m) {
      var option = el("option", null, m);
      option.value = m;
      self.methodSelect.appendChild(option);
    });
    this.methodLabel.hidden = methods.length === 0;
    var want = methods.indexOf(previous) >= 0 ? previous : hello.default_start_method;
    if (methods.indexOf(want) >= 0) { this.methodSelect.value = want; }
    var note = [];
    if (hello.contained === false) {
      note.push("Basic sandbox: this server runs examples without containment.");
      this.note.classList.add("sandbox-badge");
    } else {
      this.note.classList.remove("sandbox-badge");
    }
    if (hello.editing === false) { note.push("Editing is turned off on this server."); }
    else { note.push("Click the code to edit it; " + (isMac() ? "⌘" : "Ctrl") + "+Enter runs, Esc stops."); }
    this.note.textContent = note.join(" ");
    this.running(this.isRunning);
  };

  Example.prototype.offline = function () {
    this.runButton.disabled = true;
    this.times3Button.disabled = true;
    this.stopButton.disabled = true;
    this.runButton.title = "Connecting to the server…";
    this.note.classList.remove("sandbox-badge");
    this.note.textContent = "Reconnecting to the server…";
  };

  /** Clear the panel and make `times` run views. */
  Example.prototype.prepare = function (times) {
    while (this.panel.firstChild) { this.panel.removeChild(this.panel.firstChild); }
    this.panel.hidden = false;
    this.panel.classList.toggle("multi", times > 1);
    this.views = [];
    this.times = times;
    if (times > 1) {
      var caption = el("p", "multi-caption", "Three runs of the same program, side by side: compare the order of their lines.");
      this.panel.appendChild(caption);
      this.grid = el("div", "run-grid");
      this.panel.appendChild(this.grid);
    } else {
      this.grid = this.panel;
    }
  };

  Example.prototype.viewFor = function (index, times) {
    if (!this.views[index]) {
      var label = times > 1 ? "run " + (index + 1) + " of " + times + " of " + this.id : "the run of " + this.id;
      var view = MPBook.output.create(this.grid, label);
      if (times > 1) {
        var head = el("div", "run-title", "Run " + (index + 1));
        view.root.insertBefore(head, view.root.firstChild);
      }
      this.views[index] = view;
    }
    return this.views[index];
  };

  Example.prototype.waiting = function () {
    var view = this.viewFor(0, this.times);
    view.note("waiting", "Waiting for the previous run to stop…");
  };

  Example.prototype.cancelled = function () {
    this.views.forEach(function (v) { v.fail("Not run: another example was started."); });
    this.running(false);
  };

  Example.prototype.running = function (flag) {
    this.isRunning = !!flag;
    this.figure.classList.toggle("running", this.isRunning);
    this.stopButton.disabled = !this.isRunning;
  };

  Example.prototype.run = function (times) {
    if (this.runButton.disabled) { return; }
    this.editor.save();
    request(this, times);
    this.running(true);
  };

  Example.prototype.stop = function () {
    if (pending && pending.ex === this) {
      pending = null;
      this.views.forEach(function (v) { v.fail("Stopped by you before it started."); });
      if (!active || active.ex !== this) { this.running(false); }
    }
    if (active && active.ex === this) { stopActive(null); }
  };

  Example.prototype.share = function () {
    var self = this;
    var link = MPBook.editor.shareUrl(this.id, this.editor.code());
    MPBook.editor.copyText(link).then(function (ok) {
      self.say(ok ? "Link copied: it opens this page with this code." : "Copy this link: " + link);
    });
  };

  /* ---- page start --------------------------------------------------------- */

  function openShared() {
    var shared = MPBook.editor.sharedFromHash(window.location.hash);
    if (!shared || !byId[shared.id]) { return; }
    var ex = byId[shared.id];
    ex.editor.load(shared.code);
    ex.editor.mount().catch(function () { /* the code still runs from storage */ });
    window.requestAnimationFrame(function () {
      ex.figure.scrollIntoView({ block: "start" });
      ex.figure.classList.add("shared");
    });
  }

  function init() {
    var figures = document.querySelectorAll("figure.example[data-example]");
    for (var i = 0; i < figures.length; i++) {
      try {
        var ex = new Example(figures[i]);
        examples.push(ex);
        byId[ex.id] = ex;
      } catch (e) { window.console.error("mpbook: example", figures[i].getAttribute("data-example"), e); }
    }
    if (!examples.length) { return; }
    openShared();
    window.addEventListener("hashchange", openShared);
    /* Examples with kept edits show them in the editor at once. */
    examples.forEach(function (ex) { if (ex.editor.edited()) { ex.editor.mount().catch(function () {}); } });
    conn.connect();
  }

  MPBook.run = {
    examples: function () { return examples.slice(); },
    example: function (id) { return byId[id] || null; },
    active: function () { return active ? { id: active.ex.id, index: active.index, started: !!active.started } : null; }
  };

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
