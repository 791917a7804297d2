/* Output: the one place where server frames become page content. A RunView is
   the panel of one run: a status line (with "Where are they?", which asks every
   process for its stack), the streamed output (each line with a colour-coded
   badge of the process that printed it), the input line, the timeline with the
   stacks under its lanes, and the cores-busy strip.
   Program output is only ever inserted as text. */
import { button, el } from "./dom.js";
import * as stacks from "./stacks.js";
import { InputLine } from "./stdin.js";
import { Timeline, seconds } from "./timeline.js";
import { UsageStrip } from "./usage.js";

const PALETTE = 8;

function capital(text) { return text.charAt(0).toUpperCase() + text.slice(1); }

/** The plain words for how a run ended: the server's (web/protocol.py owns them), or,
    for a run the reader stopped from the page, how they stopped it. */
export function endWords(frame, stoppedHow) {
  if (frame.reason === "stopped" && stoppedHow) { return stoppedHow; }
  return frame.message || (frame.reason === "stopped" ? "stopped by you" : "ended");
}

/** A run's panel inside `parent`; `label` names it ("Run 2 of 3"). */
export class RunView {
  /** `send(frame)`, when given, sends the run's client frames (stacks, stdin); false if it could not. */
  constructor(parent, label, send) {
    this.label = label || "this run";
    this.root = el("div", "run-view");
    const status = el("div", "run-status");
    this.state = el("span", "run-state", "Waiting…");
    this.state.setAttribute("role", "status");
    this.clock = el("span", "run-clock");
    this.clock.setAttribute("aria-hidden", "true");
    status.appendChild(this.state);
    status.appendChild(this.clock);
    this.send = send || null;
    this.whereButton = button("where", "Where are they?", "Show where every process of the run is, without stopping it");
    this.whereButton.hidden = true;
    this.whereButton.addEventListener("click", () => { if (this.send) { this.send({ op: "stacks" }); } });
    status.appendChild(this.whereButton);
    this.root.appendChild(status);
    this.out = el("div", "run-output");
    this.out.setAttribute("role", "region");
    this.out.setAttribute("aria-label", "Output of " + this.label);
    this.out.tabIndex = 0;
    this.root.appendChild(this.out);
    this.input = this.send ? new InputLine(this.root, this.label, this.send, (text) => { this.echo(text); }) : null;
    this.timeline = new Timeline(this.root, this.label);
    this.usage = new UsageStrip(this.root);
    parent.appendChild(this.root);

    this.procs = {};
    this.order = [];
    this.open = {};
    this.startedAt = null;
    this.lastT = 0;
    this.done = false;
    this.text = { stdout: "", stderr: "" };
    this.result = null;
    this.stoppedHow = null;
    this.timer = null;
    this.pending = [];
    this.flushHandle = null;
    this.lastDrawn = -Infinity;
    this.follow = true;  /* keep the newest line in view, until the reader scrolls up */
    this.scrollHandle = null;
    this.out.addEventListener("scroll", () => {
      this.follow = this.out.scrollHeight - this.out.scrollTop - this.out.clientHeight < 24;
    }, { passive: true });
  }

  setState(kind, text) {
    this.root.setAttribute("data-state", kind);
    this.state.textContent = text;
  }

  /** The record of process `pid`, made on first sight; colours follow first appearance. */
  proc(pid, name, t) {
    let p = this.procs[pid];
    if (!p) {
      p = { pid, name: name || null, ppid: null, colour: this.order.length % PALETTE,
            start: this.order.length === 0 ? 0 : (t || 0), end: null, exitcode: null, lines: 0 };
      this.procs[pid] = p;
      this.order.push(p);
    } else if (name && !p.name) {
      p.name = name;
    }
    return p;
  }

  now() {
    if (this.startedAt === null) { return this.lastT; }
    return Math.max(this.lastT, window.performance.now() - this.startedAt);
  }

  tickClock() {
    const now = this.now();
    this.clock.textContent = seconds(now);
    this.timeline.scaleTo(now, true);
    this.usage.scaleTo(now);
  }

