"""How fast the dashboard answers on a big wire: 10,000 stories, 200,000 pickups.

    .venv/bin/python benchmarks/dashboard.py [--stories 10000] [--pickups 200000]
                                             [--requests 50] [--no-postgres]

Loads the data into a new SQLite file and a new PostgreSQL database (dropped after),
then requests each dashboard page ``--requests`` times through Django's test client
(the view, the templates and the database: no network in between) and prints the
50th, 95th and 99th percentiles and the queries each page ran. Target: p95 < 300 ms.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

CHILD = "--child"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from databases import clean_env, on_both  # noqa: E402  (a sibling module)


def load(stories: int, pickups: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from django.utils.text import slugify

    from newswire.distribution.models import BeaconHit
    from newswire.partners.models import Application, Partner, PartnerDomain
    from newswire.pickups.models import Pickup, Site, failed_mask, url_key
    from newswire.wire.models import Byline, Reporter, Story, StoryVersion, Terms

    rng = random.Random(7)
    now = timezone.now()
    Terms(wire="Bench Wire", affiliation="BW", required=["logo", "byline", "affiliation",
          "restricted_media"], allowed_edits=["trim_end", "headline"]).save()  # fmt: skip
    reporters = Reporter.objects.bulk_create(Reporter(name=f"Reporter {n}") for n in range(200))
    desks = ["Local", "Politics", "Health", "Education", "Business", "Science"]
    made = []
    for n in range(stories):
        at = now - timedelta(days=rng.random() * 365)
        made.append(Story(headline=f"Story number {n} about {desks[n % 6].lower()} matters",
                          slug=f"{slugify(desks[n % 6])}-story-{n}", body="<p>Text.</p>",
                          status="published", desk=desks[n % 6], created_at=at,
                          published_at=at, uri=f"urn:bench:{n}"))  # fmt: skip
    made = Story.objects.bulk_create(made, batch_size=2000)
    Byline.objects.bulk_create(
        (Byline(story=s, reporter=reporters[i % 200]) for i, s in enumerate(made)), batch_size=5000
    )
    versions = StoryVersion.objects.bulk_create(
        (StoryVersion(story=s, number=1, headline=s.headline, body=s.body) for s in made),
        batch_size=5000,
    )
    partners = []
    for n in range(60):
        app = Application.objects.create(
            outlet=f"Partner {n}", website=f"https://partner{n}.example", country="US",
            monthly_readers=rng.randint(1000, 500000), contact_name="Ed",
            contact_email=f"desk@partner{n}.example", agreed_to_terms=True,
        )  # fmt: skip
        p = Partner.objects.create(name=app.outlet, website=app.website,
                                   contact_email=app.contact_email,
                                   status="active" if n % 10 else "suspended")  # fmt: skip
        app.partner = p
        app.status = "approved"
        app.save()
        PartnerDomain.objects.create(partner=p, domain=f"partner{n}.example")
        partners.append(p)
    sites = [Site(host=f"partner{n}.example", partner=partners[n]) for n in range(60)]
    sites += [Site(host=f"copier{n}.example") for n in range(3000)]
    sites = Site.objects.bulk_create(sites, batch_size=2000)
    checks = ["logo", "byline", "affiliation", "link", "restricted_media", "unedited"]
    batch = []
    for n in range(pickups):
        k = rng.randrange(stories)
        site = sites[rng.randrange(60)] if rng.random() < 0.6 else sites[60 + rng.randrange(3000)]
        failed = {c for c in checks if rng.random() < 0.15}
        url = f"https://{site.host}/news/{n}"
        seen = now - timedelta(days=rng.random() * 120)
        batch.append(Pickup(
            story=made[k], version=versions[k], url=url, normalized_url=url, url_key=url_key(url),
            site=site, partner=site.partner, kind="pickup" if rng.random() < 0.9 else "excerpt",
            coverage=0.9, checks={c: c not in failed for c in checks},
            evidence={c: f"evidence for {c}" for c in checks},
            compliant=not failed & {"logo", "byline", "affiliation", "restricted_media"},
            problems=["restricted_photo"] if "restricted_media" in failed else [],
            first_seen=seen, last_checked=seen, text="A paragraph.\n\nAnother.",
            first_day=timezone.localdate(seen),
            failed=failed_mask({c: c not in failed for c in checks}),
            authorised=site.partner is not None and site.partner.status == "active",
        ))  # fmt: skip
        if len(batch) == 5000:
            Pickup.objects.bulk_create(batch)
            batch = []
    Pickup.objects.bulk_create(batch)
    BeaconHit.objects.bulk_create(
        (BeaconHit(story=made[rng.randrange(stories)], page_url=f"https://p/{n}",
                   page_key=uuid.uuid4().hex, day=(now - timedelta(days=rng.random() * 60)).date(),
                   hits=rng.randint(1, 50)) for n in range(50_000)),
        batch_size=5000,
    )  # fmt: skip
    get_user_model().objects.create_user("editor", "e@x.example", "pw", is_staff=True)


def measure(requests: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from newswire.partners.models import Partner
    from newswire.pickups.models import Pickup
    from newswire.wire.models import Story

    client = Client()
    client.force_login(get_user_model().objects.get(username="editor"))
    busiest = Story.objects.order_by("-pickups__id").first()
    assert busiest is not None
    partner = Partner.objects.first()
    copy = Pickup.objects.filter(story=busiest).first()
    assert partner is not None and copy is not None
    year_ago = (timezone.localdate() - timedelta(days=365)).isoformat()
    pages = [
        ("overview", "/dashboard/"),
        ("overview, 1 year", f"/dashboard/?from={year_ago}"),
        ("stories", "/dashboard/stories/"),
        ("stories by copies", "/dashboard/stories/?sort=-copies"),
        ("stories, search + desk", "/dashboard/stories/?q=number+12&desk=Health"),
        ("a story's copies", f"/dashboard/stories/{busiest.slug}/"),
        ("a copy and its diff", f"/dashboard/copies/{copy.pk}/"),
        ("all copies", "/dashboard/copies/"),
        ("all copies, failing logo", "/dashboard/copies/?failing=logo"),
        ("partners", "/dashboard/partners/"),
        ("a partner's copies", f"/dashboard/partners/{partner.pk}/"),
        ("unauthorised sites", "/dashboard/unauthorised/"),
        ("month report", "/dashboard/report/"),
    ]
    print(f"  {'page':28} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'queries':>8}")
    for name, url in pages:
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        ran: list[str] = []

        def counted(execute, sql, *rest, ran=ran):  # type: ignore[no-untyped-def]
            ran.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(counted):
            client.get(url)
        q = statistics.quantiles(times, n=100)
        print(f"  {name:28} {q[49]:8.1f} {q[94]:8.1f} {q[98]:8.1f} {len(ran):8d}")


def child(args: argparse.Namespace) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newswire.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    load(args.stories, args.pickups)
    print(f"  loaded {args.stories} stories, {args.pickups} pickups in "
          f"{time.perf_counter() - start:.0f} s")  # fmt: skip
    # the planner's statistics, as a running installation has them: `newswire worker`
    # refreshes SQLite's every hour, PostgreSQL's autovacuum its own
    from django.db import connection

    from newswire.housekeeping import refresh_statistics

    if connection.vendor == "sqlite":
        refresh_statistics(every=0)
    else:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    measure(args.requests)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--pickups", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(CHILD, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    passed = [f"--stories={args.stories}", f"--pickups={args.pickups}",
              f"--requests={args.requests}", CHILD]  # fmt: skip
    env = clean_env(SECRET_KEY="bench-only", LOG_LEVEL="ERROR", NEWSWIRE_CACHE_SECONDS="0",
                    ALLOWED_HOSTS="testserver")  # fmt: skip
    on_both(__file__, passed, env, sqlite=not args.no_sqlite, postgres=not args.no_postgres)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    main()
