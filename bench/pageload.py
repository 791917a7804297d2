"""(4) A lesson page's first load: bytes transferred, and time until the first Run is possible.

Each sample is a fresh browser context (empty cache, no storage) loading the
first lesson. Time runs from the moment the page's HTML had arrived to the
page's own User Timing mark ``mpbook:run-ready``, which it sets when the
WebSocket's hello has enabled the Run buttons. Its reference, in the same run
and the same browser, is the floor: a bare page, fulfilled by the benchmark at
the server's address, whose one inline script opens the same socket and marks
its first message. A page can be no quicker than that.

Bytes are what Chromium reports as transferred for every request (CDP
Network.loadingFinished encodedDataLength: compressed bodies plus headers),
taken in loads of their own, since the DevTools protocol slows the page; the
WebSocket's frames are not counted. The page loads the editor bundle only when
a reader reaches for the code, so it is then fetched the way a click on the
code would (MPBook.editor.loadBundle) and counted in a second row, the one the
target applies to.
"""

from __future__ import annotations

from typing import Any

from .common import BenchError, Report, Row, Stats, chromium, get_json, ms, serve, stats_text, verdict

TARGET_KB = 250.0
READY_TARGET_MS = 50.0  # Run enabled at most this long after the HTML arrived (issue #11)
KB = 1000  # decimal kilobytes: the stricter reading of the target
READY_MARK = "mpbook:run-ready"  # set by site/js-src/modules/run.js, and by the floor page

FLOOR_PATH = "/__bench/floor"
FLOOR_PAGE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>floor</title><script>
  const socket = new WebSocket("ws://" + location.host + "/ws");
  socket.onmessage = () => {{
    if (!performance.getEntriesByName("{READY_MARK}").length) {{ performance.mark("{READY_MARK}"); }}
  }};
</script></head><body><p>The benchmark's bare page.</p></body></html>"""

# The floor page's HTML comes from the benchmark, not from a loopback address, so Chromium's
# Local Network Access checks would refuse its socket to the server.
FLOOR_BROWSER_ARGS = ("--disable-features=LocalNetworkAccessChecks",)

# From the HTML's arrival to the mark, once the mark is there.
AFTER_HTML = f"""() => {{
  const navigation = performance.getEntriesByType("navigation")[0];
  return [performance.getEntriesByName("{READY_MARK}")[0].startTime - navigation.responseEnd, navigation.responseEnd];
}}"""


class _Traffic:
    """Bytes of every request of one page, from the DevTools protocol."""

    def __init__(self, session: Any) -> None:
        self.transferred: dict[str, int] = {}
        self.decoded: dict[str, int] = {}
        self.urls: dict[str, str] = {}
        session.on("Network.requestWillBeSent", self._sent)
        session.on("Network.dataReceived", self._data)
        session.on("Network.loadingFinished", self._finished)
        session.send("Network.enable")
        # No cache, whatever the context would otherwise do: every byte is a first load's.
        session.send("Network.setCacheDisabled", {"cacheDisabled": True})

    def _sent(self, event: dict[str, Any]) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _data(self, event: dict[str, Any]) -> None:
        self.decoded[event["requestId"]] = self.decoded.get(event["requestId"], 0) + int(event["dataLength"])

    def _finished(self, event: dict[str, Any]) -> None:
        self.transferred[event["requestId"]] = int(event["encodedDataLength"])

    def total(self) -> tuple[int, int]:
        """Bytes transferred and bytes of bodies after decoding, over finished requests."""
        return sum(self.transferred.values()), sum(self.decoded.get(r, 0) for r in self.transferred)

    def largest(self) -> tuple[str, int]:
        request = max(self.transferred, key=lambda r: self.transferred[r])
        return self.urls.get(request, "?"), self.transferred[request]


