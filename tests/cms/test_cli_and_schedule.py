"""`newswire sources add/list/poll`, and the worker's schedule: a due source is polled once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newswire.cli import cli
from newswire.cms.models import Item, StorySource
from newswire.cms.poll import poll
from newswire.cms.tasks import due_sources
from newswire.wire.models import Story

from ..distribution.test_notices import run_worker
from ..fakesite import html, respond
from .fakecms import atom, rss


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_connect_a_wordpress_site_in_three_commands(wp):
    for n in range(1, 5):
        wp.add(n)
    added = run("sources", "add", wp.url, "--publish")
    assert added.exit_code == 0, added.output
    source = StorySource.objects.get()
    assert (
        source.kind == "wordpress" and source.url == f"{wp.site.url}/wp-json/"
    )  # from the Link header
    assert source.publish and "published at once" in added.output
    polled = run("sources", "poll", "--once")
    assert polled.exit_code == 0, polled.output
    assert "4 created" in polled.output and "2 page(s)" in polled.output
    assert Story.objects.public().count() == 4
    listed = run("sources", "list")
    assert "wordpress" in listed.output and "4 stories" in listed.output and "ok" in listed.output


def test_kinds_are_told_apart_and_a_web_page_is_refused_with_its_feed_named(site, wire_terms):
    site.route("/feed", respond(200, rss([{"n": 1}]), "application/rss+xml"))
    site.route("/atom", respond(200, atom([1]), "application/atom+xml"))
    site.route("/page", html(f'<head><link rel="alternate" type="application/rss+xml" '
                             f'href="{site.url}/feed"></head><p>Hello</p>'))  # fmt: skip
    assert run("sources", "add", f"{site.url}/feed").exit_code == 0
    assert run("sources", "add", f"{site.url}/atom", "--draft").exit_code == 0
    assert dict(StorySource.objects.values_list("url", "kind")) == {
        f"{site.url}/feed": "rss",
        f"{site.url}/atom": "atom",
    }
    page = run("sources", "add", f"{site.url}/page")
    assert page.exit_code == 2
    assert f"its feed is {site.url}/feed: add that" in page.stderr
    again = run("sources", "add", f"{site.url}/feed")
    assert again.exit_code == 2 and "already a source" in again.stderr
    bad = run("sources", "add", "javascript:alert(1)", "--kind", "rss")
    assert bad.exit_code == 2 and "http" in bad.stderr


def test_poll_once_exits_1_when_a_source_failed_and_still_polls_the_others(site, wire_terms):
    site.route("/feed", respond(200, rss([{"n": 1}]), "application/rss+xml"))
    site.route("/down", respond(500, b"oops"))
    StorySource.objects.create(url=f"{site.url}/down", kind="rss")
    StorySource.objects.create(url=f"{site.url}/feed", kind="rss")
    result = run("sources", "poll", "--once")
    assert result.exit_code == 1
    assert "FAILED" in result.output and "HTTP 500" in result.output
    assert "1 created" in result.output and Story.objects.count() == 1
    unknown = run("sources", "poll", "--once", "99")
    assert unknown.exit_code == 2 and "no source with id 99" in unknown.stderr


@pytest.mark.django_db
def test_a_due_source_is_queued_once_and_the_worker_polls_it(wp, wp_source):
    wp.add(1)
    assert due_sources() == 1
    assert due_sources() == 0  # claimed: its next poll moved on
    run_worker()
    assert Story.objects.count() == 1
    wp_source.refresh_from_db()
    assert wp_source.next_poll_at > timezone.now() + timedelta(seconds=200)
    assert DBTaskResult.objects.filter(task_path__endswith="poll_source").count() == 1


def test_the_admin_shows_each_sources_faults_and_flagged_items(site, wp, wp_source, admin_client):
    wp.add(1)
    wp.add(2)
    poll(wp_source)
    wp.remove(2, 404)
    StorySource.objects.filter(pk=wp_source.pk).update(swept_at=None)
    wp_source.refresh_from_db()
    poll(wp_source)
    site.route("/down", respond(500, b"oops"))
    down = StorySource.objects.create(url=f"{site.url}/down", kind="rss", name="Old feed")
    poll(down)
    listing = admin_client.get("/admin/cms/storysource/").content.decode()
    assert "failed" in listing and "Old feed" in listing
    assert "flag__in=deleted,unpublished" in listing  # the flagged count links to the items
    page = admin_client.get(f"/admin/cms/storysource/{down.pk}/change/").content.decode()
    assert "HTTP 500" in page and f"{site.url}/down" in page
    items = admin_client.get("/admin/cms/item/?flag__in=deleted,unpublished").content.decode()
    assert "Story 2" in items and "Story 1" not in items
    item = Item.objects.get(cms_id="2")
    admin_client.post(
        "/admin/cms/item/", {"action": "mark_reviewed", "_selected_action": [item.pk]}
    )
    item.refresh_from_db()
    assert item.flag == "reviewed"
    assert Story.objects.get(cms_item=item).status == "published"
