"""A copy of an embargoed story found on the web (issue 31, item 1): nothing of the story
reaches the partner through it; the editors see it at once as an embargo break."""

from __future__ import annotations

from django.core import mail

from newswire.pickups.models import Pickup

from ..embargo import assert_copies_hold
from .conftest import make_partner


def test_copies_of_stories_not_released_reach_no_partner(client, admin_client, wire_terms,
                                                        django_user_model):  # fmt: skip
    partner = make_partner("Riverbend Courier", "riverbend.example")
    user = django_user_model.objects.create_user("river", "r@riverbend.example", "pw")
    partner.members.add(user)
    client.force_login(user)
    stories = assert_copies_hold(client, admin_client, partner)
    breaks = Pickup.objects.embargo_broken()
    assert {p.story_id for p in breaks} == {s.pk for k, s in stories.items() if k != "public"}
    # the break stays a fact after the release, and the copy is the partner's from then on
    released = breaks.get(story=stories["scheduled"])
    assert released.embargo_broken_at is not None
    page = admin_client.get(f"/dashboard/copies/{released.pk}/").content.decode()
    assert "embargo broken" in page
    assert not any("zqembargoedmarker" in m.body for m in mail.outbox)


def test_a_copy_found_after_the_release_is_no_break(make_story, wire_terms):
    from .conftest import add_copy

    story = make_story()
    copy = add_copy(story, "https://somewhere.example/a")
    assert copy.embargo_broken_at is None
