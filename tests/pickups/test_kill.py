"""`kill -9` in the middle of `newswire scan` or `newswire worker`, then a restart: no
finished result is lost and none is recorded twice, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from ..factories import article, ninjs, page_record, paragraphs, write_warc
from ..fakesite import fake_site, html
from ..servers import BIN, newswire, query_row, throwaway_database

SQL = "SELECT (SELECT count(*) FROM pickups_pickup), (SELECT count(*) FROM pickups_pickupcheck)"


def counts(env: dict[str, str]) -> tuple[int, ...]:
    """Pickups and checks, read straight from the database (quick enough to poll)."""
    return query_row(env, SQL)


def wire(env: dict[str, str], tmp: Path, n: int) -> None:
    items = [ninjs(f"urn:kill:{i}", paragraphs(100 + i), headline=f"Kill story {i}")
             for i in range(n)]  # fmt: skip
    (tmp / "s.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
    done = newswire(env, "import", str(tmp / "s.jsonl"))
    assert done.returncode == 0, done.stderr


def kill_when(proc: subprocess.Popen[bytes], env: dict[str, str], at_least: int) -> None:
    deadline = time.monotonic() + 120
    while counts(env)[0] < at_least and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def test_kill_9_of_a_recording_scan_then_again(tmp_path: Path) -> None:
    n = 300
    with throwaway_database(tmp_path) as env:
        wire(env, tmp_path, n)
        pages = [page_record(f"https://copy{i}.example/story", article(paragraphs(100 + i)))
                 for i in range(n)]  # fmt: skip
        crawl = tmp_path / "crawl.warc.gz"
        write_warc(crawl, pages)
        scan = subprocess.Popen([str(BIN / "newswire"), "scan", "-q", str(crawl)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        kill_when(scan, env, 10)
        killed_at = counts(env)
        again = newswire(env, "scan", "-q", str(crawl))
        assert again.returncode == 0, again.stderr[-2000:]
        final = counts(env)
    assert 0 < killed_at[0] < n, killed_at  # killed in the middle
    assert final == (n, n), final  # every copy once, every observation once


def test_kill_9_of_a_worker_then_a_new_one(tmp_path: Path) -> None:
    n = 12  # one host, one request a second: about 15 s of checks
    with throwaway_database(tmp_path) as env, fake_site() as site:
        wire(env, tmp_path, n)
        for i in range(n):
            site.route(f"/p{i}", html(article(paragraphs(100 + i))))
        urls = [f"{site.url}/p{i}" for i in range(n)]
        env = {**env, "NEWSWIRE_FETCH_ALLOW": "127.0.0.1/32", "NEWSWIRE_TASK_TIMEOUT": "3",
               "NEWSWIRE_HOUSEKEEPING": "1"}  # fmt: skip
        queue = ("from newswire.pickups.tasks import check_page\n"
                 f"for url in {urls!r}: check_page.enqueue(url, 'submitted')")  # fmt: skip
        assert newswire(env, "manage", "shell", "-c", queue).returncode == 0
        worker = subprocess.Popen([str(BIN / "newswire"), "worker", "--interval", "0.2"],
                                  env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)  # fmt: skip
        kill_when(worker, env, 3)
        killed_at = counts(env)
        time.sleep(3.5)  # past NEWSWIRE_TASK_TIMEOUT: the claimed task is abandoned
        done = newswire(env, "worker", "--batch", timeout=300)  # housekeeping first, then all
        assert done.returncode == 0, done.stderr[-2000:]
        final = counts(env)
    assert 0 < killed_at[0] < n, killed_at
    assert final == (n, n), final  # every page checked once, no check recorded twice
