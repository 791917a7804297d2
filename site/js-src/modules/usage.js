/* Usage: the "cores busy" strip under a run's timeline, from the "usage" frames
   (docs/protocol.md): one bar per sample, as tall as the cores the run kept busy
   over that interval, on the timeline's time scale; and the peaks in words, which
   are also the strip's accessible name. */
import { el } from "./dom.js";

function mib(bytes) { return (bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 1 : 0) + " MiB"; }
function cores(n) { return n.toFixed(1) + (n.toFixed(1) === "1.0" ? " core" : " cores"); }

export class UsageStrip {
  constructor(parent) {
    this.root = el("div", "usage");
    this.root.hidden = true;
    const head = el("div", "us-head");
    head.appendChild(el("span", "us-title", "Cores busy"));
    this.peaks = el("span", "us-peaks", "");
    head.appendChild(this.peaks);
    this.root.appendChild(head);
    this.track = el("div", "us-track");
    this.track.setAttribute("role", "img");
    this.root.appendChild(this.track);
    parent.appendChild(this.root);
    this.last = 0;
    this.peakCpu = 0;
    this.peakMemory = 0;
    this.scale = 1;
  }

  /** One usage frame: a bar from the previous sample's time to this one's. */
  add(frame) {
    const cpu = Math.max(0, Number(frame.cpu) || 0);
    const t = Number(frame.t) || 0;
    const bar = el("span", "us-bar");
    bar.style.setProperty("--s", String(this.last));
    bar.style.setProperty("--e", String(t));
    bar.style.setProperty("--v", String(cpu));
    this.track.appendChild(bar);
    this.last = t;
    this.peakCpu = Math.max(this.peakCpu, cpu);
    this.peakMemory = Math.max(this.peakMemory, Number(frame.memory) || 0);
    const scale = Math.max(1, Math.ceil(this.peakCpu));
    if (scale !== this.scale) { this.scale = scale; this.root.style.setProperty("--scale", String(scale)); }
    this.root.hidden = false;
    this.describe();
  }

  describe() {
    const words = "peak " + cores(this.peakCpu) + " busy · peak memory " + mib(this.peakMemory);
    this.peaks.textContent = words;
    this.track.setAttribute("aria-label", "Cores busy over the run, up to " + this.scale + ": " + words);
  }

  /** Follow the timeline's scale: `total` ms across. */
  scaleTo(total) { this.root.style.setProperty("--total", String(Math.max(total, 1))); }
}
