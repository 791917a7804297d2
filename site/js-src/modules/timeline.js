/* Timeline: one lane per process of a run, a bar from its start to its exit
   (growing while it runs), its exit code at the end, and a tick at each moment
   it printed. Drawn with DOM elements whose positions are CSS calculations on
   custom properties, so a live update changes one number (--total) rather than
   every element. A visually hidden table says the same for screen readers
   (the drawn lanes are hidden from them). A process's stack, when asked for,
   sits in a slot right under its lane, readable by all.
   output.js feeds it; it never reads frames itself. */
import { clear, el } from "./dom.js";

const TICK_MS = 40;          /* ticks closer than this in one lane share a mark */
const MAX_TICKS = 400;       /* per lane; beyond it marks merge further */

/** Milliseconds as seconds for people: "1.25 s", "12.5 s", or "–" when unknown. */
export function seconds(ms) {
  if (ms === null || ms === undefined) { return "–"; }
  const s = ms / 1000;
  return (s < 10 ? s.toFixed(2) : s.toFixed(1)) + " s";
}

/** A timeline drawn into `parent`; `label` names the run for the table caption. */
export class Timeline {
  constructor(parent, label) {
    this.root = el("div", "timeline");
    this.root.hidden = true;
    const head = el("div", "tl-head");
    head.appendChild(el("span", "tl-title", "Timeline"));
    this.scale = el("span", "tl-scale", "");
    head.appendChild(this.scale);
    this.root.appendChild(head);
    this.lanes = el("div", "tl-lanes");
    this.root.appendChild(this.lanes);
    this.table = el("table", "visually-hidden");
    this.table.appendChild(el("caption", null, "Processes of " + (label || "this run") + ", in the order they started"));
    const headRow = el("tr");
    for (const h of ["Process", "PID", "Started", "Ended", "Exit code", "Lines printed"]) {
      const th = el("th", null, h);
      th.setAttribute("scope", "col");
      headRow.appendChild(th);
    }
    const thead = el("thead");
    thead.appendChild(headRow);
    this.table.appendChild(thead);
    this.tbody = el("tbody");
    this.table.appendChild(this.tbody);
    this.root.appendChild(this.table);
    parent.appendChild(this.root);
    this.byPid = {};
    this.total = 1;
  }

  /** Add or refresh the lane of process `proc` (a record kept by output.js). */
  lane(proc) {
    let lane = this.byPid[proc.pid];
    if (!lane) {
      lane = { row: el("div", "tl-lane"), ticks: {}, tickCount: 0, tickStep: TICK_MS };
      lane.label = el("span", "tl-label");
      lane.name = el("span", "tl-name");
      lane.pid = el("span", "tl-pid");
      lane.label.appendChild(lane.name);
      lane.label.appendChild(lane.pid);
      lane.track = el("span", "tl-track");
      lane.bar = el("span", "tl-bar p" + proc.colour);
      lane.exit = el("span", "tl-exit");
      lane.track.appendChild(lane.bar);
      lane.track.appendChild(lane.exit);
      lane.label.setAttribute("aria-hidden", "true");
      lane.track.setAttribute("aria-hidden", "true");
      lane.row.appendChild(lane.label);
      lane.row.appendChild(lane.track);
      lane.row.setAttribute("data-pid", String(proc.pid));
      this.lanes.appendChild(lane.row);
      this.byPid[proc.pid] = lane;
      this.root.hidden = false;
    }
    lane.name.textContent = proc.name || "process";
    lane.pid.textContent = String(proc.pid);
    lane.bar.style.setProperty("--s", String(proc.start));
    if (proc.end !== null) {
      lane.bar.style.setProperty("--e", String(proc.end));
      lane.row.classList.add("ended");
      lane.exit.textContent = proc.exitcode === null || proc.exitcode === undefined ? "?" : String(proc.exitcode);
      lane.exit.className = "tl-exit " + (proc.exitcode === 0 ? "ok" : "bad");
      lane.exit.style.setProperty("--e", String(proc.end));
    }
    return lane;
  }

  /** The place under the lane of process `pid` (or, for a process with no lane, such as
      the resource tracker, under all lanes) for its stack; emptied for a new one. */
  stackSlot(pid) {
    this.slots = this.slots || {};
    let slot = this.slots[pid];
    if (!slot) {
      slot = el("div", "tl-stack");
      const lane = this.byPid[pid];
      this.lanes.insertBefore(slot, lane ? lane.row.nextSibling : null);
      this.slots[pid] = slot;
      this.root.hidden = false;
    }
    clear(slot);
    return slot;
  }

  /** Mark that process `proc` printed at `t` ms. */
  tick(proc, t, stream) {
    const lane = this.lane(proc);
    const key = lane.tickStep + ":" + Math.floor(t / lane.tickStep);
    if (lane.ticks[key]) {
      if (stream === "stderr") { lane.ticks[key].classList.add("err"); }
      return;
    }
    if (lane.tickCount >= MAX_TICKS) { lane.tickStep *= 2; lane.tickCount = 0; }
    const mark = el("span", "tl-tick" + (stream === "stderr" ? " err" : ""));
    mark.style.setProperty("--t", String(t));
    lane.track.insertBefore(mark, lane.exit);
    lane.ticks[key] = mark;
    lane.tickCount += 1;
  }

  /** Move the time scale to `now` ms; running bars grow to it. */
  scaleTo(now, running) {
    this.total = Math.max(now, 1);
    this.root.style.setProperty("--total", String(this.total));
    this.root.classList.toggle("live", !!running);
    this.scale.textContent = "0 – " + seconds(this.total);
    for (const lane of Object.values(this.byPid)) {
      if (!lane.row.classList.contains("ended")) { lane.bar.style.setProperty("--e", String(this.total)); }
    }
  }

  /** Rewrite the accessible table from the process records, in start order. */
  describe(procs) {
    clear(this.tbody);
    for (const p of procs) {
      const row = el("tr");
      const cells = [p.name || "process", String(p.pid), seconds(p.start), p.end === null ? "still running" : seconds(p.end),
        p.exitcode === null || p.exitcode === undefined ? "–" : String(p.exitcode), String(p.lines)];
      for (const cell of cells) { row.appendChild(el("td", null, cell)); }
      this.tbody.appendChild(row);
    }
  }
}
