"""(1) Click to first output of ``print("hi")``, against a bare interpreter start.

Raw WebSocket: one connection sends runs of an example whose code is replaced by
``print("hi")`` and times send → first ``output`` frame, with a warm sandbox
(the default) and, for context, without (MPBOOK_WARM_SANDBOXES=0). Browser: the
lesson page, with that edit kept in localStorage, clicked in Chromium; timed in
the page from the click event to the first output line in the DOM.
"""

from __future__ import annotations

import time

from .common import (
    HELLO,
    INTERPRETER,
    BenchError,
    Report,
    Row,
    Stats,
    bare_start_ms,
    chromium,
    get_json,
    plain_example,
    serve,
    socket_to,
    stats_text,
    verdict,
)

TARGET_RATIO = 1.5
DRAW_TARGET_MS = 2.0  # from an output frame's message to its line in the DOM (p95)
# The warm pool refills in the background after each run; a sample taken before
# it has would measure a cold start.
REFILL_PAUSE = 0.3


def _socket_samples(base: str, example: str, count: int) -> tuple[list[float], list[float]]:
    """Send → first output frame of ``print("hi")``, each beside a bare interpreter start."""
    firsts: list[float] = []
    bare: list[float] = []
    with socket_to(base) as client:
        for _ in range(count):
            time.sleep(REFILL_PAUSE)
            bare.append(bare_start_ms())
            firsts.append(client.first_output_ms(example))
    return firsts, bare


# In the page: the click's time (capture phase, before the page's own handler) and
# the time the first output line is in the DOM, seen by a MutationObserver.
ARM = """(id) => {
  const figure = document.querySelector(`figure.example[data-example="${id}"]`);
  const button = figure.querySelector("button.run");
  const panel = figure.querySelector(".example-run");
  const sample = { clicked: null, frame: null, line: null, stamp: null };
  window.__bench = sample;
  button.addEventListener("click", () => { sample.clicked = performance.now(); }, { capture: true, once: true });
  MPBook.connection.on("output", () => { if (sample.frame === null) { sample.frame = performance.now(); } });
  const observer = new MutationObserver(() => {
    if (sample.clicked !== null && sample.line === null && panel.querySelector(".line")) {
      sample.line = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(panel, { childList: true, subtree: true, characterData: true });
}"""
DONE = "() => window.__bench.line !== null && MPBook.run.active() === null"

# Before the page's scripts: every socket notes when the first output frame's message
# event was made (MessageEvent.timeStamp, the clock of performance.now()), before any
# handler of the page sees it; so "frame → line" is what the page takes to draw it.
STAMP = """(() => {
  const Socket = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Socket(...args);
    ws.addEventListener("message", (event) => {
      const sample = window.__bench;
      if (sample && sample.stamp === null && /"type": ?"output"/.test(String(event.data))) {
        sample.stamp = event.timeStamp;
      }
    });
    return ws;
  };
  window.WebSocket.prototype = Socket.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})();"""

# The page's own floor: while window.__benchEcho is set, a run sent on the page's
# socket is answered at once, in the page, with the frames the server would send
# (each in its own task, as socket messages come), and never reaches the server.
ECHO = """() => {
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    const frame = JSON.parse(data);
    if (!window.__benchEcho || frame.op !== "run") { return send.call(this, data); }
    const socket = this;
    const frames = [
      { type: "started", run: "echo", example: frame.example, sandbox: "bwrap", limits: {}, start_method: "fork" },
      { type: "process", event: "start", pid: 1, ppid: null, name: "MainProcess", t: 0, exitcode: null },
      { type: "output", stream: "stdout", data: "hi\\n", t: 0, pid: 1, process: "MainProcess" },
      { type: "process", event: "exit", pid: 1, ppid: null, name: "MainProcess", t: 0, exitcode: 0 },
      { type: "exit", code: 0, reason: "ok", t: 0, message: "Finished." },
    ];
    frames.forEach((f) => setTimeout(
      () => socket.dispatchEvent(new MessageEvent("message", { data: JSON.stringify(f) })), 0));
  };
}"""


