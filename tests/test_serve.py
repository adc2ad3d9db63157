"""`newswire serve` as a user runs it: migrations, then gunicorn forking its workers.

The database connection opened for the migrations must not reach the forked
workers: on PostgreSQL two processes sharing one socket read each other's
replies (one reader sees another's page) or lose sync with the server.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import BROWSER_UA
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


def _recorded_views(env: dict[str, str]) -> int:
    """The views in the database now, read by a process that records no spool itself."""
    done = newswire(
        env, "manage", "shell", "-c",
        "from django.db.models import Sum; from newswire.distribution.models import BeaconHit;"
        " print(BeaconHit.objects.aggregate(s=Sum('hits'))['s'] or 0)",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip().splitlines()[-1])


def _workers(server_pid: int, expect: int = 2) -> set[int]:
    """The server's worker processes (waiting, a few seconds at most, for ``expect`` of them:
    gunicorn forks them after it listens)."""
    import time

    import psutil

    deadline = time.monotonic() + 10
    while True:
        found = {p.pid for p in psutil.Process(server_pid).children()}
        if len(found) >= expect or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _all_counted_while_serving(env: dict[str, str], sent: list[int], seconds: float = 15) -> int:
    """Wait (no drain, no worker stopped) until every answered view is in the database."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        counted = _recorded_views(env)
        if counted >= sent.count(200) or time.monotonic() > deadline:
            return counted
        time.sleep(0.5)


def test_beacon_views_from_many_clients_at_once_are_all_recorded(tmp_path: Path) -> None:
    """The attack probe's load: 16 clients on one story's beacon, 12 Referers in shifting
    order, two workers flushing at once (on PostgreSQL they deadlocked and a worker's
    claimed file was never recorded while it lived). Every 200 is counted within seconds,
    by the same workers, none of which died."""
    import random
    import re
    import threading
    import time

    with throwaway_database(tmp_path) as env:
        env["NEWSWIRE_BEACON_REPEAT_SECONDS"] = "0"  # one reader here, counted every time
        assert newswire(env, "import", str(stories_jsonl(tmp_path / "s.jsonl", 1))).returncode == 0
        with serving(env, "--workers", "2") as base:
            from .servers import serving_pid

            workers = _workers(serving_pid(base))
            page = get(f"{base}/stories/headline-story-number-0/republish/")[1].decode()
            pixel = base + re.search(r"/beacon/\d+\.gif", page).group(0)
            sent: list[int] = []
            stop = time.monotonic() + 6

            def hammer(n: int) -> None:
                rng = random.Random(n)
                pages = [f"https://copy{i}.example/story" for i in range(12)]
                while time.monotonic() < stop:
                    rng.shuffle(pages)
                    for referer in pages:
                        headers = {"Referer": referer, "User-Agent": BROWSER_UA}
                        sent.append(get(pixel, headers, timeout=30)[0])

            threads = [threading.Thread(target=hammer, args=(n,)) for n in range(16)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            counted = _all_counted_while_serving(env, sent)
            still = _workers(serving_pid(base))
    print(f"beacon under load: {len(sent)} answered 200, {counted} recorded")  # for the record
    assert sent and set(sent) == {200}, f"{len(sent)} hits, statuses {set(sent)}"
    assert counted == len(sent), f"{len(sent)} answered 200, {counted} recorded"
    assert workers == still and len(workers) == 2  # recorded by the workers that took them


@pytest.mark.slow
def test_beacon_hits_during_a_long_import_are_all_recorded(tmp_path: Path) -> None:
    """SQLite's single writer: during an import of 2,000 stories (20 write transactions)
    8 beacon clients answer 200, and every view is recorded within seconds by the web
    workers themselves (before, a flush waited its 20 s behind back-to-back batches and
    its claimed file then waited for its worker to die)."""
    import re
    import subprocess
    import threading

    from .servers import BIN, serving_pid

    with throwaway_database(tmp_path) as env:
        env["NEWSWIRE_BEACON_REPEAT_SECONDS"] = "0"  # one reader here, counted every time
        assert (
            newswire(env, "import", str(stories_jsonl(tmp_path / "one.jsonl", 1))).returncode == 0
        )
        big = stories_jsonl(tmp_path / "big.jsonl", 2000, prefix="bulk")
        with serving(env, "--workers", "2") as base:
            workers = _workers(serving_pid(base))
            page = get(f"{base}/stories/headline-story-number-0/republish/")[1].decode()
            pixel = base + re.search(r"/beacon/\d+\.gif", page).group(0)
            log = open(tmp_path / "import.log", "w+")  # noqa: SIM115
            importer = subprocess.Popen([str(BIN / "newswire"), "import", str(big)], env=env,
                                        stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
            sent: list[int] = []

            def hammer(n: int) -> None:
                while importer.poll() is None:
                    headers = {"Referer": f"https://copy.example/{n}", "User-Agent": BROWSER_UA}
                    status, _ = get(pixel, headers, timeout=60)
                    sent.append(status)

            threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
            for t in threads:
                t.start()
            importer.wait(timeout=600)
            for t in threads:
                t.join()
            counted = _all_counted_while_serving(env, sent)
            still = _workers(serving_pid(base))
    log.seek(0)
    output = log.read()
    log.close()
    assert importer.returncode == 0, output[-2000:]
    assert "2000 created" in output, output[-2000:]
    print(f"beacon during the import: {len(sent)} answered 200, {counted} recorded")
    assert sent and set(sent) == {200}, f"{len(sent)} hits, statuses {set(sent)}"
    assert counted == len(sent), f"{len(sent)} answered 200, {counted} recorded"
    assert workers == still and len(workers) == 2


def test_twelve_simultaneous_applications_respect_the_hourly_limit(tmp_path: Path) -> None:
    """The limit's count and insert are one step: 12 at once from one address let 3 through."""
    import http.cookiejar
    import re
    import urllib.parse
    import urllib.request

    with throwaway_database(tmp_path) as env:
        with serving(env, "--workers", "2") as base:
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            form = opener.open(f"{base}/republish/apply/").read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
            cookie = "; ".join(f"{c.name}={c.value}" for c in jar)

            def submit(n: int) -> int:
                data = urllib.parse.urlencode({
                    "csrfmiddlewaretoken": token, "outlet": f"Outlet {n}",
                    "website": f"https://outlet{n}.example", "country": "US",
                    "monthly_readers": "5000", "audience_evidence": "Analytics",
                    "contact_name": "Ed", "contact_email": f"ed{n}@outlet{n}.example",
                    "agreed_to_terms": "on",
                }).encode()  # fmt: skip
                request = urllib.request.Request(
                    f"{base}/republish/apply/", data=data,
                    headers={"Cookie": cookie, "Referer": f"{base}/republish/apply/"},
                )  # fmt: skip
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        return response.status
                except urllib.error.HTTPError as exc:
                    return exc.code

            with ThreadPoolExecutor(12) as pool:
                statuses = list(pool.map(submit, range(12)))
        count = newswire(
            env, "manage", "shell", "-c",
            "from newswire.partners.models import Application; print(Application.objects.count())",
        )  # fmt: skip
    assert int(count.stdout.strip().splitlines()[-1]) == 3, (statuses, count.stderr)
    assert sorted(statuses) == [200] * 3 + [429] * 9, statuses  # redirected to "thanks" = 200
