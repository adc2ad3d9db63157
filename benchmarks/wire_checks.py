"""How long a check of one page takes outside a batch scan (a beacon's page, a re-check,
"Check a URL"), as the wire grows: the warm wire (``pickups/wirescan.py``) against the
way every check worked before it (the whole wire read and fingerprinted again per page).

    .venv/bin/python benchmarks/wire_checks.py [--stories 1000 10000] [--pages 40]
                                               [--old-pages 3] [--postgres]
                                               [--hosts 10 [--workers 2] [--saved]]

For each size it loads the wire into a new SQLite file (stories of ~300 words of varied
text, their reporters, bylines and versions, by bulk insert), serves ``--pages`` copies of
random stories from loopback servers on as many addresses (127.0.0.2, .3, …: one page a
host, so the fetcher's politeness wait never applies), and prints:

- the warm wire's first build (once per process);
- the time per page of ``check_urls`` with it (fetch, parse, find, check, record), on a
  host seen for the first time (its robots.txt read, and the fetcher's 1-second gap
  between two requests to a host) and on a host seen before;
- the same after a correction (the one story read and fingerprinted again);
- the old way's time per page (``--old-pages`` pages: it is slow on a big wire);
- ``newswire check URL`` from a cold start (what a web worker meets after a restart): with
  the worker's saved wire, with it and 50 stories changed since it was written, without it.

With ``--hosts N`` it runs only the worker's batch: the pages spread over N hosts and
queued host by host, ``--workers`` ``newswire worker --batch`` processes started together
(seconds a page over the whole batch, each page's fetches, the least gap between two
requests to one host). ``--saved``: the worker's saved wire is on disk when they start
(a worker that ran before); without it the first worker builds it.

Prints figures; asserts nothing. Talks only to the loopback servers it starts.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from http.server import ThreadingHTTPServer
from pathlib import Path

CHILD = "--child"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from databases import WORDS, clean_env, postgres_database  # noqa: E402  (sibling modules)
from loopback import Pages  # noqa: E402


def _text(rng: random.Random, n: int) -> str:
    paras = []
    for k in range(6):
        words = [rng.choice(WORDS) for _ in range(50)]
        paras.append(f"<p>Para {n}-{k}: " + " ".join(words).capitalize() + ".</p>")
    return "".join(paras)


def load(stories: int) -> None:
    from django.utils import timezone
    from django.utils.text import slugify

    from newswire.wire.models import Byline, Reporter, Story, StoryVersion, Terms

    rng = random.Random(11)
    Terms(wire="Bench Wire", affiliation="BW", site="https://wire.example",
          required=["logo", "byline", "affiliation", "restricted_media"]).save()  # fmt: skip
    reporters = Reporter.objects.bulk_create(Reporter(name=f"Reporter {n}") for n in range(100))
    now = timezone.now()
    made = Story.objects.bulk_create(
        (Story(headline=f"Story {n} on the {rng.choice(WORDS)} {rng.choice(WORDS)}",
               slug=slugify(f"story-{n}"), body=_text(rng, n), status="published",
               published_at=now, uri=f"urn:bench:{n}") for n in range(stories)),
        batch_size=2000,
    )  # fmt: skip
    Byline.objects.bulk_create((Byline(story=s, reporter=reporters[i % 100])
                                for i, s in enumerate(made)), batch_size=5000)  # fmt: skip
    versions = (StoryVersion(story=s, number=1, headline=s.headline, body=s.body) for s in made)
    StoryVersion.objects.bulk_create(versions, batch_size=5000)


def serve(n: int, hosts: int = 0) -> tuple[list[str], list[ThreadingHTTPServer]]:
    """``n`` pages, each a copy of a random story, on ``hosts`` servers on 127.0.0.2 …
    (one page a host when 0); returns the page URLs, host by host, and the servers."""
    from newswire.distribution.snippet import snippet_html
    from newswire.wire.models import Story

    rng = random.Random(5)
    ids = list(Story.objects.values_list("pk", flat=True))
    urls, servers = [], []
    hosts = hosts or n
    for k in range(hosts):
        host = f"127.0.0.{k + 2}"
        server = ThreadingHTTPServer((host, 0), Pages)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        for page in range(k, n, hosts):
            story = Story.objects.get(pk=rng.choice(ids))
            html = (f"<!doctype html><html><body><article>{snippet_html(story)}</article>"
                    "</body></html>")  # fmt: skip
            path = "/copy" if n == hosts else f"/copy-{page}"
            Pages.pages[f"{host}:{server.server_port}{path}"] = html.encode()
            urls.append(f"http://{host}:{server.server_port}{path}")
    return urls, servers


def batch(args: argparse.Namespace) -> None:
    """The pages' checks as the beacon queues them, host by host, run by ``--workers``
    ``newswire worker --batch`` processes started together: seconds a page over the whole
    batch (each worker's start, housekeeping and warm wire's first build included), each
    page's fetches, and the least time between two requests to one host."""
    from django_tasks_db.models import DBTaskResult

    from newswire.pickups.models import Pickup
    from newswire.pickups.tasks import check_page

    urls, servers = serve(args.pages, args.hosts)
    if args.saved:  # a worker that ran before: the saved wire is on disk
        from newswire.pickups import wirescan

        wirescan.save(force=True)
        wirescan.forget()
    for url in urls:
        check_page.enqueue(url)
    newswire = str(Path(sys.executable).with_name("newswire"))
    start = time.perf_counter()
    workers = [subprocess.Popen([newswire, "worker", "--batch"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE) for _ in range(args.workers)]  # fmt: skip
    for w in workers:
        _, err = w.communicate()
        assert w.returncode == 0, err.decode()[-2000:]
    wall = time.perf_counter() - start
    done = DBTaskResult.objects.filter(status="SUCCESSFUL")
    waited = sum(str(v).startswith("waiting") for v in done.values_list("return_value", flat=True))
    first = min(done.values_list("started_at", flat=True))
    last = max(done.values_list("finished_at", flat=True))
    fetched: dict[str, int] = {}
    by_host: dict[str, list[float]] = {}
    for host, path, when in Pages.asked:
        fetched[f"{host}{path}"] = fetched.get(f"{host}{path}", 0) + 1
        by_host.setdefault(host, []).append(when)
    pages = {k: v for k, v in fetched.items() if not k.endswith("/robots.txt")}
    gaps = [b - a for times in map(sorted, by_host.values())
            for a, b in itertools.pairwise(times)]  # fmt: skip
    print(f"  {args.pages} pages on {len(servers)} hosts, {args.workers} worker(s): "
          f"{wall:.1f} s in all, {wall / args.pages:.2f} s a page (start and warm wire "
          f"included); {Pickup.objects.count()} copies recorded; each page fetched "
          f"{min(pages.values())}-{max(pages.values())} times; robots.txt "
          f"{sum(v for k, v in fetched.items() if k.endswith('/robots.txt'))} times; "
          f"least gap between two requests to a host {min(gaps):.3f} s; "
          f"{waited} task(s) put back to wait for their host's turn; from the "
          f"first task's start to the last's end {(last - first).total_seconds():.1f} s"
          )  # fmt: skip
    if os.environ.get("BENCH_TIMELINE"):
        for r in done.order_by("started_at"):
            print(f"    {(r.started_at - first).total_seconds():6.2f} "
                  f"{(r.finished_at - r.started_at).total_seconds() * 1000:5.0f} ms "
                  f"{r.args_kwargs['args'][0]} {r.return_value}")  # fmt: skip
    for server in servers:
        server.shutdown()


def per_page(urls: list[str], **kwargs: object) -> list[float]:
    from newswire.pickups.check import check_urls

    times = []
    for url in urls:
        start = time.perf_counter()
        done = list(check_urls([url], **kwargs))  # type: ignore[arg-type]
        times.append(time.perf_counter() - start)
        assert done and done[0].status == "ok" and done[0].found, (url, done)
    return times


def child(args: argparse.Namespace) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newswire.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    load(args.stories)
    print(f"  {args.stories} stories loaded in {time.perf_counter() - start:.0f} s", flush=True)
    if args.hosts:
        batch(args)
        return
    urls, servers = serve(args.pages)
    from newswire.pickups import wirescan
    from newswire.wire.models import Story

    start = time.perf_counter()
    wirescan.scanner()
    print(f"  warm wire, first build: {time.perf_counter() - start:.1f} s (once per process)")
    first = per_page(urls)
    print(f"  check a page on a host seen for the first time: median "
          f"{statistics.median(first) * 1000:.0f} ms (its robots.txt read, and the fetcher's "
          "1-second gap between two requests to one host)")  # fmt: skip
    time.sleep(1.1)  # (the gap since each host's last request has passed)
    warm = per_page(urls)
    print(f"  check a page, warm wire: median {statistics.median(warm) * 1000:.0f} ms, "
          f"max {max(warm) * 1000:.0f} ms ({len(warm)} pages)")  # fmt: skip
    time.sleep(1.1)
    story = Story.objects.order_by("?").first()
    assert story is not None
    story.snapshot()
    story.correct(body=story.body.replace("Para", "Paragraph", 1), note="bench")
    after = per_page(urls[:10])
    print(f"  after a correction: first page {after[0] * 1000:.0f} ms (the story read again), "
          f"then median {statistics.median(after[1:]) * 1000:.0f} ms")  # fmt: skip
    if args.old_pages:
        from unittest import mock

        from newswire.engine import Scanner

        def rebuilt(**_: object) -> Scanner:  # the way each check worked before the warm wire
            return wirescan.build()

        time.sleep(1.1)
        with mock.patch.object(wirescan, "scanner", rebuilt):
            old = per_page(urls[: args.old_pages])
        print(f"  check a page, the old way (the wire rebuilt per page): median "
              f"{statistics.median(old):.2f} s ({len(old)} pages)")  # fmt: skip
    cold_starts(urls, wirescan)
    through_the_worker(urls, str(Path(sys.executable).with_name("newswire")))
    for server in servers:
        server.shutdown()


_READY = """
import time, django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newswire.settings")
django.setup()
from newswire.pickups import wirescan
start = time.perf_counter()
wire = wirescan.scanner()
took = time.perf_counter() - start
print(took, "opened" if not isinstance(wire.stories, dict) else "built", wire.changed_since_saved)
"""


def cold_starts(urls: list[str], wirescan: object) -> None:
    """A process that starts and checks a page (``newswire check URL``: what a web worker
    does after a restart): with the worker's saved wire on disk (written by its
    housekeeping), with it and 25 corrections and 25 new stories made since it was written
    (the process reads those over it), and without it (the process builds its own)."""
    from newswire.wire.models import Story

    start = time.perf_counter()
    wirescan.save(force=True)  # type: ignore[attr-defined]
    print(f"  saved wire written (the worker's housekeeping): {time.perf_counter() - start:.1f} s")
    newswire = str(Path(sys.executable).with_name("newswire"))

    def check(label: str) -> None:
        # a new process: its wire made ready (opened, or built), as a web worker's first check
        # makes it after a restart; then `newswire check URL` whole (start, robots.txt, the
        # host's 1-second turn, the check)
        ready = subprocess.run([sys.executable, "-c", _READY], check=True, capture_output=True,
                               text=True).stdout.split()  # fmt: skip
        time.sleep(1.1)
        start = time.perf_counter()
        done = subprocess.run([newswire, "check", urls[-1]], check=False, capture_output=True)
        took = time.perf_counter() - start
        assert b"could not check" not in done.stdout, done.stdout.decode()
        print(f"  a new process, {label}: its wire ready in {float(ready[0]):.2f} s "
              f"({ready[1]}, {int(ready[2])} stories held apart from a saved wire); "
              f"newswire check URL whole: {took:.1f} s")  # fmt: skip

    check("with the saved wire")
    rng = random.Random(7)
    for story in Story.objects.order_by("?")[:25]:
        story.snapshot()
        story.correct(body=story.body.replace("Para", "Paragraph", 1), note="bench")
    top = Story.objects.count()
    for n in range(top, top + 25):
        Story.objects.create(headline=f"Story {n}", body=_text(rng, n), status="published",
                             uri=f"urn:bench:{n}")  # fmt: skip
    check("with the saved wire, 50 stories changed since it was written")
    wirescan.saved_path().unlink()  # type: ignore[attr-defined]
    check("without it (built from the rows)")


def through_the_worker(urls: list[str], newswire: str) -> None:
    """The pages' checks as the beacon queues them (``check_page`` tasks), run by a new
    ``newswire worker --batch`` process: each page twice, all once and then all again, so
    the first round meets hosts new to the worker (robots.txt read, then the fetcher's
    1-second turn per host) and the second hosts it has seen. Each task's own time, from
    its start to its end (the worker builds its warm wire before the first, when its
    housekeeping writes the saved wire: in the wall time)."""
    from django_tasks_db.models import DBTaskResult

    from newswire.pickups.tasks import check_page

    DBTaskResult.objects.all().delete()
    time.sleep(1.1)
    for url in urls + urls:
        check_page.enqueue(url)
    start = time.perf_counter()
    subprocess.run([newswire, "worker", "--batch"], check=True, capture_output=True)
    wall = time.perf_counter() - start
    runs = DBTaskResult.objects.filter(status="SUCCESSFUL").order_by("started_at")
    # (a task put back to wait for its host's turn is not a check: its later run is)
    took = [(r.finished_at - r.started_at).total_seconds() for r in runs
            if not str(r.return_value).startswith("waiting")]  # fmt: skip
    assert len(took) == 2 * len(urls), (len(took), len(urls))
    new, seen = took[: len(urls)], took[len(urls) :]
    print(f"  newswire worker, {len(took)} check_page tasks ({wall:.1f} s in all, its start, "
          f"housekeeping and warm wire's build included): hosts new to it median "
          f"{statistics.median(new) * 1000:.0f} ms (robots.txt, the 1-second turn); hosts "
          f"seen median {statistics.median(seen) * 1000:.0f} ms, max {max(seen) * 1000:.0f} ms "
          "a page")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--old-pages", type=int, default=3)
    parser.add_argument("--hosts", type=int, default=0,
                        help="only the worker's batch: the pages spread over this many hosts")
    parser.add_argument("--workers", type=int, default=1, help="with --hosts: worker processes")
    parser.add_argument("--postgres", action="store_true", help="on PostgreSQL, not SQLite")
    parser.add_argument("--saved", action="store_true",
                        help="with --hosts: the saved wire written before the workers start")
    parser.add_argument(CHILD, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.stories = args.stories[0]
        child(args)
        return
    for n in args.stories:
        print(f"{n} stories, {'PostgreSQL' if args.postgres else 'SQLite'}", flush=True)
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            env = clean_env(NEWSWIRE_DATA=tmp, NEWSWIRE_FETCH_ALLOW="127.0.0.0/8")
            if args.postgres:
                env["DATABASE_URL"] = stack.enter_context(postgres_database())
            subprocess.run([sys.executable, __file__, CHILD, "--stories", str(n),
                            "--pages", str(args.pages), "--old-pages", str(args.old_pages),
                            "--hosts", str(args.hosts), "--workers", str(args.workers),
                            *(["--saved"] if args.saved else [])],
                           check=True, env=env)  # fmt: skip


if __name__ == "__main__":
    main()
