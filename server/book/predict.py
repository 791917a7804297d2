""""Predict, then run": a multiple-choice question a lesson asks before one of its examples runs.

A lesson declares it with a fence whose info string is ``predict <example id>`` and whose
body is TOML (docs/content.md, "Predict, then run")::

    question = "Which line comes first?"
    explain = "Parent and child run at the same time; nothing orders their lines."
    [[choices]]
    text = "carrying on..."
    when = '^carrying on'       # this run showed this choice if the pattern is found in stdout
    [[choices]]
    text = "running this process..."
    when = '^running this process'

After a run the page finds the choice whose ``when`` the run's output matches (a choice
without ``when`` is what the run showed when no other choice matched) and says whether it
is the one the reader picked. A pattern is searched for in the whole stdout without flags,
so ``^`` is the start of the output and ``.`` stops at a line break (``[\\s\\S]`` does not).
The patterns are read by Python here, to check them, and by the browser's RegExp on the
page, so they use the syntax the two share.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

from mpbook.book.errors import ContentError

PREDICT_FENCE = re.compile(r"^```predict[ \t]+(?P<id>[a-z0-9][a-z0-9-]*)[ \t]*\n(?P<body>.*?)^```[ \t]*$",
                           re.MULTILINE | re.DOTALL)
PYTHON_ONLY = re.compile(r"\(\?P|\\A|\\Z|\$|\(\?[aiLmsux-]+\)")  # spellings the browser's RegExp reads otherwise


@dataclass(frozen=True)
class Choice:
    text: str
    when: str | None  # a regex searched for in the run's stdout; None: "none of the others"


@dataclass(frozen=True)
class Prediction:
    example: str
    question: str
    choices: tuple[Choice, ...]
    explain: str  # shown after the run; Markdown

    def as_json(self) -> dict[str, Any]:
        return {"example": self.example, "question": self.question, "explain": self.explain,
                "choices": [{"text": c.text, "when": c.when} for c in self.choices]}


def parse_predictions(lesson: str, text: str) -> list[Prediction]:
    """Every predict fence of a lesson's Markdown, checked."""
    return [parse_one(f"lesson {lesson}, predict {m['id']}", m["id"], m["body"]) for m in PREDICT_FENCE.finditer(text)]


def parse_one(where: str, example: str, body: str) -> Prediction:
    """One fence's body; ContentError says ``where`` and what is wrong."""
    try:
        data = tomllib.loads(body)
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{where}: {error}") from None
    unknown = sorted(set(data) - {"question", "choices", "explain"})
    if unknown:
        raise ContentError(f"{where}: unknown key {', '.join(map(repr, unknown))}; "
                           "the keys are question, choices, explain")
    question, explain = data.get("question"), data.get("explain", "")
    if not isinstance(question, str) or not question.strip():
        raise ContentError(f"{where}: 'question' is required and must be text")
    if not isinstance(explain, str):
        raise ContentError(f"{where}: 'explain' must be text")
    raw = data.get("choices")
    if not isinstance(raw, list) or len(raw) < 2:
        raise ContentError(f"{where}: it needs at least two [[choices]], each with 'text' and, but for one, 'when'")
    choices = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or set(item) - {"text", "when"}:
            raise ContentError(f"{where}, choice {i}: a choice has 'text' and optionally 'when', nothing else")
        when = item.get("when")
        if when is not None:
            if not isinstance(when, str):
                raise ContentError(f"{where}, choice {i}: 'when' must be a regular expression")
            try:
                re.compile(when)
            except re.error as error:
                raise ContentError(f"{where}, choice {i}: 'when' is not a valid regular expression: {error}") from None
            if PYTHON_ONLY.search(when):
                raise ContentError(f"{where}, choice {i}: 'when' uses a spelling the browser reads otherwise "
                                   "((?P<...>, \\A, \\Z, $ or inline flags); ^ is the start of the output")
        choices.append(Choice(item["text"], when))
    if sum(c.when is None for c in choices) > 1:
        raise ContentError(f"{where}: only one choice may leave out 'when' (it stands for 'none of the others')")
    return Prediction(example, question, tuple(choices), explain)
