/* Run: the controls of each example (Run, Stop, start method, Run ×3, Reset,
   Copy, Share) and the page's run queue. The server runs one program per
   connection, so a run is sent only when the previous one has sent "exit":
   starting another example first stops the current run, then waits for its
   exit. Frames go to the RunView (output.js) of the run in progress.
   The lesson page's entry module: it imports the others and starts the page. */
import * as connection from "./connection.js";
import { button, clear, el } from "./dom.js";
import * as editor from "./editor.js";
import * as output from "./output.js";
import { exerciseClass } from "./exercise.js";
import "./predict.js";

const READY_MARK = "mpbook:run-ready";
const examples = [];
const byId = {};

/* The run in progress (sent, not yet ended) and the one waiting to be sent. */
let active = null;
let pending = null;

function isMac() { return /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent || ""); }
function runKeys() { return (isMac() ? "⌘" : "Ctrl") + "+Enter"; }

/* ---- the queue ---------------------------------------------------------- */

/** Ask for `times` runs of example `ex` (kind "run"), or for a Check of an exercise (kind
    "check": one request whose runs each send "started" ... "exit", then one "check" frame);
    stops whatever runs now first. */
function request(ex, times, kind = "run") {
  if (!connection.hello()) { return; }
  if (pending) { pending.ex.cancelled(); }
  pending = { ex, times, kind, method: ex.method(), code: ex.codeToSend() };
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
  connection.send({ op: "stop" });
}

function sendNext() {
  if (active || !pending) { return; }
  const next = pending;
  pending = null;
  startRun(next.ex, next, 0);
}

function startRun(ex, plan, index) {
  const frame = ex.runFrame(plan);
  const view = ex.viewFor(index, plan.times);
  active = { ex, plan, index, view, frame, stopping: false, remaining: plan.times - index - 1, runs: 0 };
  ex.running(true);
  if (!connection.send(frame)) {
    view.fail("Not connected to the server.");
    endActive();
  }
}

function endActive() {
  const was = active;
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
  if (frame.type === "started") {
    /* A Check's second and later runs each get a view of their own. */
    if (active.plan.kind === "check" && active.runs > 0) { active.view = active.ex.checkView(active.runs, frame.start_method); }
    active.runs += 1;
    active.started = true;
  }
  if (frame.type === "error") {
    /* An error answers our last message. Before "started" it means the run was refused;
       after, it answers input or a request for stacks, and the run goes on. */
    if (active.started) { active.view.notice(frame); return; }
    /* "busy" can answer a run sent the moment the previous one exited, before the
       server has freed the connection, or when every queue place is taken: retry a little. */
    if (frame.code === "busy" && (active.retries || 0) < 6 && !active.stopping && !pending) {
      const again = active;
      again.retries = (again.retries || 0) + 1;
      again.retrying = true;
      window.setTimeout(() => {
        again.retrying = false;
        if (active === again && !again.stopping) { connection.send(again.frame); }
      }, 100 * Math.pow(2, again.retries - 1));
      return;
    }
    active.view.render(frame);
    active.remaining = 0;
    endActive();
    return;
  }
  if (frame.type === "check") {
    active.ex.showCheck(frame);
    endActive();
    return;
  }
  active.view.render(frame);
  if (frame.type === "exit") {
    active.ex.figure.dispatchEvent(new CustomEvent("mpbook:run-exit", { detail: { frame, stdout: active.view.text.stdout } }));
    /* A Check goes on until its check frame; one that left the queue ends with this exit. */
    if (active.plan.kind !== "check" || !active.started) { endActive(); }
  }
}

for (const type of ["queued", "started", "output", "process", "stack", "usage", "input", "exit", "error", "check"]) {
  connection.on(type, onFrame);
}

connection.on("up", (hello) => {
  editor.setEditing(hello.editing !== false);
  for (const ex of examples) { ex.online(hello); }
  /* The moment the page could first run an example, as a User Timing mark for profilers
     and for bench/pageload.py, which reads it (docs/performance.md). */
  if (!performance.getEntriesByName(READY_MARK).length) { performance.mark(READY_MARK); }
});

connection.on("down", () => {
  if (active) {
    active.view.fail("The connection to the server dropped; the run was stopped.");
    active.remaining = 0;
    active.ex.running(false);
    active = null;
  }
  if (pending) { pending.ex.cancelled(); pending = null; }
  for (const ex of examples) { ex.offline(); }
});

/* ---- one example -------------------------------------------------------- */

