"""How fast ``newswire import`` stores a big ninjs file into an empty wire.

    .venv/bin/python benchmarks/imports.py [--stories 10000] [--postgres]

Writes ``--stories`` ninjs 2.2 items (about 300 words each, one or two of 100 reporters, a
photo on every third) to a JSON-lines file, imports it into a new SQLite database (and a
new PostgreSQL one with ``--postgres``) in its own process, and prints stories a second;
then imports the file again (nothing new: every story found by its uri). Goal: at least
500 stories a second. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = "--child"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from databases import WORDS, clean_env, postgres_database  # noqa: E402  (a sibling module)


def write(path: Path, n: int) -> None:
    rng = random.Random(3)
    with path.open("w") as fh:
        for k in range(n):
            body = "".join(f"<p>Para {k}-{p}: " + " ".join(rng.choice(WORDS) for _ in range(50))
                           + ".</p>" for p in range(6))  # fmt: skip
            item = {
                "uri": f"urn:bench:import:{k}", "type": "text", "version": "1",
                "standard": {"name": "ninjs", "version": "2.2",
                             "schema": "https://www.iptc.org/std/ninjs/ninjs-schema_2.2.json"},
                "pubstatus": "usable", "firstcreated": "2026-11-01T12:00:00+00:00",
                "versioncreated": "2026-11-01T12:00:00+00:00", "language": "en",
                "headlines": [{"role": "main", "value": f"Story {k} on the {rng.choice(WORDS)}"}],
                "bodies": [{"role": "main", "contenttype": "text/html", "value": body}],
                "subjects": [{"name": rng.choice(["Local", "Politics", "Health"]),
                              "uri": "http://example.org/desk"}],
                "by": "Reporter", "people": [{"name": f"Reporter {rng.randrange(100)}",
                                              "rel": "author"}],
            }  # fmt: skip
            if k % 3 == 0:
                item["associations"] = [{
                    "name": "featureimage", "uri": f"https://wire.example/photos/{k}.jpg",
                    "type": "picture", "by": "Staff photographer",
                    "renditions": [{"name": "original",
                                    "href": f"https://wire.example/photos/{k}.jpg"}],
                    "descriptions": [{"role": "caption", "value": "A photo."}]}]  # fmt: skip
            fh.write(json.dumps(item) + "\n")


def child(path: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newswire.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from newswire.wire.importer import import_file
    from newswire.wire.models import Story

    for run in ("into an empty wire", "again (nothing new)"):
        start = time.perf_counter()
        report = import_file(path)
        took = time.perf_counter() - start
        n = report.created + report.updated + report.unchanged + report.corrected
        counts = f"created {report.created}, unchanged {report.unchanged}, bad {len(report.bad)}"
        print(f"  {run}: {n} stories in {took:.1f} s, {n / took:.0f} stories/s ({counts})")
    print(f"  stories on the wire: {Story.objects.count()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument(CHILD)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stories.jsonl"
        write(path, args.stories)
        print(f"{args.stories} ninjs stories, SQLite", flush=True)
        env = clean_env(NEWSWIRE_DATA=f"{tmp}/sqlite")
        subprocess.run([sys.executable, __file__, CHILD, str(path)], check=True, env=env)
        if args.postgres:
            with postgres_database() as url:
                print("PostgreSQL", flush=True)
                env = clean_env(NEWSWIRE_DATA=f"{tmp}/pg", DATABASE_URL=url)
                subprocess.run([sys.executable, __file__, CHILD, str(path)], check=True, env=env)


if __name__ == "__main__":
    main()