def _ready(browser: Any, base: str, path: str, floor: bool = False) -> tuple[float, float]:
    """One fresh load of ``path``: ms from its HTML to its mark, and ms from navigation to its HTML."""
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    try:
        if floor:
            context.route(base + FLOOR_PATH, lambda route: route.fulfill(body=FLOOR_PAGE, content_type="text/html"))
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(path, wait_until="load")
        page.wait_for_function(f"() => performance.getEntriesByName('{READY_MARK}').length > 0")
        after, html = page.evaluate(AFTER_HTML)
        return float(after), float(html)
    finally:
        context.close()


def _bytes(browser: Any, base: str, lesson: str) -> tuple[int, int, int, int, tuple[str, int]]:
    """One fresh load's bytes (transferred, decoded), without and with the editor bundle."""
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        traffic = _Traffic(context.new_cdp_session(page))
        page.goto(f"/lessons/{lesson}", wait_until="load")
        page.wait_for_function(f"() => performance.getEntriesByName('{READY_MARK}').length > 0")
        page.wait_for_load_state("networkidle")
        page_bytes, page_decoded = traffic.total()
        page.evaluate("() => MPBook.editor.loadBundle().then(() => true)")
        page.wait_for_load_state("networkidle")
        all_bytes, all_decoded = traffic.total()
        if all_bytes <= page_bytes:
            raise BenchError("loading the editor bundle transferred nothing")
        return page_bytes, page_decoded, all_bytes, all_decoded, traffic.largest()
    finally:
        context.close()


def measure(short: bool) -> Report:
    count = 3 if short else 12
    report = Report()
    with serve() as base:
        lesson = get_json(base + "/api/examples")[0]["lesson"]
        with chromium(FLOOR_BROWSER_ARGS) as browser:
            _ready(browser, base, f"/lessons/{lesson}")  # a new browser's first page pays for its own start
            ready, floor = [], []
            for _ in range(count):  # alternating, so that both see the same machine
                ready.append(_ready(browser, base, f"/lessons/{lesson}"))
                floor.append(_ready(browser, base, FLOOR_PATH, floor=True))
            sizes = [_bytes(browser, base, lesson) for _ in range(2)]
    after = Stats.of([r[0] for r in ready])
    bare = Stats.of([f[0] for f in floor])
    html = Stats.of([r[1] for r in ready])
    page_kb = Stats.of([s[0] / KB for s in sizes])
    all_kb = Stats.of([s[2] / KB for s in sizes])
    page_decoded, all_decoded = sizes[-1][1] / KB, sizes[-1][3] / KB
    largest_url, largest = sizes[-1][4]
    report.rows += [
        Row(f"lesson page /lessons/{lesson}: Run enabled after its HTML arrived", after, "ms",
            reference=f"bare page with a socket {stats_text(bare, 'ms')}; HTML at {ms(html.median)}",
            comparison=f"{after.median - bare.median:+.1f} ms over the bare page",
            target=f"≤ {READY_TARGET_MS:g} ms", verdict=verdict(after.median <= READY_TARGET_MS)),
        Row("lesson page: bytes transferred, first load", page_kb, "KB",
            reference=f"{page_decoded:.1f} KB decoded"),
        Row("lesson page: bytes transferred, with editor bundle", all_kb, "KB",
            reference=f"{all_decoded:.1f} KB decoded", comparison=f"{all_kb.median / TARGET_KB:.2f}× target",
            target=f"< {TARGET_KB:g} KB", verdict=verdict(all_kb.median < TARGET_KB)),
    ]
    report.notes.append(
        f"Page load: {count} fresh Chromium contexts (after one not counted) loading /lessons/{lesson} "
        f"from the server on loopback, each followed by one loading the bare page (its HTML fulfilled by "
        f"the benchmark, its socket the server's); time = the page's {READY_MARK!r} mark minus the HTML's "
        f"responseEnd. Bytes from 2 more loads with the DevTools protocol on, cache off; KB = 1000 bytes, "
        f"transferred = bodies as sent plus headers. Largest response: {largest_url} "
        f"({largest / KB:.1f} KB transferred).")
    return report
