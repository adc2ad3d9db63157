"""Views without bots: the beacon counts readers, not crawlers, link previews, prefetches or a
reader's reloads. A labelled traffic log (``traffic.jsonl``: browsers, search and SEO bots,
scripts, the preview fetchers of Slack, Facebook, X, iMessage, WhatsApp, LinkedIn, Telegram,
Discord, Skype, browsers' prefetches, and one reader's repeat views) measures the filter."""

from __future__ import annotations

import json
from pathlib import Path

from newswire.distribution.models import BeaconHit

LOG = Path(__file__).parent / "traffic.jsonl"


def test_the_filter_on_the_labelled_traffic_log(client, make_story, settings):
    settings.NEWSWIRE_BEACON_REPEAT_SECONDS = 1800
    story = make_story()
    requests = [json.loads(line) for line in LOG.read_text().splitlines() if line.strip()]
    counted = []
    for r in requests:
        before = sum(BeaconHit.objects.values_list("hits", flat=True))
        headers = {"Referer": r["page"], **r.get("headers", {})}
        response = client.get(f"/beacon/{story.pk}.gif", headers=headers,
                              HTTP_USER_AGENT=r["ua"], REMOTE_ADDR=r["ip"])  # fmt: skip
        assert response.status_code == 200 and response.content.startswith(b"GIF89a")
        counted.append(sum(BeaconHit.objects.values_list("hits", flat=True)) > before)
    views = [r["label"] == "view" for r in requests]
    true_pos = sum(c and v for c, v in zip(counted, views, strict=True))
    precision = true_pos / max(sum(counted), 1)
    recall = true_pos / sum(views)
    wrong = [(r["label"], r["ua"][:60]) for r, c, v in zip(requests, counted, views, strict=True)
             if c != v]  # fmt: skip
    print(
        f"beacon filter on {len(requests)} labelled requests ({sum(views)} views): "
        f"precision {precision:.3f}, recall {recall:.3f}"
    )  # for the record
    assert precision == 1.0 and recall == 1.0, wrong
    assert {r["label"] for r in requests} == {"view", "bot", "preview", "prefetch", "repeat"}


def test_a_repeat_view_counts_again_after_the_window(client, make_story, settings):
    from django.core.cache import cache

    settings.NEWSWIRE_BEACON_REPEAT_SECONDS = 1800
    story = make_story()
    page = {"Referer": "https://daily.example/a"}
    for _ in range(3):
        client.get(f"/beacon/{story.pk}.gif", headers=page)
    assert BeaconHit.objects.get().hits == 1
    cache.clear()  # the window has passed
    client.get(f"/beacon/{story.pk}.gif", headers=page)
    assert BeaconHit.objects.get().hits == 2


def test_the_dashboard_says_how_views_are_counted(admin_client, wire_terms, settings):
    settings.NEWSWIRE_BEACON_REPEAT_SECONDS = 1800
    page = admin_client.get("/dashboard/").content.decode()
    assert "by readers' browsers (not counted: bots, link previews, prefetches" in page
    assert "repeat views within 30 minutes" in page
