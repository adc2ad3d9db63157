"""Requests/s for the partner RSS feed and the API story list, served by gunicorn (2 workers).

For each database (SQLite in a temporary folder; PostgreSQL at $BENCH_POSTGRES_URL,
default postgres://postgres@127.0.0.1:5432/newswire_bench, created if missing):
migrate, load 1,000 published stories and a partner with a key, start
`newswire serve --workers 2` on a loopback port, and drive it with wrk
(Debian package `wrk`; a C load generator, so the client costs little of the
2 cores) for --seconds per endpoint, 16 connections.

Endpoints: the RSS feed (50 full-text items, a fresh 200 each time), the same
feed polled with If-None-Match (304s: what a feed reader mostly sees), and
/api/v1/stories (20 ninjs items). The per-key rate limit is raised for the run
(every request still counts against it in the database).

    .venv/bin/python benchmarks/feeds.py [--seconds 10] [--stories 1000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SETUP = r"""
import sys
from datetime import timedelta
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
from newswire.wire.models import Story, Reporter, Byline, StoryVersion, Terms
from newswire.partners.models import Partner
from newswire.distribution.models import ApiKey
n = int(sys.argv[1])
Story.objects.all().delete()
Terms(wire="Bench News Service", affiliation="BNS", logo_url="https://bench.example/logo.png",
      required=["logo", "byline", "affiliation"], allowed_edits=["trim_end", "headline"],
      text="Free to republish with our logo and byline.").save()
reporter, _ = Reporter.objects.get_or_create(name="Grace Nakamura", defaults={"title": "Reporter"})
now = timezone.now()
line = "The council met on Tuesday to weigh the budget and the parks plan."
para = "<p>" + " ".join([line] * 6) + "</p>"
stories = [Story(headline=f"Bench story {i}", slug=f"bench-story-{i}", body=para * 12, summary="s",
                 status="published", published_at=now - timedelta(minutes=i),
                 release_at=now - timedelta(minutes=i), created_at=now - timedelta(minutes=i),
                 uri=f"urn:bench:{i}") for i in range(n)]
Story.objects.bulk_create(stories, batch_size=500)
ids = list(Story.objects.values_list("pk", flat=True))
Byline.objects.bulk_create([Byline(story_id=i, reporter=reporter) for i in ids], batch_size=500)
StoryVersion.objects.bulk_create(
    [StoryVersion(story_id=s.pk, number=1, headline=s.headline, body=s.body)
     for s in Story.objects.all()],
    batch_size=500)
partner = Partner.objects.create(name="Bench Daily", website="https://benchdaily.example",
                                 contact_email="b@benchdaily.example")
print(ApiKey.issue(partner, "bench")[1])
"""


def wrk(url: str, seconds: int, headers: dict[str, str]) -> tuple[float, str, int]:
    args = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency"]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+(\S+)", out).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, int(non2xx.group(1)) if non2xx else 0


def bench(
    label: str, env: dict[str, str], stories: int, seconds: int
) -> list[tuple[str, str, float, str, int]]:
    key = (
        subprocess.run(
            [str(BIN / "python"), "-c", SETUP, str(stories)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "newswire"), "serve", "--workers", "2", "--port", str(port), "--no-migrate"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        auth = {"Authorization": f"Bearer {key}"}
        req = urllib.request.Request(base + "/feeds/rss/", headers=auth)
        with urllib.request.urlopen(req) as r:
            etag, size = r.headers["ETag"], len(r.read())
        rows = []
        for name, url, headers in [
            (f"RSS feed (50 items, {size // 1024} kB)", "/feeds/rss/", auth),
            ("RSS feed polled, 304", "/feeds/rss/", {**auth, "If-None-Match": etag}),
            ("API /api/v1/stories (20 items)", "/api/v1/stories", auth),
        ]:
            wrk(base + url, 2, headers)  # warm up
            rps, p50, bad = wrk(base + url, seconds, headers)
            rows.append((label, name, rps, p50, bad))
        return rows
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    base_env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "newswire.settings",
        "NEWSWIRE_API_RATE_PER_MINUTE": "100000000",
        "SECRET_KEY": "bench",
        "LOG_LEVEL": "ERROR",
    }
    rows = []
    with tempfile.TemporaryDirectory(prefix="newswire-bench-") as tmp:
        env = {**base_env, "NEWSWIRE_DATA": tmp}
        env.pop("DATABASE_URL", None)
        rows += bench("SQLite", env, args.stories, args.seconds)
        if not args.no_postgres:
            url = os.environ.get(
                "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/newswire_bench"
            )
            dbname = url.rsplit("/", 1)[1]
            import psycopg

            with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
                exists = conn.execute(
                    "select 1 from pg_database where datname = %s", (dbname,)
                ).fetchone()
                if not exists:
                    conn.execute(f'create database "{dbname}"')
            rows += bench("PostgreSQL", {**env, "DATABASE_URL": url}, args.stories, args.seconds)
    print(
        f"\n{args.stories} published stories; gunicorn 2 workers; "
        f"wrk -t2 -c16 -d{args.seconds}s on 127.0.0.1; {os.cpu_count()} cores\n"
    )
    print(f"{'database':<11} {'endpoint':<34} {'req/s':>8} {'p50':>9} {'non-2xx/3xx':>12}")
    for label, name, rps, p50, bad in rows:
        print(f"{label:<11} {name:<34} {rps:>8.1f} {p50:>9} {bad:>12}")


if __name__ == "__main__":
    main()
