"""The imports run one way, and no module imports one that imports it back.

The layers, bottom first (a package may import those below it, never those above):

    bot's vocabulary (bot.messages, bot.i18n, bot.text, bot.render): imports nothing of ours
    forms       the form model: question types, readers, engine, periods
    storage     models, repositories, exports and imports
    scheduler   the calendar, reminders, the digest
    handlers    the conversations
    bot         the runtime: channels, pipeline, sender, command line, composition root

Every import counts, including those inside functions and under ``TYPE_CHECKING``: a
late import hides a knot, it does not untie it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "forms", "storage", "scheduler", "handlers")
VOCABULARY = frozenset({"bot.messages", "bot.i18n", "bot.text", "bot.render"})
RANK = {"vocabulary": 0, "forms": 1, "storage": 2, "scheduler": 3, "handlers": 4, "bot": 5}


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue  # Alembic's scripts are loaded by Alembic, not imported
            name = ".".join(relative.with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports (``from pkg import mod`` counts as ``pkg.mod``)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            targets = [
                f"{module}.{a.name}" if f"{module}.{a.name}" in known else module
                for a in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def layer(module: str) -> str:
    return "vocabulary" if module in VOCABULARY else module.split(".")[0]


def test_imports_run_down_the_layers() -> None:
    wrong = [
        f"{module} imports {target}"
        for module, targets in graph().items()
        for target in sorted(targets)
        if RANK[layer(target)] > RANK[layer(module)]
    ]
    assert not wrong, "imports against the layering:\n" + "\n".join(sorted(wrong))


def test_no_import_cycles() -> None:
    edges = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(edges[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_graph_sees_the_project() -> None:
    """Guard the guard: the parser finds the imports it is meant to judge."""
    edges = graph()
    assert "forms.engine" in edges and "bot.pipeline" in edges
    assert "storage.models" in edges["bot.app"]
    assert "forms.readers" in edges["forms.engine"] or any(
        t.startswith("forms.readers") for t in edges["forms.engine"]
    )
