"""Output assembly: from the bytes a run's processes write to the chunks a reader sees.

Pieces arrive per writer (stream, pid, process name): tagged ones from the record
pipe, untagged ones (pid None) from fds 1 and 2. ``Output`` joins adjacent pieces
of one writer, cuts the whole at the run's output limit (with a marker line),
decodes UTF-8 per writer (a character split across writes stays whole; bad bytes
become U+FFFD), and reports whole lines, one chunk each, holding a trailing
partial line for a moment so that one print() arrives as one chunk.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from typing import Any

from mpbook.engine.runs import OutputChunk

Piece = tuple[str, int | None, str | None, bytes]  # stream, pid, process name, data
Writer = tuple[str, int | None]  # stream, pid


class Output:
    """The output of one run. Not thread-safe: the run's own thread drives it.

    ``now`` gives milliseconds since the run started; ``report`` is called with each
    chunk; ``cut`` once, when the output limit is reached."""

    def __init__(self, limit: int, now: Callable[[], float], report: Callable[[OutputChunk], None],
                 cut: Callable[[], None]) -> None:
        self.limit = limit
        self.chunks: list[OutputChunk] = []
        self._left = limit
        self._now = now
        self._report = report
        self._cut = cut
        self._decoders: dict[Writer, codecs.IncrementalDecoder] = {}
        self._partials: dict[Writer, tuple[str | None, str, float]] = {}  # name, text, t

    def text(self, stream: str) -> str:
        """All of ``stream`` reported so far, as the page shows it (``as_shown``)."""
        return as_shown(self.chunks, stream)

    def deliver(self, pieces: list[Piece], ending: bool = False) -> None:
        """Join adjacent pieces from one writer, cut at the output limit, decode, report.

        ``ending``: the run is already ending for another reason, so output that
        merely reaches the limit (without going over it) does not cut it."""
        merged: list[list[Any]] = []
        for stream, pid, name, data in pieces:
            if merged and merged[-1][:3] == [stream, pid, name]:
                merged[-1][3] += data
            else:
                merged.append([stream, pid, name, data])
        cut = False
        for stream, pid, name, data in merged:
            if self._left <= 0:
                break
            if len(data) > self._left:
                data, cut = data[:self._left], True
            self._left -= len(data)
            decoder = self._decoders.setdefault((stream, pid), codecs.getincrementaldecoder("utf-8")("replace"))
            self._write(stream, pid, name, decoder.decode(data))
        if cut or (self._left <= 0 and merged and not ending):
            self._left = 0
            self.flush()
            size = f"{self.limit // 1024} KiB" if self.limit % 1024 == 0 else f"{self.limit} bytes"
            self._emit("stderr", f"\n[output cut: the run printed more than {size}]\n", None, None)
            self._cut()

    def flush(self, older_than: float = 0) -> None:
        """Report every held partial line held for ``older_than`` ms or more."""
        now = self._now()
        for writer in list(self._partials):
            if now - self._partials[writer][2] >= older_than:
                self._flush_one(writer)

    def flush_process(self, pid: int) -> None:
        """Report the partial lines process ``pid`` left (it exited)."""
        for stream in ("stdout", "stderr"):
            if (stream, pid) in self._partials:
                self._flush_one((stream, pid))

    def finish(self) -> None:
        """The run is over: decode what the decoders hold, report every partial line."""
        if self._left > 0:
            for (stream, pid), decoder in self._decoders.items():
                held = self._partials.get((stream, pid))
                self._write(stream, pid, held[0] if held else None, decoder.decode(b"", True))
        self.flush()

    def _write(self, stream: str, pid: int | None, name: str | None, text: str) -> None:
        """Report whole lines, one chunk each; hold a trailing partial line for a moment.

        A print() reaches the pipe as several writes that may arrive in separate
        reads; holding the partial line keeps a printed line in one chunk."""
        other = ("stderr" if stream == "stdout" else "stdout", pid)
        if other in self._partials:
            self._flush_one(other)  # keep this writer's streams in order
        held = self._partials.pop((stream, pid), None)
        since = held[2] if held else self._now()
        lines = ((held[1] if held else "") + text).split("\n")
        for line in lines[:-1]:
            self._emit(stream, line + "\n", pid, name, since)
            since = self._now()
        if lines[-1]:
            self._partials[(stream, pid)] = (name, lines[-1], since)

    def _flush_one(self, writer: Writer) -> None:
        name, text, since = self._partials.pop(writer)
        self._emit(writer[0], text, writer[1], name, since)

    def _emit(self, stream: str, text: str, pid: int | None, name: str | None, t: float | None = None) -> None:
        if text:
            chunk = OutputChunk(stream, text, pid, name, self._now() if t is None else t)
            self.chunks.append(chunk)
            self._report(chunk)


def as_shown(chunks: list[OutputChunk], stream: str) -> str:
    """One stream's text as the page shows it: every process's lines whole, in the order they began.

    A partial line reported after its delay (Output._write) is continued by the next chunk
    of the same process, even when other processes' lines were reported in between;
    the page's output.js joins them the same way."""
    lines: list[list[str]] = []
    open_lines: dict[int | None, list[str]] = {}
    for chunk in chunks:
        if chunk.stream != stream:
            continue
        for piece in re.findall(r"[^\n]*\n|[^\n]+", chunk.data):
            line = open_lines.pop(chunk.pid, None)
            if line is None:
                line = []
                lines.append(line)
            line.append(piece)
            if not piece.endswith("\n"):
                open_lines[chunk.pid] = line
    return "".join("".join(line) for line in lines)
