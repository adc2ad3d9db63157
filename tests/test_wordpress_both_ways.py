"""The newsroom's WordPress to the partner's, both real (Debian's package, on loopback:
tests/realwp), with newswire between them as it runs: the newsroom's edit pings newswire
(the must-use plugin newswire ships), the worker polls the source, the correction goes to
the partner's post. Skipped, with the reason, where scripts/real-wordpress-setup has not
run; .ci/run runs it.

The ping reaches newswire's view through a loopback relay that hands it to Django's test
client in the test's own thread (a live server thread and the test's worker on one SQLite
test database lock each other out)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

import newswire.cms
from newswire.cms.models import StorySource
from newswire.distribution.models import WordPressPost
from newswire.distribution.wordpress import connect
from newswire.partners.models import PartnerDomain
from newswire.wire.models import Story

from .distribution.test_notices import run_worker
from .fakesite import fake_site, respond
from .realwp import NEEDED, RealWordPress, running

pytestmark = NEEDED

PLUGIN = Path(newswire.cms.__file__).parent / "wordpress" / "newswire-ping.php"
BODY = ("<p>The council met on Monday to vote on the budget, and the vote was close.</p>"
        "<p>Residents packed the chamber and many stayed until the end of the night.</p>"
        "<p>The mayor said the city would publish the figures before the next meeting.</p>")  # fmt: skip


@pytest.fixture
def relay(settings: Any) -> Iterator[Any]:
    with fake_site() as site:
        settings.SITE_URL = site.url
        yield site


@pytest.fixture
def sites(tmp_path: Path, settings: Any, wire_terms: Any, relay: Any
          ) -> Iterator[tuple[RealWordPress, RealWordPress]]:  # fmt: skip
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    with running(tmp_path, "The Newsroom") as newsroom, running(tmp_path, "Local Daily") as theirs:
        yield newsroom, theirs


def _until(done: Any, relay: Any, client: Any, seconds: float = 30.0) -> float:
    """Hand the pings the relay got to newswire, and run the worker, until ``done()``;
    return the seconds it took."""
    start = time.monotonic()
    handed = 0
    while time.monotonic() - start < seconds:
        pings = [path for method, path, _, _ in relay.log if method == "POST"]
        for path in pings[handed:]:
            assert client.post(path).status_code == 202
        handed = len(pings)
        run_worker()
        if done():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"not done in {seconds} s")


@pytest.mark.django_db(transaction=True)
def test_a_newsroom_edit_reaches_the_partners_post_in_seconds(sites, relay, client, partner,
                                                             capsys):  # fmt: skip
    newsroom, theirs = sites
    source = StorySource.objects.create(url=newsroom.url, kind="wordpress", publish=True,
                                        name="The Newsroom")  # fmt: skip
    relay.route(source.ping_url().removeprefix(relay.url), respond(202, b"{}"))
    # the newsroom installs newswire's plugin and its source's ping address
    shutil.copy(PLUGIN, newsroom.content / "mu-plugins" / "newswire-ping.php")
    (newsroom.content / "mu-plugins" / "00-newswire-config.php").write_text(
        f"<?php define('NEWSWIRE_PING_URL', '{source.ping_url()}');\n")
    PartnerDomain.objects.create(partner=partner, domain="localdaily.example")
    login = theirs.app_password("desk", "editor")
    site = connect(partner, theirs.url, "desk", login, arrive_as="publish")
    site.connected_at = timezone.now() - timedelta(minutes=5)
    site.save()

    made = newsroom.rest("POST", "wp/v2/posts", json={
        "title": "Council delays the budget vote", "content": BODY, "status": "publish"})
    assert made.status_code == 201, made.text
    post_id = made.json()["id"]
    ours = WordPressPost.objects.filter(story__cms_item__cms_id=str(post_id), state="live")
    first = _until(ours.exists, relay, client)
    mine = ours.get()
    pushed = theirs.rest("GET", f"wp/v2/posts/{mine.post_id}?context=edit").json()
    assert "Monday" in pushed["content"]["raw"]

    edited_at = time.monotonic()
    newsroom.rest("POST", f"wp/v2/posts/{post_id}",
                  json={"content": BODY.replace("Monday", "Tuesday")})

    def on_partners_post() -> bool:
        got = theirs.rest("GET", f"wp/v2/posts/{mine.post_id}?context=edit").json()
        return "Tuesday" in got["content"]["raw"]

    _until(on_partners_post, relay, client)
    seconds = time.monotonic() - edited_at
    story = Story.objects.get(cms_item__cms_id=str(post_id))
    assert story.version == 2
    assert len([m for m, *_ in relay.log if m == "POST"]) >= 2  # the plugin pinged each save
    assert seconds <= 10
    with capsys.disabled():
        print(f"\n  real WordPress both ways: a new post on the partner's site {first:.1f} s "
              f"after the newsroom published it; an edit in {seconds:.1f} s (ping, poll, "
              f"correction, push)")  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_an_agency_photo_in_the_newsrooms_text_never_reaches_the_partner(sites, relay, client,
                                                                         partner):  # fmt: skip
    newsroom, theirs = sites
    source = StorySource.objects.create(url=newsroom.url, kind="wordpress", publish=True,
                                        name="The Newsroom")  # fmt: skip
    PartnerDomain.objects.create(partner=partner, domain="localdaily.example")
    site = connect(partner, theirs.url, "desk", theirs.app_password("desk", "editor"),
                   arrive_as="publish")  # fmt: skip
    site.connected_at = timezone.now() - timedelta(minutes=5)
    site.save()
    agency = (f'<figure class="wp-block-image"><img src="{newsroom.url}/wp-content/uploads/'
              'IMG_2231.jpg" alt=""><figcaption>Protesters at city hall. Photo: Ana Ruiz/'
              "Getty Images</figcaption></figure>")  # fmt: skip
    made = newsroom.rest("POST", "wp/v2/posts", json={
        "title": "Council delays the budget vote", "content": BODY + agency, "status": "publish"})
    assert made.status_code == 201
    from newswire.cms.poll import poll

    poll(source)
    ours = WordPressPost.objects.filter(story__cms_item__cms_id=str(made.json()["id"]))
    _until(lambda: ours.filter(state="live").exists(), relay, client)
    content = theirs.rest("GET", f"wp/v2/posts/{ours.get().post_id}?context=edit").json()
    raw = content["content"]["raw"]
    assert "IMG_2231" not in raw and "Getty Images" not in raw and "Monday" in raw
