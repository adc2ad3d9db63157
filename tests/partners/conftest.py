from __future__ import annotations

from typing import Any

import pytest

from newswire.distribution.models import ApiKey
from newswire.partners.models import Partner


@pytest.fixture
def partner(db: Any) -> Partner:
    return Partner.objects.create(
        name="Local Daily",
        website="https://localdaily.example",
        contact_email="desk@localdaily.example",
    )


@pytest.fixture
def api_key(partner: Partner) -> str:
    return ApiKey.issue(partner, "tests")[1]


@pytest.fixture
def auth(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}
