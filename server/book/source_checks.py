"""The checks of an exercise that read the program's source (its AST), not a run.

They say why they ask what they ask in the check's ``advice``; what they observe
(a missing guard, an API used or not, and on which line) they say themselves.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from mpbook.book.record import CheckError, Outcome, Table

SourceJudge = Callable[[str], Outcome]


def parse(source: str) -> ast.Module | Outcome:
    """The module's AST, or the failed Outcome that says why it does not parse."""
    try:
        return ast.parse(source, "main.py")
    except SyntaxError as error:
        return Outcome(False, f"The program does not parse: {error.msg} (line {error.lineno}).")
    except ValueError as error:  # e.g. a NUL byte
        return Outcome(False, f"The program does not parse: {error}.")


def _is_main_guard(node: ast.stmt) -> bool:
    """``if __name__ == '__main__':`` (either way round)."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    texts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return len(names) == 1 and len(texts) == 1


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local names bound by imports, mapped to what they stand for (``sleep`` -> ``time.sleep``)."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.partition(".")[0]
                found[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def _uses(nodes: list[ast.AST], api: str, aliases: dict[str, str]) -> int | None:
    """The first line where ``api`` is named: a dotted name such as ``time.sleep`` matches its
    full spelling through any import alias; a bare name such as ``get_lock`` matches any name,
    attribute or keyword argument so called."""
    for top in nodes:
        for node in ast.walk(top):
            if isinstance(node, ast.keyword) and node.arg == api and "." not in api:
                return node.value.lineno  # a keyword argument: target=...
            if not isinstance(node, (ast.Name, ast.Attribute)):
                continue
            if "." not in api:
                if (node.id if isinstance(node, ast.Name) else node.attr) == api:
                    return node.lineno
                continue
            dotted = _dotted(node)
            if dotted is None:
                continue
            head, _, rest = dotted.partition(".")
            full = aliases.get(head, head) + ("." + rest if rest else "")
            if full == api or full.endswith("." + api):
                return node.lineno
    return None


def _main_scope(tree: ast.Module) -> list[ast.AST]:
    """The code the main process runs itself: the module's top level, with the body of the
    ``__main__`` guard, but not the bodies of functions and classes (which children may run)."""
    scope: list[ast.AST] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(node, ast.If) and _is_main_guard(node):
                visit(node.body)
                continue
            scope.append(node)

    visit(tree.body)
    return scope


def _main_guard(table: Table) -> SourceJudge:
    def judge(source: str) -> Outcome:
        tree = parse(source)
        if isinstance(tree, Outcome):
            return tree
        if any(_is_main_guard(node) for node in tree.body):
            return Outcome(True, "The program has an `if __name__ == '__main__':` block.")
        return Outcome(False, "The program has no `if __name__ == '__main__':` block at its top level.")

    return judge


def _api(table: Table) -> tuple[str, str]:
    api = table.get("api", str, required=True)
    scope = table.choice("scope", ("anywhere", "main"), "anywhere")
    return api, scope


def _api_check(table: Table, wanted: bool) -> SourceJudge:
    """``uses`` (``wanted``) or ``avoids``: whether the program names ``api`` (in the main process's own code)."""
    api, scope = _api(table)

    def judge(source: str) -> Outcome:
        tree = parse(source)
        if isinstance(tree, Outcome):
            return tree
        nodes: list[ast.AST] = _main_scope(tree) if scope == "main" else [tree]
        line = _uses(nodes, api, _aliases(tree))
        where = " in the main process's own code" if scope == "main" else ""
        if line is None:
            return Outcome(not wanted, f"The program does not use `{api}`{where}.")
        said = f" (line {line})." if wanted else f", on line {line}."
        return Outcome(wanted, f"The program uses `{api}`{where}{said}")

    return judge


def _uses_check(table: Table) -> SourceJudge:
    return _api_check(table, wanted=True)


def _avoids_check(table: Table) -> SourceJudge:
    return _api_check(table, wanted=False)


SOURCE_KINDS: dict[str, Callable[[Table], SourceJudge]] = {
    "main_guard": _main_guard, "uses": _uses_check, "avoids": _avoids_check,
}


def check_unused(table: Table) -> None:
    extra = table.unknown()
    if extra:
        raise CheckError(f"does not take {', '.join(map(repr, extra))}")
