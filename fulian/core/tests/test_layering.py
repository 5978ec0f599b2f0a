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


def module_graph() -> dict[str, set[str]]:
    """Each module of the project (tests left out) → the project's modules it imports when it
    runs: at the top or inside a function, not under ``if TYPE_CHECKING:``."""
    modules: dict[str, Path] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if "tests" in parts:
            continue
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path

    def module_of(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {
            module_of(imported_name) for _line, imported_name in imported(ast.parse(path.read_text()), typing_too=False)
        }
        graph[name] = {target for target in targets if target and target != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or round a circle (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert cycles(module_graph()) == []


def test_a_circle_through_a_function_level_import_is_found() -> None:
    graph = module_graph()
    assert "fulian.imports.work" in graph["fulian.imports.tasks"]
    graph["fulian.imports.work"].add("fulian.imports.tasks")  # as if work queued a task again
    assert cycles(graph) == [["fulian.imports.tasks", "fulian.imports.work"]]
