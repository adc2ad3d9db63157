"""What a process keeps for itself is in newswire.runtime (issue 36, item 9), and a child
made by fork starts with its own."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from newswire.runtime import Process, forget, this_process

SRC = Path(__file__).resolve().parents[1] / "src" / "newswire"
_STATEFUL_CALLS = {"Lock", "RLock", "Event", "Thread", "local", "dict", "list", "set",
                   "defaultdict", "Counter", "OrderedDict", "deque"}  # fmt: skip


def _state_kept_at_module_level(path: Path) -> list[str]:
    """Module-level (and class-level) names bound to an empty container or a lock, thread or
    thread-local: what a module fills as the process runs."""
    found = []
    tree = ast.parse(path.read_text(), str(path))
    scopes: list[ast.AST] = [tree, *(n for n in tree.body if isinstance(n, ast.ClassDef))]
    for scope in scopes:
        for node in getattr(scope, "body", []):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                value = node.value
                empty = isinstance(value, ast.Dict | ast.List | ast.Set) and not (
                    getattr(value, "keys", None) or getattr(value, "elts", None)
                )
                call = isinstance(value, ast.Call) and (
                    getattr(value.func, "attr", None) or getattr(value.func, "id", None)
                ) in _STATEFUL_CALLS and not value.args
                if empty or call:
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_what_a_process_keeps_is_in_the_runtime_module():
    """No module of the project but newswire.runtime keeps state of its own: an empty dict,
    list or set filled as the process runs, a lock, a thread. (The engine keeps none: its
    module-level objects are constants, compiled parts and memo caches of pure functions.)"""
    kept = [
        where
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "runtime.py" and "migrations" not in path.parts
        for where in _state_kept_at_module_level(path)
    ]
    assert kept == []


def test_the_check_finds_state_kept_elsewhere(tmp_path):
    """(the test above can fail: it finds each way of keeping state)"""
    path = SRC / "_probe_for_the_test.py"
    try:
        path.write_text(
            "import threading\n_SEEN: dict[str, int] = {}\n_LOCK = threading.Lock()\n"
            "class Spool:\n    _made = threading.RLock()\n    _kept = []\n"
            "FOLD = {'a': 'b'}\n"
        )
        assert _state_kept_at_module_level(path) == [
            "_probe_for_the_test.py:2", "_probe_for_the_test.py:3",
            "_probe_for_the_test.py:5", "_probe_for_the_test.py:6",
        ]  # fmt: skip
    finally:
        path.unlink()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork: POSIX only")
def test_a_forked_child_starts_with_a_state_of_its_own():
    parent = this_process()
    parent.robots["https://example.org"] = (0.0, None)
    with parent.wire_lock:  # held across the fork: the child must not inherit it held
        pid = os.fork()
        if pid == 0:  # the child
            child = this_process()
            ok = child is not parent and not child.robots and child.wire_lock.acquire(timeout=1)
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert this_process() is parent
    forget()
    assert not parent.robots


def test_a_new_state_is_empty():
    fresh = Process()
    assert not (fresh.wires or fresh.robots or fresh.sheets or fresh.api_counted)
    assert fresh.spool is None and fresh.housekeeping is None
