"""How fast stories arrive from a WordPress site: a fake WordPress of 10,000 posts on
127.0.0.1 (the tests' own, with embedded authors, featured media and terms, 100 posts a
page), polled as `newswire worker` polls it.

    .venv/bin/python benchmarks/sources.py [--posts 10000] [--no-postgres] [--no-sqlite]

For each database (a new SQLite file, a new PostgreSQL database dropped after) it prints:
the first poll (every post imported: items per second), a second poll with nothing
changed, and a poll after 100 posts were edited (each a correction). Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

CHILD = "--child"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from databases import clean_env, on_both  # noqa: E402  (a sibling module)


def child(args: argparse.Namespace) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newswire.settings")
    django.setup()
    from django.core.management import call_command

    from newswire.cms.models import StorySource
    from newswire.cms.poll import poll
    from newswire.wire.models import Story, StoryVersion, Terms
    from tests.cms.fakecms import FakeWordPress
    from tests.fakesite import fake_site

    call_command("migrate", verbosity=0)
    Terms(wire="Bench Wire", affiliation="BW", restricted_credits=["Getty Images"],
          required=["logo", "byline", "affiliation", "restricted_media"]).save()  # fmt: skip
    with fake_site() as site:
        wp = FakeWordPress(site, per_page=100)
        for n in range(1, args.posts + 1):
            wp.add(n, credit="Drew Angerer/Getty Images" if n % 3 == 0 else "Staff")
        source = StorySource.objects.create(url=wp.url, kind="wordpress", publish=True)

        def timed(label: str) -> None:
            start = time.perf_counter()
            done = poll(StorySource.objects.get(pk=source.pk))
            seconds = time.perf_counter() - start
            rate = done.items / seconds if seconds else 0
            error = f"  ERROR {done.error}" if done.error else ""
            print(f"  {label:30} {seconds:7.1f} s {done.pages:4d} pages {done.items:6d} items "
                  f"({done.created} created, {done.corrected} corrected, "
                  f"{done.unchanged} unchanged) {rate:6.0f} items/s{error}")  # fmt: skip

        timed("first poll (every post)")
        print(f"    stories {Story.objects.count()}, versions {StoryVersion.objects.count()}")
        timed("second poll (nothing changed)")
        for n in range(1, args.posts + 1, max(1, args.posts // 100)):
            wp.edit(n, body=wp.posts[n]["content"]["rendered"].replace("Monday", "Tuesday"))
        timed("after 100 posts were edited")
        print(f"    corrections {StoryVersion.objects.filter(number__gt=1).count()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(CHILD, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    env = clean_env(SECRET_KEY="bench-only", LOG_LEVEL="ERROR", NEWSWIRE_FETCH_ALLOW="127.0.0.1/32",
                    PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'src'}")  # fmt: skip
    print(f"A fake WordPress of {args.posts} posts on 127.0.0.1, 100 posts a page")
    on_both(__file__, [f"--posts={args.posts}", CHILD], env, sqlite=not args.no_sqlite,
            postgres=not args.no_postgres)  # fmt: skip


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    main()