class Example {
  constructor(figure) {
    const data = JSON.parse(figure.querySelector("script.example-source").textContent);
    this.id = data.id;
    this.figure = figure;
    const toolbar = figure.querySelector(".example-toolbar");
    this.toolbar = toolbar;
    this.runButton = toolbar.querySelector("button.run");
    this.note = toolbar.querySelector(".run-note");
    this.note.textContent = "Connecting to the server…";

    this.stopButton = button("stop", "Stop", "Stop the run (Escape)");
    this.stopButton.disabled = true;
    this.times3Button = button("run3", "Run ×3", "Run three times in a row and compare the outputs");
    this.times3Button.disabled = true;
    this.times3Button.setAttribute("aria-label", "Run ×3: three runs in a row");
    const methodLabel = el("label", "method");
    const methodText = el("span", "visually-hidden", "Start method");
    this.methodSelect = el("select");
    this.methodSelect.title = "The multiprocessing start method";
    methodLabel.appendChild(methodText);
    methodLabel.appendChild(this.methodSelect);
    methodLabel.hidden = true;
    this.methodLabel = methodLabel;
    /* Which Python runs the examples on this server (hello.python), beside the start method. */
    this.pythonVersion = el("span", "python-version");
    this.pythonVersion.title = "The Python version that runs the examples on this server";
    this.pythonVersion.hidden = true;

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
    toolbar.insertBefore(this.pythonVersion, methodLabel.nextSibling);
    toolbar.appendChild(this.tools);
    toolbar.appendChild(this.feedback);
    this.runButton.title = "Run this example (" + runKeys() + ")";

    this.editedMark = el("span", "edited-mark", "edited");
    this.editedMark.hidden = true;
    this.editedMark.title = "You changed this code; Reset puts back the published version";
    const head = figure.querySelector(".example-head");
    const idLink = head && head.querySelector(".example-id");
    if (head) { head.insertBefore(this.editedMark, idLink); }

    this.panel = el("div", "example-run");
    this.panel.hidden = true;
    toolbar.parentNode.insertBefore(this.panel, toolbar.nextSibling);
    this.views = [];

    this.editor = editor.create({
      id: this.id, source: data.source, figure,
      onRun: (times) => { this.run(times || 1); },
      onStop: () => { this.stop(); },
      onChange: (edited) => { this.markEdited(edited); }
    });
    this.markEdited(this.editor.edited());

    this.runButton.addEventListener("click", () => { this.run(1); });
    this.times3Button.addEventListener("click", () => { this.run(3); });
    this.stopButton.addEventListener("click", () => { this.stop(); });
    this.resetButton.addEventListener("click", () => { this.editor.reset(); this.say("Published code restored."); });
    this.copyButton.addEventListener("click", () => {
      editor.copyText(this.editor.code()).then((ok) => { this.say(ok ? "Copied." : "Copy failed; select the code and copy it."); });
    });
    this.shareButton.addEventListener("click", () => { this.share(); });
    figure.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.defaultPrevented) {
        if (!this.runButton.disabled) { event.preventDefault(); this.run(event.shiftKey ? 3 : 1); }
      } else if (event.key === "Escape" && this.isRunning) {
        this.stop();
      }
    });
  }

  say(text) {
    const fb = this.feedback;
    fb.textContent = text;
    window.clearTimeout(this.sayTimer);
    this.sayTimer = window.setTimeout(() => { fb.textContent = ""; }, 4000);
  }

  method() {
    return this.methodLabel.hidden ? null : (this.methodSelect.value || null);
  }

  codeToSend() {
    return this.editor.edited() ? this.editor.code() : null;
  }

  /** The frame that asks the server for run `plan`. */
  runFrame(plan) {
    const frame = { op: "run", example: this.id };
    if (plan.code !== null) { frame.code = plan.code; }
    if (plan.method) { frame.start_method = plan.method; }
    return frame;
  }

  markEdited(edited) {
    this.figure.classList.toggle("edited", !!edited);
    this.editedMark.hidden = !edited;
    this.resetButton.hidden = !edited;
    this.shareButton.hidden = !editor.editing();
  }

  online(hello) {
    this.runButton.disabled = false;
    this.runButton.title = "Run this example (" + runKeys() + ")";
    this.times3Button.disabled = false;
    const methods = hello.start_methods || [];
    const previous = this.methodSelect.value;
    clear(this.methodSelect);
    for (const m of methods) {
      const option = el("option", null, m);
      option.value = m;
      this.methodSelect.appendChild(option);
    }
    this.methodLabel.hidden = methods.length === 0;
    /* An example checked under some start methods only starts on one of them, so that its
       first run prints what the book shows (data-start-methods, from example.toml). */
    const checked = (this.figure.dataset.startMethods || "").split(" ").filter((m) => methods.indexOf(m) >= 0);
    let want = methods.indexOf(previous) >= 0 ? previous : hello.default_start_method;
    if (previous === "" && checked.length && checked.indexOf(want) < 0) { want = checked[0]; }
    if (methods.indexOf(want) >= 0) { this.methodSelect.value = want; }
    this.pythonVersion.textContent = hello.python ? "Python " + hello.python : "";
    this.pythonVersion.hidden = !hello.python;
    const note = [];
    if (hello.contained === false) {
      note.push("Basic sandbox: this server runs examples without containment.");
      this.note.classList.add("sandbox-badge");
    } else {
      this.note.classList.remove("sandbox-badge");
    }
    if (hello.editing === false) {
      note.push("Editing is turned off on this server.");
    } else {
      note.push("Click the code to edit it; " + runKeys() + " runs, Esc stops.");
    }
    this.note.textContent = note.join(" ");
    this.running(this.isRunning);
  }

  offline() {
    this.runButton.disabled = true;
    this.times3Button.disabled = true;
    this.stopButton.disabled = true;
    this.runButton.title = "Connecting to the server…";
    this.note.classList.remove("sandbox-badge");
    this.note.textContent = "Reconnecting to the server…";
  }

  /** Clear the panel and make `times` run views. */
  prepare(times) {
    clear(this.panel);
    this.panel.hidden = false;
    this.panel.classList.toggle("multi", times > 1);
    this.views = [];
    this.times = times;
    if (times > 1) {
      const caption = el("p", "multi-caption", "Three runs of the same program, side by side: compare the order of their lines.");
      this.panel.appendChild(caption);
      this.grid = el("div", "run-grid");
      this.panel.appendChild(this.grid);
    } else {
      this.grid = this.panel;
    }
  }

  viewFor(index, times) {
    if (!this.views[index]) {
      const label = times > 1 ? "run " + (index + 1) + " of " + times + " of " + this.id : "the run of " + this.id;
      const view = output.create(this.grid, label, (frame) => connection.send(frame));
      if (times > 1) {
        const head = el("div", "run-title", "Run " + (index + 1));
        view.root.insertBefore(head, view.root.firstChild);
      }
      this.views[index] = view;
    }
    return this.views[index];
  }

  waiting() {
    const view = this.viewFor(0, this.times);
    view.note("waiting", "Waiting for the previous run to stop…");
  }

  cancelled() {
    for (const v of this.views) { v.fail("Not run: another example was started."); }
    this.running(false);
  }

  running(flag) {
    this.isRunning = !!flag;
    this.figure.classList.toggle("running", this.isRunning);
    this.stopButton.disabled = !this.isRunning;
  }

  run(times) {
    if (this.runButton.disabled) { return; }
    this.editor.save();
    request(this, times);
    this.running(true);
  }

  stop() {
    if (pending && pending.ex === this) {
      pending = null;
      for (const v of this.views) { v.fail("Stopped by you before it started."); }
      if (!active || active.ex !== this) { this.running(false); }
    }
    if (active && active.ex === this) { stopActive(null); }
  }

  share() {
    const link = editor.shareUrl(this.id, this.editor.code());
    editor.copyText(link).then((ok) => {
      this.say(ok ? "Link copied: it opens this page with this code." : "Copy this link: " + link);
    });
  }
}

