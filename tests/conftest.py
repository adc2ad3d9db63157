from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from newswire.engine import Scanner, Story, Terms, story_from_ninjs, terms_from_dict
from newswire.wire import models as wire

from .factories import TERMS, ninjs, paragraphs

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def terms() -> Terms:
    return terms_from_dict(TERMS)[0]


@pytest.fixture(scope="session")
def story_items() -> list[dict]:
    return [
        ninjs(
            "urn:test:a",
            paragraphs(1),
            photo="https://plainfieldnews.org/media/GettyImages-111.jpg",
        ),
        ninjs("urn:test:b", paragraphs(2), reporter="Kwame Thornbury", headline="Storm Hits Coast"),
        ninjs("urn:test:c", paragraphs(3), reporter="Tomás Oduya", headline="Bridge Reopens"),
    ]


@pytest.fixture(scope="session")
def stories(story_items: list[dict], terms: Terms) -> list[Story]:
    return [story_from_ninjs(i, terms) for i in story_items]


@pytest.fixture(scope="session")
def scanner(stories: list[Story], terms: Terms) -> Scanner:
    return Scanner(stories, terms)


def shared_or_skip(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (tests may read ../shared when it is)")
    return path


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    """Each test starts with an empty cache (rolled-back rows leave no rendering behind)."""
    from django.core.cache import cache

    from newswire.pickups import wirescan

    cache.clear()
    wirescan.forget()  # (and no warm wire from another test's rolled-back rows)
    wirescan.saved_path().unlink(missing_ok=True)  # (nor another test's saved wire)
    wirescan.saved_path().with_suffix(".stamp").unlink(missing_ok=True)
    yield


#: what a test uses the database through: pytest-django's fixtures (the ``django_db`` mark
#: asks for them too), a live server, or ``servers.throwaway_database`` (newswire processes
#: on a database of their own, made where ``DATABASE_URL`` points)
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup",
                     "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}  # fmt: skip


def uses_the_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") is not None:
        return True
    if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    module = getattr(item, "module", None)
    return module is not None and "throwaway_database" in vars(module)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``NEWSWIRE_TESTS_DATABASE_ONLY=1`` (CI's PostgreSQL pass): only the tests that use the
    database. The others (the engine, the documents, the imports' shape) give the same
    result on either database and ran in the SQLite pass already."""
    if os.environ.get("NEWSWIRE_TESTS_DATABASE_ONLY") != "1":
        return
    keep, other = [], []
    for item in items:
        (keep if uses_the_database(item) else other).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = keep


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('HOST') or ''} {db['NAME']}"


# --- the wire (Django) -----------------------------------------------------------


@pytest.fixture
def wire_terms(db: Any) -> wire.Terms:
    terms = wire.Terms(
        wire="Plainfield News Service",
        affiliation="PNS",
        site="https://plainfieldnews.org",
        logo_url="https://plainfieldnews.org/static/brand/pns-logo-2x.png",
        logo_alt="Plainfield News Service logo",
        required=["logo", "byline", "affiliation", "restricted_media"],
        allowed_edits=["trim_end", "headline"],
        restricted_credits=["Getty Images", "AP Photo"],
        contact="syndication@plainfieldnews.org",
        text="Free to republish with our logo, byline and affiliation.",
    )
    terms.save()
    return terms


BODY = "".join(
    f"<p>Paragraph {n} of the council story says the budget vote {w} was delayed again "
    f"after residents packed the hall on {d} evening to protest the cuts.</p>"
    for n, (w, d) in enumerate(
        [("on parks", "Monday"), ("on roads", "Tuesday"), ("on schools", "Wednesday"),
         ("on libraries", "Thursday"), ("on transit", "Friday")],
        start=1,
    )
)  # fmt: skip


@pytest.fixture
def make_story(db: Any) -> Any:
    def make(
        headline: str = "Council Delays Budget Vote",
        *,
        reporter: str | None = "Grace Nakamura",
        title: str = "City Hall Reporter",
        status: str = wire.Story.Status.PUBLISHED,
        body: str = BODY,
        photo_credit: str | None = None,
        **kwargs: Any,
    ) -> wire.Story:
        story = wire.Story(
            headline=headline, body=body, status=status, desk=kwargs.pop("desk", "Local"), **kwargs
        )
        story.save()
        if reporter:
            r, _ = wire.Reporter.objects.get_or_create(name=reporter, defaults={"title": title})
            wire.Byline.objects.create(story=story, reporter=r)
        if photo_credit is not None:
            wire.Media.objects.create(
                story=story, url="https://plainfieldnews.org/media/GettyImages-1.jpg",
                caption="Residents at the meeting.", credit=photo_credit,
            )  # fmt: skip
        if status == wire.Story.Status.PUBLISHED:
            story.snapshot()
        return story

    return make


@pytest.fixture
def restricted_licence(db: Any) -> wire.Licence:
    return wire.Licence.objects.create(name="Agency, wire's own site only", redistributable=False)


# --- the partner program ------------------------------------------------------------


@pytest.fixture
def partner(db: Any) -> Any:
    from newswire.partners.models import Partner

    return Partner.objects.create(
        name="Local Daily",
        website="https://localdaily.example",
        contact_email="desk@localdaily.example",
    )


@pytest.fixture
def api_key(partner: Any) -> str:
    from newswire.distribution.models import ApiKey

    return ApiKey.issue(partner, "tests")[1]


@pytest.fixture
def auth(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


#: a browser's User-Agent: the test client's requests are a reader's, as a browser makes them
#: (the beacon counts no request without one: see distribution/audience.py)
BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture
def client() -> Any:
    from django.test import Client

    return Client(HTTP_USER_AGENT=BROWSER_UA)
