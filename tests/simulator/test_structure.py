"""The simulator's layout rules: no import circle between its modules, no module over 800 lines."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "emby_simulator"
MAX_LINES = 800


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports (TYPE_CHECKING imports included)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    deps.add(node.module.split(".")[0])
                else:
                    deps.update(alias.name for alias in node.names)
        graph[path.stem] = deps - {path.stem}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, or None."""
    done: set[str] = set()

    def visit(node: str, stack: list[str]) -> list[str] | None:
        for dep in sorted(graph.get(node, ())):
            if dep in stack:
                return [*stack[stack.index(dep) :], dep]
            if dep not in done:
                found = visit(dep, [*stack, dep])
                if found:
                    return found
        done.add(node)
        return None

    for module in sorted(graph):
        if module not in done and (cycle := visit(module, [module])):
            return cycle
    return None


def test_find_cycle_sees_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle() -> None:
    graph = import_graph()
    assert "server" in graph and "rest" in graph
    assert find_cycle(graph) is None


def test_no_module_over_the_line_limit() -> None:
    lengths = {p.name: len(p.read_text().splitlines()) for p in PACKAGE.glob("*.py")}
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}