/* ---- page start --------------------------------------------------------- */

function openShared() {
  const shared = editor.sharedFromHash(window.location.hash);
  if (!shared || !byId[shared.id]) { return; }
  const ex = byId[shared.id];
  ex.editor.load(shared.code);
  ex.editor.mount().catch(() => { /* the code still runs from storage */ });
  window.requestAnimationFrame(() => {
    ex.figure.scrollIntoView({ block: "start" });
    ex.figure.classList.add("shared");
  });
}

const Exercise = exerciseClass(Example, request);

function init() {
  for (const figure of document.querySelectorAll("figure.example[data-example], figure.exercise[data-exercise]")) {
    try {
      const ex = figure.classList.contains("exercise") ? new Exercise(figure) : new Example(figure);
      examples.push(ex);
      byId[ex.id] = ex;
    } catch (e) { window.console.error("mpbook: example", figure.getAttribute("data-example"), e); }
  }
  if (!examples.length) { connection.discardEarly(); return; }
  openShared();
  window.addEventListener("hashchange", openShared);
  /* Examples with kept edits show them in the editor at once. */
  for (const ex of examples) { if (ex.editor.edited()) { ex.editor.mount().catch(() => {}); } }
  connection.connect();
}

const run = {
  examples() { return examples.slice(); },
  example(id) { return byId[id] || null; },
  active() { return active ? { id: active.ex.id, index: active.index, started: !!active.started } : null; }
};

/* The page's parts, for the browser tests and benchmarks (tests/browser/browserkit.py)
   and for a reader's console. Nothing of the page reads them from here. */
window.MPBook = { connection, editor, output, run };

if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
