"""Soak test: mixed traffic against `newswire serve` on PostgreSQL while an import and
corrections run; then check that no reader saw a wrong page and no beacon hit was lost.

Loopback only, bounded in time. It creates a database of its own on the PostgreSQL
server at $SOAK_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432, trust auth),
loads a wire of --stories published stories and a partner with a key, starts
`newswire serve --workers 2` on a free 127.0.0.1 port, and runs --clients client
threads for --minutes minutes, each on a keep-alive connection, choosing at random:

- a feed poll (RSS or Atom; half of them conditional, as feed readers poll),
- an API page (/api/v1/stories, at a random cursor from the previous page),
- a story page (the page must show the story asked for: its headline is checked),
- a beacon hit (from one of 300 partner pages; every hit sent is counted),
- now and then an application to the partner program (429 past the hourly limit).

With ``--workers N`` (the several-machines soak of docs/deploy.md) N ``newswire worker``
processes run beside the web server, and the beacon hits come from ``--pages`` real copies
served on 20 loopback hosts (127.0.0.2 …), so that each page's first view queues its check
(the beacon hand-off) and the workers fetch, check and record it, sharing the hosts' turns,
while the saved wire is written again under the import and every process follows it. At
the end, besides the figures above: check tasks failed (target 0), copies recorded against
pages served (target: equal), and each page's fetches against the checks queued for it
(its first view's, and a correction's re-checks; target: equal, none twice for one ask).

Meanwhile an import of --import-stories new stories runs (`newswire import`), and
every 20 s a correction of a published story is imported (a changed body), which
creates correction notices. At the end: requests, errors (5xx, connection errors and
unexpected statuses; target 0), p50/p99 per kind, pages that showed another story
(target 0), and beacon hits sent against those recorded (target: equal).

    .venv/bin/python benchmarks/soak.py [--minutes 10] [--clients 8] [--stories 500]
                                        [--workers 2 [--pages 200]]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from databases import WORDS  # (sibling modules)
from loopback import Pages

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

SETUP = r"""
import sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from newswire.wire.models import Terms
from newswire.partners.models import Partner
from newswire.distribution.models import ApiKey
Terms(wire="Soak News Service", affiliation="SNS", logo_url="https://soak.example/logo.png",
      required=["logo", "byline", "affiliation"], allowed_edits=["trim_end", "headline"],
      text="Free to republish with our logo and byline.").save()
partner = Partner.objects.create(name="Soak Daily", website="https://soakdaily.example",
                                 contact_email="desk@soakdaily.example")
print(ApiKey.issue(partner, "soak")[1])
"""

SNIPPETS = """
import django, json, sys; django.setup()
from newswire.distribution.snippet import snippet_html
from newswire.wire.models import Story
print(json.dumps({i: snippet_html(Story.objects.get(slug=f"soak-base-story-{i}"))
                  for i in map(int, sys.argv[1:])}))
"""

CHECKS = """
import django, json; django.setup()
from collections import Counter
from django_tasks_db.models import DBTaskResult
from newswire.pickups.models import Pickup
tasks = DBTaskResult.objects.filter(task_path__endswith="check_page")
asks = Counter()
returns = Counter()
said_of = {}
for r in tasks.exclude(status="READY"):
    said = str(r.return_value)
    returns[said if said.endswith(" copies") else " ".join(said.split()[:4])] += 1
    said_of.setdefault(r.args_kwargs["args"][0], []).append(said[:80])
    # a task put back for its host's turn, or a sooner re-check of a copy that already
    # carries the change, asks nothing of the page
    if not said.startswith(("waiting", "the copy carries")):
        asks[r.args_kwargs["args"][0]] += 1