  startClock() {
    this.startedAt = window.performance.now();
    this.stopClock();
    this.timer = window.setInterval(() => { this.tickClock(); }, 100);
    this.tickClock();
  }

  stopClock() {
    if (this.timer !== null) { window.clearInterval(this.timer); this.timer = null; }
  }

  /* An output frame is drawn the moment it comes, unless another was drawn within
     the last animation frame: then it waits for the next one with every other
     that comes meanwhile, so a program that prints tens of thousands of lines
     costs one layout per batch rather than one per line. Nothing here reads the
     layout (that would force the browser to lay the page out there and then);
     following the newest line is done at the next animation frame. */
  queueOutput(frame) {
    const stream = frame.stream === "stderr" ? "stderr" : "stdout";
    this.text[stream] += String(frame.data || "");
    const now = window.performance.now();
    if (this.flushHandle === null && now - this.lastDrawn >= 16) {
      this.lastDrawn = now;
      this.appendOutput(frame);
      this.scrollSoon();
      return;
    }
    this.pending.push(frame);
    if (this.flushHandle === null) {
      this.flushHandle = window.requestAnimationFrame(() => { this.flushHandle = null; this.flush(); });
    }
  }

  flush() {
    if (this.flushHandle !== null) {
      window.cancelAnimationFrame(this.flushHandle);
      this.flushHandle = null;
    }
    if (!this.pending.length) { return; }
    const frames = this.pending;
    this.pending = [];
    this.lastDrawn = window.performance.now();
    for (const frame of frames) { this.appendOutput(frame); }
    this.scrollSoon();
  }

  scrollSoon() {
    if (!this.follow || this.scrollHandle !== null) { return; }
    this.scrollHandle = window.requestAnimationFrame(() => {
      this.scrollHandle = null;
      this.out.scrollTop = this.out.scrollHeight;
    });
  }

  /** What the reader sent to stdin, shown in the output as a terminal echoes it. */
  echo(text) {
    this.flush();
    const line = el("div", "line input");
    line.appendChild(el("span", "text", text.replace(/\n$/, "")));
    this.out.appendChild(line);
    this.open = {};
    this.scrollSoon();
  }

  /** A "stack" frame: the process's stack under its lane. */
  showStack(frame) {
    const p = this.procs[frame.pid];
    const slot = this.timeline.stackSlot(frame.pid);
    slot.appendChild(stacks.render(frame, p ? p.colour : this.order.length % PALETTE));
  }

  appendOutput(frame) {
    const stream = frame.stream === "stderr" ? "stderr" : "stdout";
    const data = String(frame.data || "");
    const pid = typeof frame.pid === "number" ? frame.pid : null;
    const proc = pid === null ? null : this.proc(pid, frame.process, frame.t);
    if (proc && frame.process) { proc.name = proc.name || frame.process; }
    const out = this.out;
    const key = stream + ":" + pid;
    const pieces = data.split("\n");
    for (let i = 0; i < pieces.length; i++) {
      const last = i === pieces.length - 1;
      if (last && pieces[i] === "") { break; }  /* data ended with a newline */
      let line = this.open[key];
      if (!line) {
        line = el("div", "line " + stream);
        line.setAttribute("data-stream", stream);
        if (proc) {
          line.setAttribute("data-pid", String(pid));
          const badge = el("span", "proc-badge p" + proc.colour, proc.name || String(pid));
          badge.title = (proc.name || "process") + ", pid " + pid;
          line.appendChild(badge);
          proc.lines += 1;
        }
        line.appendChild(el("span", "text"));
        out.appendChild(line);
      }
      line.lastChild.appendChild(document.createTextNode(pieces[i]));
      this.open[key] = last ? line : null;
    }
    if (proc) { this.timeline.tick(proc, frame.t || 0, stream); }
  }

