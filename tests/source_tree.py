"""The product's source tree, read as syntax for the tests that hold code to a rule (one
writer of copies, one maker of stories)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Container
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "newswire"


def call_base(node: ast.AST) -> ast.AST:
    """What a chain of calls, attributes and subscripts starts from: ``Pickup`` in
    ``Pickup.objects.filter(...).update``."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def found_elsewhere(lines_of: Callable[[Path], list[int]], allowed: Container[str],
                    skip: tuple[str, ...] = ()) -> set[str]:  # fmt: skip
    """``path:line`` for each line ``lines_of`` finds in a module outside ``allowed``
    (paths relative to the package), the migrations and the folders named in ``skip``."""
    return {
        f"{path.relative_to(SRC)}:{line}"
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
        and not any(part in path.parts for part in skip)
        and str(path.relative_to(SRC)) not in allowed
        for line in lines_of(path)
    }
