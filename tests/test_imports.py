"""No two modules of newswire import each other, directly or through others (issue 36,
item 5): every import, a function's own included, as import-linter's graph (grimp) reads
them. The events one part tells another of are in newswire/events.py instead."""

from __future__ import annotations

import sys
from pathlib import Path

import grimp


def circles(package: str) -> list[list[str]]:
    """The import circles of ``package``: each set of modules that reach one another
    through their imports (the graph's strongly connected components of two or more)."""
    graph = grimp.build_graph(package, include_external_packages=False)
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's, iteratively: no recursion limit to meet
        work = [(module, iter(sorted(graph.find_modules_directly_imported_by(module))))]
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in order:
                    order[child] = low[child] = len(order)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], order[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == order[node]:
                    component = []
                    while True:
                        m = stack.pop()
                        on_stack.discard(m)
                        component.append(m)
                        if m == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in order:
            visit(module)
    return sorted(found)


def test_no_module_of_newswire_imports_one_that_imports_it():
    assert circles("newswire") == []


def test_a_circle_is_found(tmp_path: Path, monkeypatch):
    """(the test above can fail: a circle through a function's import, and one of three)"""
    pkg = tmp_path / "circled"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from . import b\n")
    (pkg / "b.py").write_text("from .a import f\n")
    (pkg / "c.py").write_text("from . import d\n")
    (pkg / "d.py").write_text("from . import e\n")
    (pkg / "e.py").write_text("from .c import d\n")
    (pkg / "f.py").write_text("from . import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert circles("circled") == [
            ["circled.a", "circled.b"], ["circled.c", "circled.d", "circled.e"]
        ]  # fmt: skip
    finally:
        sys.modules.pop("circled", None)
