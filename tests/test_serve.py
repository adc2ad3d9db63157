"""`newswire serve` as a user runs it: migrations, then gunicorn forking its workers.

The database connection opened for the migrations must not reach the forked
workers: on PostgreSQL two processes sharing one socket read each other's
replies (one reader sees another's page) or lose sync with the server.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .servers import get, newswire, serving, stories_jsonl, throwaway_database

pytestmark = pytest.mark.django_db  # only for the database settings; the server has its own


def test_forked_workers_each_get_their_own_connection(tmp_path: Path) -> None:
    n = 400
    with throwaway_database(tmp_path) as env:
        done = newswire(env, "import", str(stories_jsonl(tmp_path / "s.jsonl", n)))
        assert done.returncode == 0, done.stderr
        with serving(env, "--workers", "2") as base:
            # at once, 16 at a time, right after the start: when the inherited connection bit
            def fetch(i: int) -> tuple[int, int, bytes]:
                status, body = get(f"{base}/stories/headline-story-number-{i}/")
                return i, status, body

            with ThreadPoolExecutor(16) as pool:
                results = list(pool.map(fetch, range(n)))
    errors = [(i, status) for i, status, _ in results if status != 200]
    assert not errors, f"{len(errors)} failed requests, e.g. {errors[:5]}"
    wrong = [i for i, _, body in results if f"Headline story number {i}<".encode() not in body]
    assert not wrong, f"{len(wrong)} pages showed another story, e.g. {wrong[:5]}"
