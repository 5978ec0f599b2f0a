"""``core`` is the bottom layer: it imports no app of the project (apps reach it, not the
other way round), and no module of the project imports another in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import fulian

PACKAGE = Path(fulian.__file__).parent
CORE = PACKAGE / "core"
# Every package beside core (the apps and the test kit) is above it.
ABOVE_CORE = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists() and p.name != "core")


def imported(tree: ast.AST, *, typing_too: bool = True) -> list[tuple[int, str]]:
    """(line, dotted name) of every import in a module, inside functions too; with
    ``typing_too=False`` those under ``if TYPE_CHECKING:`` are left out (they never run)."""
    skipped: set[int] = set()
    if not typing_too:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped |= {id(child) for statement in node.body for child in ast.walk(statement)}
    names = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return names


def test_core_imports_no_app_above_it() -> None:
    offending = []
    for path in sorted(CORE.rglob("*.py")):
        if "tests" in path.relative_to(CORE).parts:
            continue  # core's own tests run in the whole project, with its apps
        for line, name in imported(ast.parse(path.read_text(encoding="utf-8"))):
            parts = name.split(".")
            if parts[0] == "fulian" and len(parts) > 1 and parts[1] in ABOVE_CORE:
                offending.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}")
    assert offending == []


def test_the_apps_above_core_are_found() -> None:
    assert {"accounts", "audit", "orgs", "people", "households", "imports", "exports", "testing"} <= set(ABOVE_CORE)
