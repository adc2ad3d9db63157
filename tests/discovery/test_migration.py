"""The move of the watched feeds, domain watches and hosts' turns from pickups to discovery
keeps every row (their tables are renamed, their columns given their new names), and
going back gives the old tables again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from newswire.discovery.models import DomainWatch, HostTurn, WatchedFeed
from newswire.partners.models import PartnerDomain

BEFORE = [("pickups", "0014_copy_screenshots"), ("discovery", None)]
OLD = [("pickups", "0014_copy_screenshots")]
WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_rows_move_with_their_models(partner):
    try:
        _rows_move(partner)
    finally:
        _latest()  # (the next tests need the latest tables, whatever failed here)


def _rows_move(partner):
    domain = PartnerDomain.objects.create(partner=partner, domain="localdaily.example")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(OLD).apps
    feed = old.get_model("pickups", "PartnerFeed").objects.create(
        domain_id=domain.pk, url="https://localdaily.example/feed/", kind="feed",
        next_poll_at=WHEN, last_polled_at=WHEN, articles=7, etag='"v1"',
    )  # fmt: skip
    old.get_model("pickups", "DomainWatch").objects.create(domain_id=domain.pk,
                                                            last_error="robots.txt: 500")
    old.get_model("pickups", "HostTurn").objects.create(host="localdaily.example", next_at=WHEN)
    _latest()
    moved = WatchedFeed.objects.get()
    assert (moved.pk, moved.url, moved.next_read_at, moved.last_read_at, moved.articles,
            moved.etag) == (feed.pk, feed.url, WHEN, WHEN, 7, '"v1"')  # fmt: skip
    assert list(domain.watched_feeds.all()) == [moved]
    assert DomainWatch.objects.get().last_error == "robots.txt: 500"
    assert HostTurn.objects.get().next_at == WHEN
    # the rule of one URL a domain holds under its new name
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        WatchedFeed.objects.create(domain=domain, url=feed.url, kind="sitemap")
    # and back: the old tables, the rows in them
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(OLD).apps
    back = old.get_model("pickups", "PartnerFeed").objects.get()
    assert (back.url, back.next_poll_at) == (feed.url, WHEN)
