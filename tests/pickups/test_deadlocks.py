"""Copies recorded by several processes at once (issue 31, item 11): a transaction that
loses a deadlock on the counts' rows (PostgreSQL) or finds SQLite busy is tried again;
no line of an ingest is lost."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from django.db import OperationalError

from newswire.pickups.models import Pickup, PickupCheck
from newswire.pickups.record import record_result
from newswire.transient import passing

from ..factories import ninjs, paragraphs
from ..servers import BIN, newswire, query_row, throwaway_database
from .test_record import result


@pytest.mark.parametrize("said", ["deadlock detected\nDETAIL: Process 1 waits for ShareLock",
                                  "database is locked",
                                  "could not serialize access due to concurrent update"])  # fmt: skip
@pytest.mark.django_db(transaction=True)  # (retried only outside another transaction)
def test_a_lost_deadlock_is_recorded_on_the_next_try(make_story, monkeypatch, said):
    story = make_story()
    real = PickupCheck.objects.create
    failures = [OperationalError(said)]

    def create(**kwargs):
        if failures:
            raise failures.pop()
        return real(**kwargs)

    monkeypatch.setattr(PickupCheck.objects, "create", create)
    done = record_result(result(story), "warc_scan", observe=True)
    assert done.created and done.check is not None and not failures
    assert Pickup.objects.count() == 1 and PickupCheck.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_other_database_faults_are_not_tried_again(make_story, monkeypatch):
    story = make_story()
    calls = []

    def create(**kwargs):
        calls.append(1)
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(PickupCheck.objects, "create", create)
    with pytest.raises(OperationalError):
        record_result(result(story), "warc_scan", observe=True)
    assert calls == [1] and not passing(OperationalError("no such table: x"))


def test_concurrent_ingests_lose_no_line(tmp_path: Path) -> None:
    """Two `newswire pickups ingest` at once over lines of the same stories and days (the
    counts' rows shared): every line recorded once, none skipped (both databases)."""
    n = 300
    with throwaway_database(tmp_path) as env:
        items = [ninjs(f"urn:dl:{i}", paragraphs(10 + i % 7), headline=f"Deadlock {i}")
                 for i in range(20)]  # fmt: skip
        (tmp_path / "s.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
        assert newswire(env, "import", str(tmp_path / "s.jsonl")).returncode == 0
        files = []
        for part in range(2):
            lines = []
            for i in range(n):
                line = {"url": f"https://site{i % 13}.example/{part}/{i}", "story":
                        f"urn:dl:{i % 20}", "kind": "pickup", "coverage": 0.9,
                        "checks": {"logo": bool(i % 2), "byline": True}, "compliant": bool(i % 2),
                        "canonical": False, "evidence": {}, "edits": {}, "source": f"p{part}",
                        "where": str(i)}  # fmt: skip
                lines.append(json.dumps(line))
            path = tmp_path / f"r{part}.jsonl"
            path.write_text("\n".join(lines) + "\n")
            files.append(path)
        procs = [subprocess.Popen([str(BIN / "newswire"), "pickups", "ingest", str(f)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for f in files]  # fmt: skip
        outs = [p.communicate(timeout=600) for p in procs]
        for proc, (out, err) in zip(procs, outs, strict=True):
            assert proc.returncode == 0, (out + err)[-2000:]
            assert "0 skipped" in out + err, (out + err)[-2000:]
        assert query_row(env, "SELECT count(*) FROM pickups_pickup") == (2 * n,)
        assert query_row(env, "SELECT coalesce(sum(n), 0) FROM pickups_daycount") == (2 * n,)