from django.db.models import Q
from django.utils import timezone
print(json.dumps({
    "statuses": dict(Counter(tasks.values_list("status", flat=True))),
    # due now or running (the sooner re-checks a correction schedules hours ahead are not)
    "due": tasks.filter(Q(status="RUNNING") | Q(status="READY", run_after__lte=timezone.now()))
                .count(),
    "later": tasks.filter(status="READY", run_after__gt=timezone.now()).count(),
    "asks": asks,
    "returns": returns,
    "said_of": said_of,

    "pickups": list(Pickup.objects.values_list("url", flat=True)),
}))
"""

COUNT_HITS = """
import django, json; django.setup()
from django.db.models import Sum
from newswire.distribution.beacon import drain_spool
from newswire.distribution.models import BeaconHit
drain_spool()
rows = BeaconHit.objects.values("story__slug").annotate(n=Sum("hits"))
print(json.dumps({r["story__slug"]: r["n"] for r in rows}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def story(i: int, prefix: str, body_note: str = "") -> dict[str, object]:
    rng = random.Random(f"{prefix}-{i}")
    return {
        "uri": f"urn:soak:{prefix}-{i}",
        "type": "text",
        "pubstatus": "usable",
        "versioncreated": "2026-01-01T12:00:00+00:00",
        "headlines": [{"role": "main", "value": f"Soak {prefix} story {i}"}],
        "by": "Grace Nakamura, Reporter",
        "people": [{"name": "Grace Nakamura", "rel": "author"}],
        "bodies": [
            {
                "role": "main",
                "contenttype": "text/html",
                # text of its own, as a wire's stories have (stories that differ only by a
                # number share every shingle: the engine's boilerplate rule drops those)
                "value": "".join(
                    f"<p>Paragraph {k} of {prefix} story {i}: "
                    + " ".join(rng.choice(WORDS) for _ in range(30)).capitalize()
                    + f".{body_note}</p>"
                    for k in range(8)
                ),
            }
        ],
    }


def write_jsonl(path: Path, items: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(i) + "\n" for i in items))
    return path


#: a reader's browser (the beacon counts no bot, and no request without a User-Agent)
BROWSER = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0.0.0 Safari/537.36")  # fmt: skip


Copies = tuple[list[tuple[int, str]], list[ThreadingHTTPServer]]


def serve_copies(env: dict[str, str], count: int, stories: int) -> Copies:
    """``count`` copies of random base stories on 20 loopback hosts: (story, url) each."""
    rng = random.Random(3)
    chosen = [rng.randrange(stories) for _ in range(count)]
    snippets = json.loads(subprocess.run(
        [str(BIN / "python"), "-c", SNIPPETS, *map(str, sorted(set(chosen)))], env=env,
        capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])  # fmt: skip
    servers, pages = [], []
    for h in range(20):
        server = ThreadingHTTPServer((f"127.0.0.{h + 2}", 0), Pages)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    for n, i in enumerate(chosen):
        server = servers[n % 20]
        host = f"127.0.0.{n % 20 + 2}:{server.server_port}"
        html = f"<!doctype html><html><body><article>{snippets[str(i)]}</article></body></html>"
        Pages.pages[f"{host}/copy-{n}"] = html.encode()
        pages.append((i, f"http://{host}/copy-{n}"))
    return pages, servers


class Client(threading.Thread):
    def __init__(self, soak: Soak, seed: int) -> None:
        super().__init__(daemon=True)
        self.soak = soak
        self.rng = random.Random(seed)
        self.conn = http.client.HTTPConnection("127.0.0.1", soak.port, timeout=30)
        self.etags: dict[str, str] = {}
        self.last_etag = ""
        self.cursor: str | None = None

    def request(self, kind: str, path: str, headers: dict[str, str], body: bytes | None = None,
                method: str = "GET") -> tuple[int, bytes]:  # fmt: skip
        started = time.perf_counter()
        self.last_etag = ""
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
            status = response.status
            self.last_etag = response.getheader("ETag", "")
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.soak.note(kind, 0, time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
            return 0, b""
        self.soak.note(kind, status, time.perf_counter() - started, "")
        return status, data

    def run(self) -> None:
        s = self.soak
        auth = {"Authorization": f"Bearer {s.key}"}
        while time.monotonic() < s.deadline:
            roll = self.rng.random()
            if roll < 0.25:
                path = self.rng.choice(["/feeds/rss/", "/feeds/atom/"])
                headers = dict(auth)
                conditional = path in self.etags and self.rng.random() < 0.5
                if conditional:
                    headers["If-None-Match"] = self.etags[path]
                status, _ = self.request("feed", path, headers)
                s.expect("feed", status, (200, 304))
                if status == 200 and self.last_etag:  # as a feed reader keeps it
                    self.etags[path] = self.last_etag
                with s.lock:
                    s.conditional += conditional
                    s.not_modified += status == 304
            elif roll < 0.45:
                query = f"?cursor={urllib.parse.quote(self.cursor)}" if self.cursor else ""
                status, data = self.request("api", f"/api/v1/stories{query}", auth)
                s.expect("api", status, (200,))
                if status == 200:
                    self.cursor = json.loads(data).get("next")
            elif roll < 0.75:
                i = self.rng.randrange(s.stories)
                status, data = self.request("story", f"/stories/soak-base-story-{i}/", {})
                s.expect("story", status, (200,))
                if status == 200 and f"Soak base story {i}<".encode() not in data:
                    s.wrong_pages += 1
            elif roll < 0.995:
                if s.copies:  # (with workers: real copies, each checked once it is seen)
                    i, page = self.rng.choice(s.copies)
                else:
                    i = self.rng.randrange(s.stories)
                    page = f"https://partner{self.rng.randrange(300)}.example/p/{i}"
                status, _ = self.request("beacon", s.pixels[i],
                                         {"Referer": page, "User-Agent": BROWSER})  # fmt: skip
                if s.expect("beacon", status, (200,)):
                    with s.lock:
                        s.hits_sent[f"soak-base-story-{i}"] += 1
            else:
                self.apply()

    def apply(self) -> None:
        """GET the form and POST it on one connection (the CSRF cookie and token match)."""
        s = self.soak
        n = uuid.uuid4().hex[:8]
        fields = {
            "outlet": f"Outlet {n}", "website": f"https://o{n}.example", "country": "US",
            "monthly_readers": "5000", "audience_evidence": "Analytics", "contact_name": "Ed",
            "contact_email": f"ed@o{n}.example", "agreed_to_terms": "on",
        }  # fmt: skip
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        started = time.perf_counter()
        status, error = 0, ""
        try:
            conn.request("GET", "/republish/apply/")
            response = conn.getresponse()
            page = response.read()
            cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
            token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            if cookie is None or token is None:
                error = "the form carried no CSRF token"
            else:
                body = urllib.parse.urlencode(
                    {"csrfmiddlewaretoken": token.group(1).decode(), **fields}
                ).encode()
                conn.request("POST", "/republish/apply/", body=body, headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={cookie.group(1)}",
                    "Referer": f"http://127.0.0.1:{s.port}/republish/apply/",
                })  # fmt: skip
                response = conn.getresponse()
                response.read()
                status = response.status
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        finally:
            conn.close()
        s.note("apply", status, time.perf_counter() - started, error)
        s.expect("apply", status, (302, 429))


class Soak:
    def __init__(self, port: int, key: str, stories: int, pixels: list[str], seconds: float):
        self.port = port
        self.key = key
        self.stories = stories
        self.pixels = pixels
        self.deadline = time.monotonic() + seconds
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: Counter[tuple[str, int]] = Counter()
        self.errors: Counter[str] = Counter()
        self.hits_sent: Counter[str] = Counter()
        self.wrong_pages = 0
        self.conditional = 0  # feed polls that sent the ETag of an earlier answer
        self.not_modified = 0  # ... answered 304
        self.copies: list[tuple[int, str]] = []  # (story, page url): the served copies

    def note(self, kind: str, status: int, seconds: float, error: str) -> None:
        with self.lock:
            self.latency[kind].append(seconds * 1000)
            self.status[(kind, status)] += 1
            if error:
                self.errors[f"{kind}: {error[:80]}"] += 1

    def expect(self, kind: str, status: int, wanted: tuple[int, ...]) -> bool:
        if status in wanted:
            return True
        if status:
            with self.lock:
                self.errors[f"{kind}: HTTP {status}"] += 1
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--stories", type=int, default=500)
    parser.add_argument("--import-stories", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=0,
                        help="newswire worker processes beside the web server")
    parser.add_argument("--pages", type=int, default=200,
                        help="with --workers: copies served on loopback hosts")
    args = parser.parse_args()
    admin = os.environ.get("SOAK_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
    import psycopg

    dbname = f"newswire_soak_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    tmp = Path(tempfile.mkdtemp(prefix="newswire-soak-"))
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": f"{admin}/{dbname}",
        "NEWSWIRE_DATA": str(tmp / "data"),
        "SECRET_KEY": "soak",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "newswire.settings",
        "NEWSWIRE_API_RATE_PER_MINUTE": "1000000",
        # every client here is 127.0.0.1: lift the per-client bound on new beacon pages
        # (it would rightly drop views of the 150,000 pages one address invents)
        "NEWSWIRE_BEACON_PAGES_PER_CLIENT": "100000000",
        # eight clients on one address stand for many readers: every view counts
        "NEWSWIRE_BEACON_REPEAT_SECONDS": "0",
        # the partners' pages are on loopback hosts; the workers' upkeep runs every 5 s
        "NEWSWIRE_FETCH_ALLOW": "127.0.0.0/8",
        "NEWSWIRE_HOUSEKEEPING": "5",
    }
    server = None
    workers: list[subprocess.Popen[bytes]] = []
    copy_servers: list[ThreadingHTTPServer] = []
    try:
        key = subprocess.run([str(BIN / "python"), "-c", SETUP], env=env, capture_output=True,
                             text=True, check=True).stdout.strip().splitlines()[-1]  # fmt: skip
        base = write_jsonl(tmp / "base.jsonl", [story(i, "base") for i in range(args.stories)])
        subprocess.run([str(BIN / "newswire"), "import", str(base)], env=env, check=True,
                       capture_output=True)  # fmt: skip
        bulk = write_jsonl(tmp / "bulk.jsonl",
                           [story(i, "bulk") for i in range(args.import_stories)])  # fmt: skip
        port = free_port()
        log = (tmp / "serve.log").open("w")
        server = subprocess.Popen(
            [str(BIN / "newswire"), "serve", "--workers", "2", "--port", str(port),
             "--no-migrate"], env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        pixels = []
        for i in range(args.stories):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", f"/stories/soak-base-story-{i}/republish/")
            page = conn.getresponse().read().decode()
            conn.close()
            pixels.append(re.search(r"/beacon/\d+\.gif", page).group(0))
        seconds = args.minutes * 60
        soak = Soak(port, key, args.stories, pixels, seconds)
        if args.workers:
            soak.copies, copy_servers = serve_copies(env, args.pages, args.stories)
            for n in range(args.workers):
                wlog = (tmp / f"worker{n}.log").open("w")
                workers.append(subprocess.Popen([str(BIN / "newswire"), "worker"], env=env,
                                                stdout=wlog, stderr=subprocess.STDOUT))  # fmt: skip
        clients = [Client(soak, n) for n in range(args.clients)]
        started = time.monotonic()
        for c in clients:
            c.start()
        print(f"soak: {args.clients} clients for {args.minutes:g} min on 127.0.0.1:{port} "
              f"(PostgreSQL database {dbname})", flush=True)  # fmt: skip
        importer = subprocess.Popen([str(BIN / "newswire"), "import", str(bulk)], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
        corrections = 0
        next_correction = time.monotonic() + 20
        while time.monotonic() < soak.deadline:
            time.sleep(1)
            if time.monotonic() >= next_correction:
                i = random.randrange(args.stories)
                fix = write_jsonl(tmp / f"fix{corrections}.jsonl",
                                  [story(i, "base", f" Corrected {corrections}.")])  # fmt: skip
                subprocess.run([str(BIN / "newswire"), "import", str(fix)], env=env,
                               capture_output=True, check=True)  # fmt: skip
                corrections += 1
                next_correction += 20
        for c in clients:
            c.join(timeout=60)
        imported = importer.wait(timeout=600)
        elapsed = time.monotonic() - started
        time.sleep(3)  # the beacon spools flush each second
        checks = drained(env, bool(workers))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        for w in workers:
            w.terminate()
            w.wait(timeout=60)
        for cs in copy_servers:
            cs.shutdown()
    recorded = json.loads(
        subprocess.run(
            [str(BIN / "python"), "-c", COUNT_HITS],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    total = sum(soak.status.values())
    errors = sum(soak.errors.values())
    print(f"\n{total} requests in {elapsed:.0f} s ({total / elapsed:.0f}/s), {args.clients} "
          f"clients; import of {args.import_stories} stories exit {imported}; "
          f"{corrections} corrections imported")  # fmt: skip
    print(f"{'kind':<8} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for kind, values in sorted(soak.latency.items()):
        q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
        statuses = ", ".join(f"{st}: {n}" for (k, st), n in sorted(soak.status.items())
                             if k == kind)  # fmt: skip
        print(f"{kind:<8} {len(values):>9} {q[49]:>8.1f} {q[98]:>8.1f}  {statuses}")
    sent = sum(soak.hits_sent.values())
    got = sum(recorded.get(slug, 0) for slug in soak.hits_sent)
    missing = {s: n - recorded.get(s, 0) for s, n in soak.hits_sent.items()
               if recorded.get(s, 0) != n}  # fmt: skip
    print(f"\nerrors: {errors} (target 0)")
    for error, n in soak.errors.most_common(10):
        print(f"  {error}: {n}")
    print(f"pages showing another story: {soak.wrong_pages} (target 0)")
    print(f"feed polls sent with If-None-Match: {soak.conditional}, answered 304: "
          f"{soak.not_modified}")  # fmt: skip
    print(f"beacon hits sent {sent}, recorded {got}; stories whose count differs: {len(missing)}"
          f" (target 0){' e.g. ' + str(list(missing.items())[:5]) if missing else ''}")  # fmt: skip
    bad_checks = report_checks(checks, soak, args.workers, tmp) if workers else 0
    sys.exit(0 if errors == 0 and soak.wrong_pages == 0 and not missing and not bad_checks else 1)


def drained(env: dict[str, str], workers: bool) -> dict[str, Any]:
    """With workers: wait (up to 5 min) until no check task is due or running; then the
    check tasks' statuses, the checks asked per page, and the copies recorded."""
    if not workers:
        return {}
    deadline = time.monotonic() + 300
    while True:
        out = json.loads(subprocess.run([str(BIN / "python"), "-c", CHECKS], env=env,
                                        capture_output=True, text=True, check=True)
                         .stdout.strip().splitlines()[-1])  # fmt: skip
        if not out["due"] or time.monotonic() > deadline:
            return dict(out)
        time.sleep(1)


def report_checks(checks: dict[str, Any], soak: Soak, workers: int, tmp: Path) -> int:
    """Print the checks' figures; return how many were wrong (failed tasks, pages seen and not
    recorded, pages fetched other than once per check asked)."""
    pages = {url for _, url in soak.copies}
    asks: dict[str, int] = checks.get("asks", {})
    fetched = Counter(f"http://{host}{path}" for host, path, _ in Pages.asked
                      if path != "/robots.txt")  # fmt: skip
    recorded = set(checks.get("pickups", [])) & pages
    failed = checks.get("statuses", {}).get("FAILED", 0)
    queued = checks.get("due", 0)
    wrong_fetches = {u: (fetched.get(u, 0), asks.get(u, 0)) for u in pages
                     if fetched.get(u, 0) != asks.get(u, 0)}  # fmt: skip
    viewed = {u for u in pages if asks.get(u, 0)}
    waited = sum(n for said, n in checks.get("returns", {}).items() if said.startswith("waiting"))
    print(f"\n{workers} workers: check tasks {checks.get('statuses')}; put back for their "
          f"host's turn {waited} times; failed {failed} (target 0); due and not run "
          f"{queued} (target 0); sooner re-checks after corrections, due later "
          f"{checks.get('later', 0)}")  # fmt: skip
    print(f"check tasks said: {checks.get('returns')}")
    print(f"copies served {len(pages)}, checks asked {sum(asks.get(u, 0) for u in pages)} "
          f"(first views {len(viewed)}, re-checks after corrections "
          f"{sum(asks.get(u, 0) for u in pages) - len(viewed)}); recorded {len(recorded)} of the "
          f"{len(viewed)} pages checked (target: all); pages fetched other than once per check "
          f"asked: {len(wrong_fetches)} (target 0)")  # fmt: skip
    for url in sorted(viewed - recorded)[:5]:
        print(f"  not recorded: {url}: {checks.get('said_of', {}).get(url)}")
    if wrong_fetches:
        print(f"  e.g. (fetched, asked): {list(wrong_fetches.items())[:5]}")
    errors = [line for n in range(workers)
              for line in (tmp / f"worker{n}.log").read_text().splitlines()
              if "Traceback" in line or " ERROR " in line]  # fmt: skip
    print(f"worker log errors: {len(errors)} (target 0){' e.g. ' + errors[0] if errors else ''}")
    return int(failed + queued) + len(viewed - recorded) + len(wrong_fetches) + len(errors)


if __name__ == "__main__":
    main()