def _browser_samples(base: str, example: str, count: int) -> tuple[list[float], list[float], list[float], list[float],
                                                                   list[float]]:
    """Click → first output line in the page, → output frame received, the same with the
    server's answer echoed in the page (the page's floor), bare starts between them, and
    each output frame's message → its line in the DOM."""
    lesson = get_json(f"{base}/api/examples/{example}")["lesson"]
    lines: list[float] = []
    frames: list[float] = []
    floor: list[float] = []
    bare: list[float] = []
    drawn: list[float] = []
    with chromium() as browser:
        context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
        # The page sends kept edits as the run's code, as it would for a reader.
        context.add_init_script(f"localStorage.setItem('mpbook.edit.{example}', {HELLO!r});")
        context.add_init_script(STAMP)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"/lessons/{lesson}")
        figure = page.locator(f'figure.example[data-example="{example}"]')
        figure.locator("button.run:enabled").wait_for()
        # A kept edit mounts the editor; let that finish before timing anything.
        page.locator(f'figure.example[data-example="{example}"].editor-ready').wait_for()
        figure.scroll_into_view_if_needed()
        page.evaluate(ECHO)
        # Real and echoed runs alternate; the first of each warms the page's code paths: not counted.
        for number in range(2 * (count + 1)):
            echo = number % 2 == 1
            time.sleep(REFILL_PAUSE)
            if number > 1 and not echo:
                bare.append(bare_start_ms())
            page.evaluate(f"() => {{ window.__benchEcho = {str(echo).lower()}; }}")
            page.evaluate(ARM, example)
            figure.locator("button.run").click()
            page.wait_for_function(DONE)
            sample = page.evaluate("() => window.__bench")
            if number > 1:
                if echo:
                    floor.append(sample["line"] - sample["clicked"])
                else:
                    lines.append(sample["line"] - sample["clicked"])
                    frames.append(sample["frame"] - sample["clicked"])
                    drawn.append(sample["line"] - sample["stamp"])
            text = figure.locator(".run-output").inner_text()
            if "hi" not in text:
                raise BenchError(f"the page did not show the output of print(\"hi\"): {text!r}")
    return lines, frames, floor, bare, drawn


def _back_to_back(count: int) -> list[float]:
    """Bare starts one after another, with no idle time between them."""
    bare_start_ms()  # page the binary in
    return [bare_start_ms() for _ in range(count)]


def measure(short: bool) -> Report:
    """Rows for the raw WebSocket (warm, cold) and the browser, each with its bare starts."""
    count = 3 if short else 30
    report = Report()
    bare = Stats.of(_back_to_back(count))
    with serve({"MPBOOK_WARM_SANDBOXES": "1"}) as base:
        example = plain_example(base)
        with socket_to(base) as client:
            sandbox = f"{client.hello['sandbox']} ({'contained' if client.hello['contained'] else 'not contained'})"
        warm, warm_bare = _socket_samples(base, example, count)
        lines, frames, floor, browser_bare, drawn = _browser_samples(base, example, count)
    with serve({"MPBOOK_WARM_SANDBOXES": "0"}) as base:
        cold, cold_bare = _socket_samples(base, example, count)

    def row(name: str, samples: list[float], idle_samples: list[float], target: bool) -> Row:
        stats, idle = Stats.of(samples), Stats.of(idle_samples)
        ratio = stats.median / bare.median
        return Row(name, stats, "ms", reference=f"bare after idle {stats_text(idle, 'ms')}",
                   comparison=f"{ratio:.2f}× ({stats.median / idle.median:.2f}× after idle)",
                   target=f"≤ {TARGET_RATIO}× bare" if target else "",
                   verdict=verdict(ratio <= TARGET_RATIO) if target else "—")

    report.rows += [
        Row("bare start -I -S -c pass, back to back", bare, "ms"),
        row('print("hi"), raw WebSocket, warm', warm, warm_bare, True),
        row('print("hi"), browser click → line', lines, browser_bare, True),
        row('print("hi"), browser click → frame', frames, browser_bare, False),
        row("browser click → line, answered in the page", floor, browser_bare, False),
        Row('print("hi"), browser output frame → line in the DOM', Stats.of(drawn), "ms",
            reference=f"click → frame {stats_text(Stats.of(frames), 'ms')}",
            comparison=f"{Stats.of(drawn).median:.1f} ms after its frame", target=f"p95 ≤ {DRAW_TARGET_MS:g} ms",
            verdict=verdict(Stats.of(drawn).p95 <= DRAW_TARGET_MS)),
        row('print("hi"), raw WebSocket, cold', cold, cold_bare, False),
    ]
    report.notes.append(
        f"Startup: the server's sandbox is {sandbox}. Example {example!r} with its code replaced by "
        f"print(\"hi\"), each run after "
        f"{REFILL_PAUSE:g} s idle, as a reader's click comes. Bare start is `{INTERPRETER} -I -S -c pass`: back to "
        "back (the ratio and the verdict use it, the stricter), and after the same idle time, sampled between "
        "the runs (the reference column). \"click → frame\" is when the page's socket handed over the output "
        "frame; \"click → line\" when the line was in the DOM; \"answered in the page\" is the same click with "
        "the server's frames made in the page at once: what the browser itself takes. "
        "The cold row (MPBOOK_WARM_SANDBOXES=0) is context, not a target.")
    return report
