from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from newswire.cms.models import StorySource

from ..fakesite import FakeSite, fake_site
from .fakecms import FakeWordPress


@pytest.fixture
def site(settings: Any) -> Iterator[FakeSite]:
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]  # the fake CMS runs on loopback
    with fake_site() as s:
        yield s


@pytest.fixture
def wp(site: FakeSite, wire_terms: Any) -> FakeWordPress:
    return FakeWordPress(site)


@pytest.fixture
def wp_source(wp: FakeWordPress) -> StorySource:
    return StorySource.objects.create(
        url=wp.url, kind="wordpress", publish=True, name="The Newsroom"
    )
