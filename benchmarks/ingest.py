"""How fast pickups are recorded, beside how fast a scan finds them; and checks per second.

1. Recording: the results of a scan of --pages pages (--copies of them copies of the
   wire's stories, the rest matching nothing and so giving no line) are written as
   `newswire scan` JSON lines, then recorded with `newswire pickups ingest`, on SQLite
   and on PostgreSQL (a database of its own on $BENCH_POSTGRES_URL's server). The rate
   is results recorded per second, and, to show whether recording can hold a scan
   back, the page rate of a scan that would produce results that fast.
2. Checking: `check_urls` over --check-pages pages on --hosts fake sites on 127.0.0.1
   (the fetcher's rules on, loopback allowed for the run only), one request a second
   per host as in production: checks per second, and the same with the host gap at 0
   to show the fetch-and-check cost alone.

    .venv/bin/python benchmarks/ingest.py [--pages 100000] [--copies 0.05] [--no-postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

SETUP = r"""
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from newswire.wire.importer import import_file
print(import_file(sys.argv[1]).created)
"""

CHECKS = r"""
import ipaddress, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import django
django.setup()
from django.conf import settings
from newswire.fetch import FetchPolicy, PageFetcher, SafeClient
from newswire.pickups import check as checking
from newswire.pickups.check import check_urls
from newswire.distribution.snippet import snippet_html
from newswire.wire.models import Story

pages, hosts = int(sys.argv[1]), int(sys.argv[2])
stories = list(Story.objects.all()[:50])
page = "<html><body><main><article>{}</article></main></body></html>"
bodies = [page.format(snippet_html(s)).encode() for s in stories]

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        if self.path == "/robots.txt":
            body, ctype = b"User-agent: *\nAllow: /\n", "text/plain"
        else:
            body, ctype = bodies[int(self.path.rsplit("-", 1)[1]) % len(bodies)], "text/html"
        self.send_response(200); self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass

server = ThreadingHTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=server.serve_forever, daemon=True).start()
port = server.server_port
policy = FetchPolicy(allow=(ipaddress.ip_network("127.0.0.1/32"),),
                     resolver=lambda host, p: ["127.0.0.1"])
urls = [f"http://site{i % hosts}.test:{port}/story-{i}" for i in range(pages)]
for gap, label in ((1.0, "one request a second per host"), (0.0, "no gap between requests")):
    turn = lambda host, gap=gap: checking.wait_turn(host, gap)
    with PageFetcher(SafeClient(policy), throttle=turn) as fetcher:
        started = time.perf_counter()
        done = list(check_urls(urls, fetcher=fetcher, via="recheck"))
        seconds = time.perf_counter() - started
    found = sum(len(d.found) for d in done)
    print(f"CHECK {label}|{pages}|{hosts}|{seconds:.2f}|{found}")
"""


def result_lines(path: Path, pages: int, copies: float, stories: int) -> int:
    n = int(pages * copies)
    with path.open("w") as fh:
        for i in range(n):
            fh.write(json.dumps({
                "url": f"https://site{i % 997}.example/2026/story-{i}",
                "story": f"urn:bench:{i % stories}",
                "kind": "pickup", "coverage": 0.93,
                "checks": {"logo": True, "byline": True, "affiliation": i % 3 != 0,
                           "link": True, "restricted_media": True, "unedited": True},
                "compliant": i % 3 != 0, "canonical": False,
                "evidence": {"affiliation": "byline without the wire: By Grace Nakamura"},
                "edits": {"dropped_end": 0, "trimmed_end_only": False, "changed": 0, "inserted": 0},
                "source": "crawl-00001.warc.gz", "where": f"offset {i * 4096}",
            }) + "\n")  # fmt: skip
    return n


def stories_file(path: Path, n: int) -> None:
    with path.open("w") as fh:
        for i in range(n):
            fh.write(json.dumps({
                "uri": f"urn:bench:{i}", "type": "text", "pubstatus": "usable",
                "versioncreated": "2026-01-01T12:00:00+00:00",
                "headlines": [{"role": "main", "value": f"Bench story {i}"}],
                "by": "Grace Nakamura, Reporter", "people": [{"name": "Grace Nakamura"}],
                "bodies": [{"role": "main", "contenttype": "text/html",
                            "value": "".join(f"<p>Paragraph {k} of bench story {i}: the council "
                                             f"met on Tuesday to weigh budget item {i * 7 + k}.</p>"
                                             for k in range(8))}],
            }) + "\n")  # fmt: skip


def run(label: str, env: dict[str, str], args: argparse.Namespace, tmp: Path) -> list[str]:
    stories = tmp / "stories.jsonl"
    stories_file(stories, args.stories)
    subprocess.run([str(BIN / "python"), "-c", SETUP, str(stories)], env=env, check=True,
                   capture_output=True)  # fmt: skip
    results = tmp / f"results-{label}.jsonl"
    n = result_lines(results, args.pages, args.copies, args.stories)
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "newswire"), "pickups", "ingest", "-q", str(results)],
                          env=env, capture_output=True, text=True)  # fmt: skip
    seconds = time.perf_counter() - started
    again_started = time.perf_counter()
    subprocess.run([str(BIN / "newswire"), "pickups", "ingest", "-q", str(results)], env=env,
                   capture_output=True, text=True)  # fmt: skip
    again = time.perf_counter() - again_started
    lines = [
        f"{label:<11} ingest {n:>7} results in {seconds:6.1f} s: {n / seconds:7.0f} results/s "
        f"(as fast as a scan of {n / seconds / args.copies:7.0f} pages/s at {args.copies:.0%} "
        f"copies); again (all already recorded): {n / again:7.0f} results/s",
        f"{'':<11} "
        + (done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:]),
    ]
    if label == "SQLite" and not args.no_checks:
        checks = [str(BIN / "python"), "-c", CHECKS, str(args.check_pages), str(args.hosts)]
        out = subprocess.run(checks, env=env, capture_output=True, text=True)
        for line in out.stdout.splitlines():
            if line.startswith("CHECK "):
                what, pages, hosts, secs, found = line[6:].split("|")
                lines.append(
                    f"{'worker':<11} check {pages} pages on {hosts} hosts, {what}: "
                    f"{int(pages) / float(secs):6.1f} checks/s ({found} copies found)"
                )
        if out.returncode:
            lines.append(out.stderr[-1000:])
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--copies", type=float, default=0.05)
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--check-pages", type=int, default=100)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-checks", action="store_true")
    args = parser.parse_args()
    base = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)},
        "PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "newswire.settings",
        "SECRET_KEY": "bench", "LOG_LEVEL": "ERROR",
    }  # fmt: skip
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="newswire-ingest-") as tmp:
        out += run("SQLite", {**base, "NEWSWIRE_DATA": f"{tmp}/sqlite"}, args, Path(tmp))
        if not args.no_postgres:
            import psycopg

            admin = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
            name = f"newswire_ingest_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                env = {**base, "NEWSWIRE_DATA": f"{tmp}/pg", "DATABASE_URL": f"{admin}/{name}"}
                out += run("PostgreSQL", env, args, Path(tmp))
            finally:
                with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"\nresults of a {args.pages}-page scan, {args.copies:.0%} of the pages copies; "
          f"{os.cpu_count()} cores\n")  # fmt: skip
    print("\n".join(out))


if __name__ == "__main__":
    main()
