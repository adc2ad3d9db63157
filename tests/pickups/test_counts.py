"""The dashboard's counts kept as rows (DayCount, PartnerDay, StoryMonth) by the database's
triggers: after every way a copy is made, changed, moved or deleted they equal the counts
made from the copies themselves. (The PostgreSQL pass of CI runs these on its triggers.)"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from newswire.partners.models import Partner
from newswire.pickups.models import (
    CHECK_NAMES,
    DayCount,
    PartnerDay,
    Pickup,
    Site,
    StoryMonth,
    failed_mask,
    url_key,
)

from ..dashboard.conftest import add_copy, make_partner


def expected() -> tuple[Counter, Counter, Counter]:
    days, partners, stories = Counter(), Counter(), Counter()
    for p in Pickup.objects.all():
        days[(p.first_day, p.kind, p.compliant, p.authorised)] += 1
        stories[(p.first_day.replace(day=1), p.story_id, "n")] += 1
        stories[(p.first_day.replace(day=1), p.story_id, "compliant")] += p.compliant
        if p.partner_id is not None:
            partners[(p.first_day, p.partner_id, "n")] += 1
            partners[(p.first_day, p.partner_id, "compliant")] += p.compliant
            for n, name in enumerate(CHECK_NAMES):
                partners[(p.first_day, p.partner_id, name)] += (p.failed >> n) & 1
    return +days, +partners, +stories


def kept() -> tuple[Counter, Counter, Counter]:
    days = Counter(
        {(d.day, d.kind, d.compliant, d.authorised): d.n for d in DayCount.objects.all()}
    )
    partners, stories = Counter(), Counter()
    for row in PartnerDay.objects.all():
        partners[(row.day, row.partner_id, "n")] = row.n
        partners[(row.day, row.partner_id, "compliant")] = row.compliant
        for name in CHECK_NAMES:
            partners[(row.day, row.partner_id, name)] = getattr(row, f"failed_{name}")
    for row in StoryMonth.objects.all():
        stories[(row.month, row.story_id, "n")] = row.n
        stories[(row.month, row.story_id, "compliant")] = row.compliant
    assert all(n > 0 for n in days.values()), "a row counting nothing is deleted"
    return +days, +partners, +stories


def assert_kept() -> None:
    assert kept() == expected()


@pytest.mark.django_db(transaction=True)
def test_the_counts_follow_every_way_a_copy_changes(wire_terms, make_story):
    alpha = make_partner("Alpha Times", "alpha.example")
    one, two = make_story("Council Delays Budget Vote"), make_story("Bridge Opens Early")
    a1 = add_copy(one, "https://alpha.example/council")
    add_copy(one, "https://copycat.example/c", failed=("logo", "byline"))
    add_copy(two, "https://alpha.example/bridge", failed=("affiliation",), kind="excerpt")
    assert DayCount.objects.exists() and PartnerDay.objects.exists()
    assert_kept()
    # a re-check that changes the verdict (save())
    a1.checks = {**a1.checks, "logo": False}
    a1.compliant = False
    a1.save()
    assert_kept()
    # a copy first seen on another day, in another month
    old = add_copy(two, "https://copycat.example/old")
    Pickup.objects.filter(pk=old.pk).update(first_day=timezone.localdate() - timedelta(days=40))
    assert_kept()
    # a site given to a partner: its copies move in one update (as the partners' signals do)
    Pickup.objects.filter(site__host="copycat.example").update(partner=alpha, authorised=True)
    assert_kept()
    # a partner suspended: authorised changes in bulk
    Partner.objects.filter(pk=alpha.pk).update(status="suspended")
    Pickup.objects.filter(partner=alpha).update(authorised=False)
    assert_kept()
    # bulk_create, as the benchmark loads (no save())
    site = Site.objects.create(host="bulk.example")
    Pickup.objects.bulk_create(
        Pickup(story=one, url=f"https://bulk.example/{n}", normalized_url=f"bulk.example/{n}",
               url_key=url_key(f"https://bulk.example/{n}"), site=site, partner=alpha,
               checks={"logo": n % 2 == 0}, failed=failed_mask({"logo": n % 2 == 0}),
               compliant=n % 3 == 0, first_day=timezone.localdate() - timedelta(days=n))
        for n in range(30)
    )  # fmt: skip
    assert_kept()
    # a partner deleted (its copies' partner set to null), a queryset delete, a story deleted
    # (its copies cascade)
    alpha.delete()
    assert_kept()
    Pickup.objects.filter(kind="excerpt").delete()
    assert_kept()
    one.delete()
    assert_kept()
    Pickup.objects.all().delete()
    assert kept() == (Counter(), Counter(), Counter())
    assert not DayCount.objects.exists() and not StoryMonth.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_raw_sql_is_counted_too(wire_terms, make_story):
    story = make_story()
    copy = add_copy(story, "https://copycat.example/raw")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pickups_pickup SET kind = 'excerpt', compliant = %s WHERE id = %s",
                       [not copy.compliant, copy.pk])  # fmt: skip
    assert_kept()
    assert DayCount.objects.get().kind == "excerpt"


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_the_copies_already_there(wire_terms, make_story):
    from django.db.migrations.executor import MigrationExecutor

    make_partner("Alpha Times", "alpha.example")
    story = make_story()
    add_copy(story, "https://alpha.example/a", failed=("logo",))
    add_copy(story, "https://copycat.example/b")
    executor = MigrationExecutor(connection)
    executor.migrate([("pickups", "0009_rename_source_partnerfeed")])  # no counts, no triggers
    with connection.cursor() as cursor:  # a copy from before first_day was kept
        cursor.execute("UPDATE pickups_pickup SET first_day = NULL WHERE url LIKE %s",
                       ["%copycat%"])  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.migrate([("pickups", "0010_dashboard_counts")])
    executor = MigrationExecutor(connection)  # (then on to the latest: the models' columns)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Pickup.objects.filter(first_day__isnull=True).count() == 0
    assert_kept()
    assert sum(d.n for d in DayCount.objects.all()) == 2


@pytest.mark.django_db
def test_the_triggers_are_there_after_every_migration():
    """SQLite drops a table's triggers when a migration rebuilds it (an AlterField on
    Pickup does): a later migration that forgets to make them again fails here."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND "
                           "tbl_name = 'pickups_pickup' ORDER BY name")  # fmt: skip
            expected = ["pickups_count_delete", "pickups_count_insert", "pickups_count_update"]
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = "
                           "'pickups_pickup'::regclass AND NOT tgisinternal")  # fmt: skip
            expected = ["pickups_keep_counts"]
        assert [name for (name,) in cursor.fetchall()] == expected
