"""Time to correct (issue 25, part 3): from the notice or push to the first check that saw
a copy carry the change, per partner, with known answers; and the whole loop through a
fake WordPress."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from newswire.distribution.wordpress import connect
from newswire.partners.models import Partner
from newswire.pickups.check import check_urls
from newswire.pickups.models import CorrectionWatch, Pickup
from newswire.pickups.watch import SOONER, by_partner, figures

from ..dashboard.conftest import add_copy, make_partner
from ..distribution.fakewp import PASSWORD, USER, FakeWP
from ..distribution.test_notices import run_worker
from ..fakesite import fake_site

H = timedelta(hours=1)


def _watch(pickup, partner, told, fixed_after):
    return CorrectionWatch.objects.create(
        pickup=pickup, partner=partner, kind="correction", version=2, event_at=told - H,
        told_at=told, fixed_at=told + fixed_after if fixed_after is not None else None,
    )  # fmt: skip


def test_figures_with_known_answers(wire_terms, make_story):
    a = make_partner("Alpha Times", "alpha.example")
    b = make_partner("Beta Post", "beta.example")
    story = make_story()
    now = timezone.now()
    three_days = now - timedelta(days=3)
    for n, after in enumerate([2 * H, 5 * H, None]):  # A: 2 h, 5 h, not yet
        _watch(add_copy(story, f"https://alpha.example/{n}"), a, three_days, after)
    for n, after in enumerate([timedelta(minutes=10), 30 * H]):  # B: 10 min, 30 h
        _watch(add_copy(story, f"https://beta.example/{n}"), b, three_days, after)
    fresh = add_copy(story, "https://beta.example/new")
    _watch(fresh, b, now - 2 * H, None)  # told 2 h ago, not changed: has not had a day
    got = by_partner([a.pk, b.pk])
    fa, fb = got[a.pk], got[b.pk]
    assert (fa.copies, fa.changed, fa.median, fa.within_day) == (3, 2, 5 * H, 2 / 3)
    # B: 10 min, 30 h, not yet: the middle one is 30 h; within a day: 1 of the 2 that had one
    assert (fb.copies, fb.changed, fb.median, fb.within_day, fb.had_a_day) == (3, 2, 30 * H,
                                                                              0.5, 2)  # fmt: skip
    assert fa.median_words() == "5 h 00 min" and fb.median_words() == "30 h 00 min"
    # most not changed: the median is "not yet", never a flattering number
    c = make_partner("Gamma Daily", "gamma.example")
    for n in range(2):
        _watch(add_copy(story, f"https://gamma.example/{n}"), c, three_days, None)
    _watch(add_copy(story, "https://gamma.example/2"), c, three_days, H)
    fc = by_partner([c.pk])[c.pk]
    assert fc.median is None and fc.median_words().startswith("not yet")
    assert figures([]).copies == 0


def test_the_dashboard_shows_time_to_correct(wire_terms, make_story, client, django_user_model):
    a = make_partner("Alpha Times", "alpha.example")
    story = make_story()
    _watch(add_copy(story, "https://alpha.example/x"), a, timezone.now() - 2 * H, 90 * timedelta(
        minutes=1))  # fmt: skip
    staff = django_user_model.objects.create_user("ed", "e@wire.test", "pw", is_staff=True)
    client.force_login(staff)
    ranking = client.get("/dashboard/partners/").content.decode()
    assert "1 h 30 min" in ranking and "1 of 1 changed" in ranking
    page = client.get(f"/dashboard/partners/{a.pk}/").content.decode()
    assert "Time to correct: median 1 h 30 min" in page
    report = client.get("/dashboard/report/").content.decode()
    assert "Time to correct" in report and "1 h 30 min" in report


def test_the_loop_through_a_partners_wordpress(settings, wire_terms, make_story, partner,
                                               django_capture_on_commit_callbacks):  # fmt: skip
    """Released → pushed (published) → recorded as a copy → corrected → the post updated
    → a check sees it: the watch closes, with the time from the push to that check."""
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    with fake_site() as site:
        wp = FakeWP(site)
        site_ = connect(partner, wp.url, USER, PASSWORD, arrive_as="publish")
        site_.connected_at = timezone.now() - H
        site_.save()
        from newswire.partners.models import PartnerDomain

        PartnerDomain.objects.create(partner=partner, domain="127.0.0.1")
        with django_capture_on_commit_callbacks(execute=True):
            story = make_story()
        with django_capture_on_commit_callbacks(execute=True):
            run_worker()  # pushed; the post's page is queued for a check
        run_worker()  # checked: a copy
        (copy,) = Pickup.objects.filter(story=story)
        assert copy.partner == partner and copy.url.startswith(wp.url)
        with django_capture_on_commit_callbacks(execute=True):
            story.correct(body=story.body.replace("Monday", "Sunday"), note="It was Sunday.")
        (w,) = CorrectionWatch.objects.filter(pickup=copy)
        assert w.fixed_at is None
        from django_tasks_db.models import DBTaskResult

        sooner = DBTaskResult.objects.filter(args_kwargs__args__2=story.pk)
        assert sooner.count() == len(SOONER)  # 1 h, 6 h, 1 d, 7 d after the correction
        with django_capture_on_commit_callbacks(execute=True):
            run_worker()  # the post updated (told), the copy re-checked
        w.refresh_from_db()
        if w.fixed_at is None:  # (the re-check ran before the push): the 1-hour one
            list(check_urls([copy.url], via="recheck"))
            w.refresh_from_db()
        assert w.told_at is not None and w.fixed_at is not None and w.fixed_at >= w.told_at
    figures_ = by_partner([partner.pk])[partner.pk]
    assert figures_.changed == 1 and figures_.median is not None
    assert Partner.objects.get(pk=partner.pk).wordpress.url == wp.url


def test_a_partner_nobody_told_is_not_timed(wire_terms, make_story):
    """(issue 32, item 3) Only copies whose partner was told count, from when it was told: a
    partner that never received the story is not ranked "not yet"."""
    a = make_partner("Alpha Times", "alpha.example")
    c = make_partner("Gamma Daily", "gamma.example")
    story = make_story()
    now = timezone.now()
    _watch(add_copy(story, "https://alpha.example/x"), a, now - 30 * H, 2 * H)
    untold = add_copy(story, "https://gamma.example/x")
    CorrectionWatch.objects.create(pickup=untold, partner=c, kind="correction", version=2,
                                   event_at=now - 31 * H)  # fmt: skip
    timing = by_partner([a.pk, c.pk])
    assert c.pk not in timing
    assert timing[a.pk].median == 2 * H and timing[a.pk].copies == 1