  processEvent(frame) {
    const p = this.proc(frame.pid, frame.name, frame.t);
    if (frame.name) { p.name = frame.name; }
    if (frame.ppid !== undefined) { p.ppid = frame.ppid; }
    if (frame.event === "start") {
      p.start = frame.t || 0;
    } else if (frame.event === "exit") {
      p.end = frame.t || 0;
      p.exitcode = frame.exitcode;
    }
    this.timeline.lane(p);
    /* Badges printed before the name was known keep their pid; later ones get the name. */
  }

  /** Render one server frame. Every frame type of docs/protocol.md is handled here. */
  render(frame) {
    if (this.done) { return; }
    if (typeof frame.t === "number") { this.lastT = Math.max(this.lastT, frame.t); }
    if (frame.type === "output") { this.queueOutput(frame); return; }
    this.flush();
    switch (frame.type) {
      case "queued":
        this.setState("queued", "Queued: position " + frame.position + " (every run slot is busy)");
        this.clock.textContent = "";
        break;
      case "started":
        this.startMethod = frame.start_method || null;
        this.setState("running", "Running" + (frame.start_method ? " (" + frame.start_method + ")" : "") + "…");
        this.startClock();
        if (frame.note) { this.out.appendChild(el("div", "line note", frame.note)); }
        if (this.input) { this.input.open(); }
        this.whereButton.hidden = !this.send;
        break;
      case "stack":
        this.showStack(frame);
        break;
      case "usage":
        this.usage.add(frame);
        break;
      case "input":
        if (this.input) { this.input.waiting(frame.waiting); }
        this.root.classList.toggle("wants-input", !!frame.waiting);
        break;
      case "process":
        this.processEvent(frame);
        break;
      case "exit":
        this.finish(frame);
        break;
      case "error":
        this.fail(frame.message || "The server refused the run.", frame.code);
        break;
      default:
        break;
    }
  }

  /** An error answering a frame sent during the run (stdin, stacks): said by the input line. */
  notice(frame) {
    if (this.input) { this.input.say(capital(String(frame.message || ""))); }
  }

  /** The run can take nothing more: no input line, no "Where are they?". */
  closeControls() {
    if (this.input) { this.input.close(); }
    this.whereButton.hidden = true;
    this.root.classList.remove("wants-input");
  }

  finish(frame) {
    this.stopClock();
    this.closeControls();
    this.done = true;
    const t = typeof frame.t === "number" ? frame.t : this.now();
    const words = capital(endWords(frame, this.stoppedHow));
    const parts = [words];
    if (frame.code !== null && frame.code !== undefined) { parts.push("exit code " + frame.code); }
    if (this.startedAt !== null) { parts.push(seconds(t)); }
    const kind = frame.reason === "ok" ? "ok" : frame.reason === "stopped" ? "stopped" : "bad";
    this.setState(kind, parts.join(" · "));
    this.root.setAttribute("data-reason", frame.reason || "");
    this.clock.textContent = "";
    this.result = { code: frame.code, reason: frame.reason, t };
    for (const p of this.order) {
      if (p.end === null) { p.end = t; this.timeline.lane(p).row.classList.add("cut"); }
    }
    this.timeline.scaleTo(t, false);
    this.usage.scaleTo(t);
    this.timeline.describe(this.order);
    if (!this.out.firstChild) {
      this.out.appendChild(el("div", "line note", this.startedAt === null ? "The run did not start." : "The program printed nothing."));
    }
  }

  /** The run ended without an exit frame: refused, or the connection dropped. */
  fail(message, code) {
    this.flush();
    this.stopClock();
    this.closeControls();
    this.done = true;
    this.setState("bad", capital(String(message)));
    if (code) { this.root.setAttribute("data-error", code); }
    this.clock.textContent = "";
    this.timeline.scaleTo(this.now(), false);
    this.timeline.describe(this.order);
  }

  /** A local status before the server has said anything (waiting for the previous run to stop). */
  note(kind, message) {
    if (!this.done) { this.setState(kind, message); }
  }
}

/** A new RunView: the one way run.js and the tests make a run's panel. */
export function create(parent, label, send) { return new RunView(parent, label, send); }
