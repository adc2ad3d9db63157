from __future__ import annotations

from typing import Any

import pytest

from newswire.partners.models import Application, Partner, PartnerDomain
from newswire.pickups.models import Via
from newswire.pickups.record import record_result

CHECKS = ("logo", "byline", "affiliation", "link", "restricted_media", "unedited")


def result(story: Any, url: str, failed: tuple[str, ...] = (), kind: str = "pickup") -> dict:
    checks = {c: c not in failed for c in CHECKS}
    required = ("logo", "byline", "affiliation", "restricted_media")
    return {
        "url": url, "story": story.uri, "kind": kind, "coverage": 1.0 if kind == "pickup" else 0.3,
        "checks": checks, "compliant": not any(c in failed for c in required), "canonical": False,
        "evidence": {c: (f"evidence of {c} at {url}" if c not in failed else f"no {c} at {url}")
                     for c in CHECKS},
        "edits": {}, "source": "test", "where": url,
        "copy": {"headline": story.headline, "text": ["A paragraph the copy shows."]},
    }  # fmt: skip


def add_copy(story: Any, url: str, failed: tuple[str, ...] = (), kind: str = "pickup") -> Any:
    return record_result(
        result(story, url, failed, kind), Via.WARC_SCAN, observation=url[-60:]
    ).pickup


def make_partner(name: str, host: str, readers: int = 1000) -> Partner:
    application = Application.objects.create(
        outlet=name, website=f"https://{host}", country="US", monthly_readers=readers,
        contact_name="Ed", contact_email=f"desk@{host}", agreed_to_terms=True,
    )  # fmt: skip
    partner = application.approve(by=None)
    PartnerDomain.objects.get_or_create(domain=host, defaults={"partner": partner})
    return partner


@pytest.fixture
def wire_with_copies(wire_terms, make_story) -> dict:
    """Two partners (A compliant, B missing the logo), an unauthorised site, two stories."""
    a = make_partner("Alpha Times", "alpha.example", 5000)
    b = make_partner("Beta Post", "beta.example", 7000)
    one = make_story("Council Delays Budget Vote")
    two = make_story("Bridge Opens Early", desk="Transport")
    copies = {
        "a1": add_copy(one, "https://alpha.example/news/council"),
        "b1": add_copy(one, "https://beta.example/council", failed=("logo",)),
        "b2": add_copy(two, "https://beta.example/bridge", failed=("logo", "affiliation")),
        "x1": add_copy(
            one, "https://copycat.example/stolen", failed=("logo", "byline", "affiliation")
        ),
        "x2": add_copy(two, "https://copycat.example/=HYPERLINK(1)", failed=("logo",)),
    }
    return {"a": a, "b": b, "stories": (one, two), "copies": copies}


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("editor", "e@wire.test", "pw", is_staff=True)
    client.force_login(user)
    return client
