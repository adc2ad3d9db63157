"""Copies found without anyone asking: the page that showed the beacon is checked by the
worker (once a day per page), through the safe fetcher."""

from __future__ import annotations

from django.db import connection

from newswire.distribution.snippet import snippet_html
from newswire.pickups.models import Pickup

from ..distribution.test_notices import run_worker
from ..fakesite import fake_site, html


def _commit_callbacks() -> None:
    while connection.run_on_commit:  # the test runs in one transaction
        _, callback, _ = connection.run_on_commit.pop(0)
        callback()


def test_a_beacon_hit_queues_a_check_of_its_page(client, make_story, wire_terms, settings):
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    story = make_story()
    with fake_site() as site:
        site.route("/their-copy", html(snippet_html(story)))
        page = f"{site.url}/their-copy"
        for _ in range(3):  # three readers: one check
            client.get(f"/beacon/{story.pk}.gif", headers={"Referer": page})
        _commit_callbacks()
        assert site.log == []  # nothing fetched while serving the pixel
        run_worker()
        assert [path for path in site.paths() if path != "/robots.txt"] == ["/their-copy"]
    pickup = Pickup.objects.get()
    assert pickup.url == page and pickup.history.get().via == "beacon"


def test_a_correction_or_a_withdrawal_rechecks_every_copy(make_story, wire_terms, settings):
    from newswire.pickups.record import record_result

    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    story = make_story()
    with fake_site() as site:
        site.route("/copy", html(snippet_html(story)))  # the copy as first published
        record_result({"url": f"{site.url}/copy", "story": story.uri, "kind": "pickup",
                       "coverage": 1.0, "checks": {}, "compliant": True}, "warc_scan")  # fmt: skip
        story.correct(body=story.body.replace("Monday", "Sunday"), note="It was Sunday.")
        _commit_callbacks()
        run_worker()
        story.withdraw()
        _commit_callbacks()
        run_worker()
        fetched = [p for p in site.paths() if p == "/copy"]
    pickup = Pickup.objects.get()
    history = list(pickup.history.order_by("at").values_list("via", "changes"))
    assert [via for via, _ in history] == ["warc_scan", "recheck", "recheck"] and len(fetched) == 2
    assert "withdrawn story still up" in history[-1][1]
    # the copy still shows version 1 (it missed the correction): it is measured against the
    # version it carries (issue 32)
    assert pickup.version is not None and pickup.version.number == 1
    assert "correction not applied" in history[1][1]


def test_a_copy_that_kept_the_corrected_text_says_so_until_it_is_fixed(
    make_story, wire_terms, settings
):
    from newswire.pickups.record import record_result

    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    story = make_story()
    with fake_site() as site:
        site.route("/copy", html(snippet_html(story)))  # made from version 1
        url = f"{site.url}/copy"
        record_result({"url": url, "story": story.uri, "kind": "pickup", "coverage": 1.0,
                       "checks": {}, "compliant": True}, "warc_scan")  # fmt: skip
        story.correct(body=story.body.replace("packed the hall on Monday",
                                              "filled the hall on Sunday"),
                      note="The meeting was on Sunday.")  # fmt: skip
        _commit_callbacks()
        run_worker()
        pickup = Pickup.objects.get()
        assert pickup.problems == ["correction_not_applied"]
        evidence = pickup.evidence["correction"]
        assert "packed the hall on Monday" in evidence and "Sunday" in evidence
        assert "correction not applied" in pickup.history.order_by("-at").first().changes
        story.refresh_from_db()
        site.route("/copy", html(snippet_html(story)))  # the partner updates its copy
        from newswire.pickups.check import check_urls

        list(check_urls([url], via="recheck"))
    pickup.refresh_from_db()
    assert pickup.problems == [] and "correction" not in pickup.evidence
    assert "correction applied" in pickup.history.order_by("-at").first().changes


def test_a_correction_that_only_cut_words_is_seen_on_a_copy_that_kept_them(
    make_story, wire_terms, settings
):
    """Both versions are wholly on a copy that kept a sentence the correction removed:
    coverage alone cannot tell; the old version's extra words on the page do."""
    from newswire.pickups.check import check_urls
    from newswire.pickups.record import record_result

    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    story = make_story()
    cut = " (RELATED: Council Members Trade Barbs Over Parking Fees At Tense Hearing)"
    first, rest = story.body.split("</p>", 1)
    story.correct(body=f"{first}{cut}</p>{rest}", note="Version 2 (added a link).")
    old = snippet_html(story)  # a copy made with the link
    story.correct(body=f"{first}</p>{rest}", note="Removed a link to a related story.")
    _commit_callbacks()
    with fake_site() as site:
        site.route("/kept", html(old))
        site.route("/fixed", html(snippet_html(story)))
        for path in ("/kept", "/fixed"):
            record_result({"url": f"{site.url}{path}", "story": story.uri, "kind": "pickup",
                           "coverage": 1.0, "checks": {}, "compliant": True}, "warc_scan")  # fmt: skip
        list(check_urls([f"{site.url}/kept", f"{site.url}/fixed"], via="recheck"))
    kept, fixed = (Pickup.objects.get(url__endswith=p) for p in ("/kept", "/fixed"))
    assert kept.problems == ["correction_not_applied"] and "RELATED" in kept.evidence["correction"]
    assert fixed.problems == []


def test_the_whole_loop_beacon_correction_flag_fix_and_time_to_correct(
    client, make_story, wire_terms, settings
):
    """(issue 32, acceptance) A reader's view → the worker checks the page → a correction
    that adds a sentence → its notice, and the worker's re-check flags the copy → the
    partner fixes it → the re-check clears it, and time to correct records it. Both
    databases (CI runs the suite on each)."""
    from django.core import mail

    from newswire.distribution.models import Delivery
    from newswire.partners.models import PartnerDomain
    from newswire.pickups.check import check_urls
    from newswire.pickups.models import CorrectionWatch
    from newswire.pickups.watch import by_partner

    from ..dashboard.conftest import make_partner

    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    partner = make_partner("Riverbend Courier", "riverbend.example")
    PartnerDomain.objects.create(partner=partner, domain="127.0.0.1")
    story = make_story()
    Delivery.objects.create(partner=partner, story=story, channel="feed")
    with fake_site() as site:
        page = f"{site.url}/their-copy"
        site.route("/their-copy", html(snippet_html(story)))
        client.get(f"/beacon/{story.pk}.gif", headers={"Referer": page})
        _commit_callbacks()
        run_worker()
        copy = Pickup.objects.get()
        assert copy.partner == partner and copy.problems == []
        first, rest = story.body.split("</p>", 1)
        story.correct(body=f"{first} The vote was 5 to 4.</p>{rest}", note="Added the count.")
        _commit_callbacks()
        run_worker()  # the notice to the partner, and the re-check of its copy
        assert any("Correction:" in m.subject for m in mail.outbox)
        copy.refresh_from_db()
        assert copy.problems == ["correction_not_applied"], copy.evidence
        assert "still shows the text before the correction" in copy.evidence["correction"]
        watch = CorrectionWatch.objects.get(pickup=copy)
        assert watch.told_at is not None and watch.fixed_at is None
        story.refresh_from_db()
        site.route("/their-copy", html(snippet_html(story)))  # the partner fixes it
        list(check_urls([page], via="partner"))
    copy.refresh_from_db()
    assert copy.problems == [] and copy.version.number == 2
    watch.refresh_from_db()
    assert watch.fixed_at is not None and watch.fixed_at >= watch.told_at
    timing = by_partner([partner.pk])[partner.pk]
    assert timing.copies == 1 and timing.changed == 1 and timing.median is not None
