"""`kill -9` of `newswire worker` in the middle of polling a newsroom's WordPress, then a new
worker: every post becomes one story with one version; nothing is lost, nothing is twice."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from ..fakesite import fake_site
from ..servers import BIN, newswire, query_row, throwaway_database
from .fakecms import FakeWordPress

SQL = ("SELECT (SELECT count(*) FROM wire_story), (SELECT count(*) FROM wire_storyversion),"
       " (SELECT count(*) FROM cms_item)")  # fmt: skip


def counts(env: dict[str, str]) -> tuple[int, ...]:
    return query_row(env, SQL)


def test_kill_9_of_a_worker_polling_a_cms_then_a_new_one(tmp_path: Path) -> None:
    n = 400
    with throwaway_database(tmp_path) as env, fake_site() as site:
        wp = FakeWordPress(site, per_page=100)
        for i in range(1, n + 1):
            wp.add(i)
        env = {**env, "NEWSWIRE_FETCH_ALLOW": "127.0.0.1/32", "NEWSWIRE_TASK_TIMEOUT": "3",
               "NEWSWIRE_HOUSEKEEPING": "1"}  # fmt: skip
        added = newswire(env, "sources", "add", wp.url, "--publish")
        assert added.returncode == 0, added.stderr
        queue = ("from newswire.cms.models import StorySource\nfrom newswire.cms.tasks import "
                 "poll_source\npoll_source.enqueue(StorySource.objects.get().pk)")  # fmt: skip
        assert newswire(env, "manage", "shell", "-c", queue).returncode == 0
        worker = subprocess.Popen([str(BIN / "newswire"), "worker", "--interval", "0.2"],
                                  env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 120
        while counts(env)[0] < 20 and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        killed_at = counts(env)
        time.sleep(3.5)  # past NEWSWIRE_TASK_TIMEOUT: the claimed poll is abandoned
        done = newswire(env, "worker", "--batch", timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        final = counts(env)
    assert 0 < killed_at[0] < n, killed_at  # killed in the middle of the poll
    assert final == (n, n, n), final  # every post once, one version each, one item each
