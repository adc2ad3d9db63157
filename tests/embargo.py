"""The embargo rule, tested once for every public surface.

A story is visible outside the admin only when it is published (or scheduled)
and its release time has passed. Every public surface — the site, feeds, the
API, the republish snippet, sitemaps, search, partner pages — calls
:func:`assert_embargo_holds` with the URLs that could show a story.

    def test_home_respects_embargo(client):
        assert_embargo_holds(client, list_urls=["/"], detail_urls=lambda s: [s.get_absolute_url()])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from newswire.wire.models import Byline, Reporter, Story

NOT_SHOWN = {401, 403, 404, 410}


def make_states() -> dict[str, Story]:
    """One story in each state, each with a marker word in its headline and body."""
    now = timezone.now()
    reporter, _ = Reporter.objects.get_or_create(
        name="Embargo Tester", defaults={"title": "Reporter"}
    )
    specs = {
        "public": {"status": Story.Status.PUBLISHED},
        "draft": {"status": Story.Status.DRAFT},
        "scheduled": {"status": Story.Status.SCHEDULED, "release_at": now + timedelta(hours=2)},
        "embargoed": {"status": Story.Status.PUBLISHED, "release_at": now + timedelta(days=1)},
        "withdrawn": {"status": Story.Status.WITHDRAWN},
    }
    stories = {}
    for state, kwargs in specs.items():
        marker = f"zq{state}marker"
        story = Story(
            headline=f"Story {marker}",
            body=f"<p>Body text {marker} here.</p>",
            desk="Test",
            **kwargs,
        )
        story.save()
        Byline.objects.create(story=story, reporter=reporter)
        if state == "public":
            story.snapshot()
        stories[state] = story
    return stories


def _text(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def assert_embargo_holds(
    client: Client,
    *,
    list_urls: Iterable[str],
    detail_urls: Callable[[Story], Iterable[str]] = lambda s: [],
    headers: dict[str, str] | None = None,
) -> dict[str, Story]:
    """Check that draft, scheduled, embargoed and withdrawn stories show nowhere; the public one does.

    Then lift the scheduled story's embargo and check that it appears: the
    surface follows the clock, it does not just hide everything.
    """
    headers = headers or {}
    stories = make_states()
    hidden = [s for state, s in stories.items() if state != "public"]
    list_urls = list(list_urls)
    for url in list_urls:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        text = _text(response)
        assert "zqpublicmarker" in text, f"{url} does not show the public story"
        for story in hidden:
            marker = story.headline.split()[-1]  # in the headline and the body
            assert marker not in text, f"{url} shows the {story.status} story {story.headline!r}"
    for story in hidden:
        for url in detail_urls(story):
            response = client.get(url, headers=headers)
            text = _text(response)
            marker = story.headline.split()[-1]
            assert response.status_code in NOT_SHOWN, (
                f"{url}: {response.status_code} for a hidden story"
            )
            assert marker not in text and story.uri not in text, f"{url} leaks the hidden story"
    # lift the embargo on the scheduled story: now it must appear
    Story.objects.filter(pk=stories["scheduled"].pk).update(
        release_at=timezone.now() - timedelta(seconds=1)
    )
    for url in list_urls:
        assert "zqscheduledmarker" in _text(client.get(url, headers=headers)), (
            f"{url} still hides a story whose release time has passed"
        )
    for url in detail_urls(stories["scheduled"]):
        assert client.get(url, headers=headers).status_code == 200, f"{url} after release"
    return stories


def close_file_response(response: Any) -> None:
    """Close a file response's file, as the test client does: without the request-finished
    signal closing the test's database connection (on PostgreSQL that ends the test)."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def _marker(story: Story) -> str:
    return story.headline.split()[-1]


