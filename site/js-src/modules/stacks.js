/* Stacks: a process's answer to "where are you?" (a "stack" frame, docs/protocol.md),
   as the page shows it under the process's lane. The reader's own frames (those the
   runtime gives a source line: their files) are highlighted; a run of frames inside
   the standard library that passes through multiprocessing is folded to one line
   saying what the process waits in (join, Queue.get, a lock's acquire, the feeder
   thread's send_bytes...), and unfolds on a click. Text only, never HTML. */
import { el } from "./dom.js";

/** The threads of a stack text: [{ name, frames: [{ file, line, func, source }] }], most recent call first. */
export function parse(text) {
  const threads = [];
  let thread = null;
  for (const raw of String(text || "").split("\n")) {
    const head = /^(?:Current thread|Thread) (0x[0-9a-f]+)(?: '(.*)')? \(most recent call first\):$/.exec(raw);
    const frame = /^ {2}File "(.*)", line (\d+) in (.*)$/.exec(raw);
    if (head) {
      thread = { id: head[1], name: head[2] || null, frames: [] };
      threads.push(thread);
    } else if (frame && thread) {
      thread.frames.push({ file: frame[1], line: Number(frame[2]), func: frame[3], source: null });
    } else if (/^ {4}\S/.test(raw) && thread && thread.frames.length) {
      thread.frames[thread.frames.length - 1].source = raw.trim();
    } else if (raw === "  ..." && thread) {
      thread.frames.push({ file: "", line: 0, func: "… (more frames)", source: null });
    }
  }
  return threads;
}

function module(file) {
  const found = /\/multiprocessing\/(\w+)\.py$/.exec(file);
  return found ? found[1] : null;
}

function base(file) { return file.split("/").pop(); }

/* What a process waits in, from the frames of one folded run (innermost first).
   Each rule names a place in CPython's multiprocessing (3.11-3.13). */
const WAITS = [
  [(f) => f.some((x) => x.func === "_feed") && f.some((x) => module(x.file) === "connection"),
    "send_bytes, in the queue's feeder thread: the pipe is full until another process reads the queue"],
  [(f) => f.some((x) => x.func === "_finalize_join"),
    "the Queue's join at exit: its feeder thread still has data to hand over"],
  [(f) => f.some((x) => module(x.file) === "process" && x.func === "join"), "join: waiting for a process to end"],
  [(f) => f.some((x) => module(x.file) === "queues" && x.func === "get"), "Queue.get: waiting for an item"],
  [(f) => f.some((x) => module(x.file) === "synchronize" && (x.func === "__enter__" || x.func === "acquire")),
    "a lock's acquire: waiting for another process to release it"],
  [(f) => f.some((x) => module(x.file) === "synchronize" && x.func === "wait"),
    "wait: an Event, a Condition or a Barrier"],
  [(f) => f.some((x) => module(x.file) === "pool"), "a pool: waiting for its workers' results"],
  [(f) => f.some((x) => module(x.file) === "managers"), "a call to the manager's process"],
  [(f) => f.some((x) => module(x.file) === "connection" && /recv|poll/.test(x.func)),
    "recv: waiting for data on a pipe"],
  [(f) => f.some((x) => module(x.file) === "resource_tracker"), "the resource tracker, waiting for messages"],
  [(f) => f.some((x) => module(x.file) === "forkserver"), "the forkserver, waiting for requests"],
];

/** What the frames of a fold (innermost first) wait in, in plain words. */
export function waitsIn(frames) {
  for (const [test, words] of WAITS) { if (test(frames)) { return words; } }
  const inner = frames.find((x) => module(x.file)) || frames[0];
  return "in " + inner.func + " (" + (module(inner.file) ? "multiprocessing/" : "") + base(inner.file) + ")";
}

/** The frames of a thread, with each run of library frames through multiprocessing folded. */
export function fold(frames) {
  const items = [];
  let run = [];
  const close = () => {
    if (run.some((x) => module(x.file))) {
      items.push({ fold: run, words: waitsIn(run) });
    } else {
      for (const x of run) { items.push({ frame: x }); }
    }
    run = [];
  };
  for (const frame of frames) {
    if (frame.source !== null) { close(); items.push({ frame, own: true }); } else { run.push(frame); }
  }
  close();
  return items;
}

/* A reader's own line that blocks in a C call has no library frame above it. */
function ownWait(frame) {
  if (/\.acquire\(/.test(frame.source || "")) { return "a lock's acquire"; }
  if (/\.join\(/.test(frame.source || "")) { return "join"; }
  if (/\.get\(/.test(frame.source || "")) { return "get"; }
  return null;
}

/** One line about a whole process: what its main thread waits in. */
export function summary(threads) {
  const main = threads[0];
  if (!main || !main.frames.length) { return "no Python frame"; }
  const first = fold(main.frames)[0];
  const words = first.fold ? first.words : (ownWait(first.frame) || "running " + base(first.frame.file) +
    ", line " + first.frame.line);
  const others = threads.length - 1;
  return words + (others > 0 ? " · and " + others + " other thread" + (others > 1 ? "s" : "") : "");
}

function frameLine(frame, own) {
  const line = el("div", "st-frame" + (own ? " own" : ""));
  line.appendChild(el("span", "st-where", base(frame.file) + ", line " + frame.line + ", in " + frame.func));
  if (frame.source) { line.appendChild(el("code", "st-source", frame.source)); }
  line.title = frame.file;
  return line;
}

/** The element of one "stack" frame: a heading line, then each thread, folded. */
export function render(stack, colour) {
  const box = el("div", "st-box");
  box.setAttribute("data-pid", String(stack.pid));
  const head = el("div", "st-head");
  head.appendChild(el("span", "proc-badge p" + colour, stack.process || "process"));
  box.appendChild(head);
  if (stack.text === null || stack.text === undefined) {
    box.classList.add("silent");
    head.appendChild(el("span", "st-summary", "pid " + stack.pid + " did not answer: it may block the " +
      "signal that asks, or be inside one long call in C, which Python cannot interrupt"));
    return box;
  }
  const threads = parse(stack.text);
  head.appendChild(el("span", "st-summary", "pid " + stack.pid + " · waits in " + summary(threads)));
  for (const thread of threads) {
    const block = el("div", "st-thread");
    block.appendChild(el("div", "st-thread-name", "Thread " + (thread.name || thread.id) + ", most recent call first"));
    for (const item of fold(thread.frames)) {
      if (item.fold) {
        const details = el("details", "st-fold");
        details.appendChild(el("summary", null, "multiprocessing: " + item.words + " (" + item.fold.length +
          " frame" + (item.fold.length > 1 ? "s" : "") + ")"));
        for (const frame of item.fold) { details.appendChild(frameLine(frame, false)); }
        block.appendChild(details);
      } else {
        block.appendChild(frameLine(item.frame, item.own));
      }
    }
    box.appendChild(block);
  }
  return box;
}
