"""The checks of an exercise that read the lines a run printed: a multiset of lines, a count,
each of a set of items once, each process's own lines in order, and a happens-before."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from mpbook.book.record import (
    NORMALISERS,
    CheckError,
    Judge,
    Outcome,
    Run,
    Table,
    between,
    count,
    count_range,
    in_range,
    line_filter,
    quote,
    selected,
    some,
)

PID_OF = re.compile(r"<pid of ([^<>]+)>")


def _lines_check(table: Table) -> Judge:
    """The lines as a multiset, equal to ``expect`` after the declared normalisation. In ``expect``,
    ``<pid of NAME>`` stands for the process id, in this run, of the process named NAME."""
    stream, who = line_filter(table)
    expect = table.get("expect", str, required=True).strip("\n").splitlines()
    normalise = table.get("normalise", list, [])
    for name in normalise:
        if name not in NORMALISERS:
            raise CheckError(f"'normalise' takes {' and '.join(NORMALISERS)}, not {name!r}")

    def norm(text: str) -> str:
        for name, (pattern, token) in NORMALISERS.items():  # addresses before the numbers in them
            if name in normalise:
                text = pattern.sub(token, text)
        return text

    def judge(run: Run) -> Outcome:
        pids = {p.name: str(p.pid) for p in run.lifetimes}
        wanted = [PID_OF.sub(lambda m: pids.get(m[1], m[0]), text) for text in expect]
        got = Counter(norm(line.text) for line in selected(run, stream, who))
        want = Counter(norm(text) for text in wanted)
        missing, extra = list((want - got).elements()), list((got - want).elements())
        if not missing and not extra:
            if len(expect) == 1:
                return Outcome(True, f"{quote(wanted[0])} was printed, once.")
            return Outcome(True, f"The {len(expect)} expected lines were all printed, once each.")
        parts = []
        if missing:
            missed = count(len(missing), "expected line was", "expected lines were")
            parts.append(f"{missed} not printed: {some(missing)}")
        if extra:
            parts.append(f"{count(len(extra), 'line was', 'lines were')} printed that should not be: {some(extra)}")
        return Outcome(False, "; ".join(parts) + ".")

    return judge


def _count_check(table: Table) -> Judge:
    """A regular expression that must match a number of whole lines."""
    stream, who = line_filter(table)
    pattern = table.regex("pattern")
    assert pattern is not None
    what = table.get("what", str, f"lines matching {quote(pattern.pattern)}")
    low, high = count_range(table)

    def judge(run: Run) -> Outcome:
        n = sum(1 for line in selected(run, stream, who) if pattern.fullmatch(line.text))
        printed = f"{n} {what} {'was' if n == 1 else 'were'} printed"
        if in_range(n, low, high):
            return Outcome(True, printed + ".")
        return Outcome(False, f"{printed}; there should be {between(low, high)}.")

    return judge


def _each_once_check(table: Table) -> Judge:
    """Each of a set of items printed exactly once: the first group of ``pattern`` names the item."""
    stream, who = line_filter(table)
    pattern = table.regex("pattern")
    assert pattern is not None
    if pattern.groups < 1:
        raise CheckError("'pattern' needs a group, (...), around the item")
    items = [str(item) for item in table.get("items", list, required=True)]

    def judge(run: Run) -> Outcome:
        seen = Counter(m.group(1) for line in selected(run, stream, who) if (m := pattern.fullmatch(line.text)))
        never = [i for i in items if seen[i] == 0]
        twice = [i for i in items if seen[i] > 1]
        strangers = sorted(set(seen) - set(items))
        if not never and not twice and not strangers:
            return Outcome(True, f"One line for each of {some(items)} was printed.")
        parts = []
        if never:
            parts.append(f"no line for {some(never)} was printed")
        if twice:
            parts.append(f"more than one line for {some(twice)} was printed")
        if strangers:
            parts.append(f"lines for {some(strangers)} were printed, which should not be there")
        text = "; ".join(parts)
        return Outcome(False, text[0].upper() + text[1:] + ".")

    return judge


def _program_order_check(table: Table) -> Judge:
    """In each process, the lines matching ``sequence`` come in the sequence's order, all of them."""
    stream, who = line_filter(table)
    raw = table.get("sequence", list, required=True)
    try:
        sequence = [re.compile(str(p)) for p in raw]
    except re.error as error:
        raise CheckError(f"'sequence' holds an invalid regular expression: {error}") from None

    def judge(run: Run) -> Outcome:
        per_process: dict[int | None, list[tuple[int, str]]] = {}
        for line in selected(run, stream, who):
            step = next((i for i, p in enumerate(sequence) if p.fullmatch(line.text)), None)
            if step is not None:
                per_process.setdefault(line.pid, []).append((step, line.text))
        if not per_process:
            return Outcome(False, "No process printed any of the lines in the sequence.")
        for pid, steps in per_process.items():
            order = [s for s, _ in steps]
            if order != list(range(len(sequence))):
                texts = [t for _, t in steps]
                return Outcome(False, f"{run.name_of(pid).capitalize()} printed {some(texts)}, in that order"
                               f"; each process should print {count(len(sequence), 'line')} of the sequence"
                               " once, in order.")
        return Outcome(True, f"Each of {count(len(per_process), 'process', 'processes')} printed its lines in order.")

    return judge


def _after_check(table: Table) -> Judge:
    """Every line matching ``last`` comes after every line matching ``first`` (a happens-before)."""
    stream, who = line_filter(table)
    first, last = table.regex("first"), table.regex("last")
    assert first is not None and last is not None

    def judge(run: Run) -> Outcome:
        lines = selected(run, stream, who)
        befores = [line for line in lines if first.fullmatch(line.text)]
        afters = [line for line in lines if last.fullmatch(line.text)]
        if not befores or not afters:
            lacking = quote(first.pattern) if not befores else quote(last.pattern)
            return Outcome(False, f"No line matching {lacking} was printed.")
        early = min(afters, key=lambda line: line.index)
        late = max(befores, key=lambda line: line.index)
        if early.index > late.index:
            return Outcome(True, f"{quote(early.text)} came after all {count(len(befores), 'line')} it must follow.")
        return Outcome(False, f"{quote(early.text)} was printed before {quote(late.text)}.")

    return judge


LINE_KINDS: dict[str, Callable[[Table], Judge]] = {
    "lines": _lines_check, "count": _count_check, "each_once": _each_once_check,
    "program_order": _program_order_check, "after": _after_check,
}