def assert_media_holds(client: Client) -> dict[str, Story]:
    """An uploaded photo of each story is served only while its story is public."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from newswire.wire.models import Media

    stories = make_states()
    urls = {}
    for state, story in stories.items():
        photo = Media(story=story, caption=f"Photo {_marker(story)}", credit="Staff")
        photo.file.save(f"{state}.jpg", SimpleUploadedFile(f"{state}.jpg", b"\xff\xd8\xff\xe0jpg"))
        photo.save()
        urls[state] = photo.src()
        assert state not in urls[state].rsplit("/", 2)[-2], "the folder name is guessable"

    def status_of(url: str) -> int:
        response = client.get(url)
        close_file_response(response)
        return int(response.status_code)

    for state, url in urls.items():
        status = status_of(url)
        if state == "public":
            assert status == 200, f"{url}: {status} for the public story's photo"
        else:
            assert status in NOT_SHOWN, f"{url}: {status} for the {state} story's photo"
    Story.objects.filter(pk=stories["scheduled"].pk).update(
        release_at=timezone.now() - timedelta(seconds=1)
    )
    assert status_of(urls["scheduled"]) == 200, "photo hidden after release"
    return stories


def assert_notices_hold(
    partner: Any, run_worker: Callable[[], None], received: Callable[[], str]
) -> dict[str, Story]:
    """A correction to a story that is not public reaches no partner, by e-mail or webhook.

    ``received`` returns everything the partner got so far (e-mails and webhook
    bodies) as text. The notices of the scheduled story go out once its embargo is
    lifted; those of the withdrawn story never do.
    """
    from newswire.distribution.models import Delivery

    stories = make_states()
    for state, story in stories.items():
        Delivery.objects.create(partner=partner, story=story, channel="feed")
        if state != "public" and not story.versions.exists():
            story.snapshot()
        story.correct(
            body=story.body.replace("here", f"here, corrected {_marker(story)}x"),
            note=f"Fixed {_marker(story)}",
        )
    run_worker()
    got = received()
    assert "zqpublicmarkerx" in got, "the public story's correction did not reach the partner"
    for state, story in stories.items():
        if state != "public":
            assert _marker(story) not in got, f"the {state} story's correction reached a partner"
    stories["scheduled"].refresh_from_db()
    stories["scheduled"].publish_now()
    stories["withdrawn"].refresh_from_db()
    run_worker()
    got = received()
    assert "zqscheduledmarkerx" in got, "held notices did not go when the embargo was lifted"
    assert "zqwithdrawnmarker" not in got
    return stories


def assert_copies_hold(client: Client, editor: Client, partner: Any) -> dict[str, Story]:
    """A copy of a story that is not released, found on a partner's own site, shows the
    partner nothing of the story (its copies page, CSV, re-check, the notice an editor
    drafts to it); the editors see each such copy at once as an embargo break, with the
    evidence. ``client`` is signed in as a member of ``partner``; ``editor`` as staff."""
    from newswire.partners.models import PartnerDomain
    from newswire.pickups.record import record_result

    host = f"copies-{partner.pk}.embargo.example"
    PartnerDomain.objects.get_or_create(domain=host, defaults={"partner": partner})
    stories = make_states()
    copies = {}
    for state, story in stories.items():
        checks = {"logo": False, "byline": True, "affiliation": True, "restricted_media": True}
        result = {
            "url": f"https://{host}/{state}", "story": story.uri, "kind": "pickup",
            "coverage": 0.97, "checks": checks, "compliant": False, "canonical": False,
            "evidence": {"logo": f"no logo on the page {_marker(story)}"}, "edits": {},
            "source": "embargo-test", "where": state,
            "copy": {"headline": story.headline, "text": [f"Body text {_marker(story)} here."]},
        }  # fmt: skip
        copies[state] = record_result(result, "warc_scan", observation=state).pickup
    hidden = {state: s for state, s in stories.items() if state != "public"}
    partner_pages = ["/partner/pickups/", "/partner/pickups/?show=all",
                     "/partner/pickups/?format=csv", "/partner/pickups/?show=all&format=csv",
                     "/partner/"]  # fmt: skip

    def partner_sees() -> str:
        return "\n".join(_text(client.get(url)) for url in partner_pages)

    seen = partner_sees()
    assert "zqpublicmarker" in seen, "the partner does not see its copy of the public story"
    for state, story in hidden.items():
        assert _marker(story) not in seen and story.uri not in seen, (
            f"a partner page shows the {state} story through its copy"
        )
        assert f"https://{host}/{state}" not in seen, f"the {state} story's copy is listed"
        response = client.post(f"/partner/pickups/{copies[state].pk}/recheck/")
        assert response.status_code in NOT_SHOWN, f"re-check of the {state} story's copy"
    drafted = _text(editor.get(f"/dashboard/partners/{partner.pk}/notice/"))
    assert "zqpublicmarker" in drafted, "the notice to the partner leaves out the public copy"
    for state, story in hidden.items():
        assert _marker(story) not in drafted, f"the notice to the partner names the {state} story"
    # the editors: each copy of a story not released is an embargo break, on the overview and
    # the story's page, with its evidence
    overview = _text(editor.get("/dashboard/"))
    assert "Embargo broken" in overview
    for state, story in hidden.items():
        assert story.headline in overview, f"no embargo alert for the {state} story's copy"
        page = _text(editor.get(f"/dashboard/stories/{story.slug}/"))
        assert "Embargo broken" in page and f"/dashboard/copies/{copies[state].pk}/" in page
    assert stories["public"].headline not in overview.split("Embargo broken", 1)[1].split(
        "</section>", 1)[0], "a copy of a released story is called an embargo break"  # fmt: skip
    # the surface follows the clock: released, the scheduled story's copy is the partner's
    Story.objects.filter(pk=stories["scheduled"].pk).update(
        release_at=timezone.now() - timedelta(seconds=1)
    )
    assert "zqscheduledmarker" in partner_sees(), "a released story's copy is still hidden"
    return stories
