from __future__ import annotations

from pathlib import Path

import pytest

from newswire.engine import Scanner, Story, Terms, story_from_ninjs, terms_from_dict

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


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('HOST') or ''} {db['NAME']}"
