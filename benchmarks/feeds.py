"""Requests/s and latency of the partner surfaces under gunicorn (2 workers), beside a static file.

For each database (SQLite in a temporary folder; PostgreSQL at $BENCH_POSTGRES_URL,
default postgres://postgres@127.0.0.1:5432/newswire_bench, created if missing):
migrate, load 1,000 published stories and a partner with a key, start
`newswire serve --workers 2` on a loopback port, and drive it with wrk
(Debian package `wrk`; a C load generator, so the client costs little of the
2 cores) for --seconds per endpoint, 16 connections.

Endpoints: a static file served by the same server in the same run (the yardstick
each ratio is taken against), the RSS feed (50 full-text items, a fresh 200 each
time), the same feed polled with If-None-Match (304s: what a feed reader mostly
sees), /api/v1/stories (20 ninjs items), a story page, and the beacon (after which
the recorded hits are checked against the responses wrk counted: none may be lost).
The per-key rate limit is raised for the run (every request still counts against it).
Targets (issue 9): fresh feed, API and story page at >= 0.25x static with p99 < 100 ms;
304 polls and the beacon at >= 0.5x static with p99 < 50 ms.

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


def _ms(text: str) -> float:
    found = re.match(r"([\d.]+)(us|ms|s|m)", text)
    if found is None:
        raise ValueError(f"wrk printed a latency this does not read: {text!r}")
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, seconds: int, headers: dict[str, str]) -> dict[str, float]:
    args = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency"]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    if "Requests/sec" not in out:
        raise RuntimeError(f"wrk on {url}: {out}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "bad": (int(non2xx.group(1)) if non2xx else 0)
        + (sum(int(g) for g in errors.groups()) if errors else 0),
    }


COUNT_HITS = """
import django; django.setup()
from django.db.models import Sum
from newswire.distribution.beacon import drain_spool
from newswire.distribution.models import BeaconHit
drain_spool()
print(BeaconHit.objects.aggregate(s=Sum("hits"))["s"] or 0)
"""


def bench(label: str, env: dict[str, str], stories: int, seconds: int) -> list[dict[str, object]]:
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
        page = urllib.request.urlopen(base + "/stories/bench-story-7/").read().decode()
        pixel = re.search(
            r"/beacon/\d+\.gif",
            urllib.request.urlopen(base + "/stories/bench-story-7/republish/").read().decode(),
        ).group(0)
        assert "Bench story 7" in page
        rows = []
        for name, url, headers in [
            ("static file (yardstick)", "/static/newswire/site.css", {}),
            (f"RSS feed (50 items, {size // 1024} kB)", "/feeds/rss/", auth),
            ("RSS feed polled, 304", "/feeds/rss/", {**auth, "If-None-Match": etag}),
            ("API /api/v1/stories (20 items)", "/api/v1/stories", auth),
            ("story page", "/stories/bench-story-7/", {}),
            ("beacon", pixel, {"Referer": "https://copy.example/page"}),
        ]:
            wrk(base + url, 2, headers)  # warm up
            if name == "beacon":
                time.sleep(2)  # the warm-up's views are recorded (the spool flushes each second)
            before = _hits(env) if name == "beacon" else 0
            row: dict[str, object] = {
                "db": label,
                "endpoint": name,
                **wrk(base + url, seconds, headers),
            }
            if name == "beacon":
                time.sleep(2)
                row["lost"] = row["requests"] - (_hits(env) - before)  # type: ignore[operator]
            rows.append(row)
        return rows
    finally:
        server.terminate()
        server.wait(10)


def _hits(env: dict[str, str]) -> int:
    out = subprocess.run([str(BIN / "python"), "-c", COUNT_HITS], env=env, capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    return int(out.strip().splitlines()[-1])


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
    targets = {"RSS feed polled, 304": (0.5, 50), "beacon": (0.5, 50)}
    print(f"{'database':<11} {'endpoint':<34} {'req/s':>8} {'x static':>9} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'target':>16} {'errors':>7}")  # fmt: skip
    static = {r["db"]: r["rps"] for r in rows if str(r["endpoint"]).startswith("static")}
    for r in rows:
        ratio = float(r["rps"]) / float(static[r["db"]])  # type: ignore[arg-type]
        name = str(r["endpoint"])
        if name.startswith("static"):
            target = ""
        else:
            want, p99 = targets.get(name, (0.25, 100))
            ok = ratio >= want and float(r["p99"]) < p99  # type: ignore[arg-type]
            target = f">={want}x <{p99}ms {'ok' if ok else 'MISS'}"
        extra = ""
        if "lost" in r:  # recorded beyond wrk's count: requests in flight when wrk stopped
            lost = int(r["lost"])  # type: ignore[call-overload]
            extra = f"  hits lost: {max(0, lost)} (+{max(0, -lost)} in flight at the end)"
        print(f"{r['db']:<11} {name:<34} {r['rps']:>8.1f} {ratio:>9.2f} {r['p50']:>8.1f} "
              f"{r['p99']:>8.1f} {target:>16} {r['bad']:>7}{extra}")  # fmt: skip


if __name__ == "__main__":
    main()
