"""schemathesis runs every operation of /api/v1/openapi.json against the app, with a real key."""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from newswire.distribution.models import ApiKey
from newswire.partners.models import Partner
from newswire.wsgi import application

# Loaded at import (the OpenAPI document needs no database); schemathesis's
# from_fixture does not work with pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def keep_test_connection():
    """Call the WSGI app as Django's test client does: without closing the test's connection.

    Django's WSGIHandler closes old connections at the end of each request; on
    PostgreSQL that closes the connection holding the test's transaction.
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_key(db, make_story, wire_terms, settings, keep_test_connection):
    settings.NEWSWIRE_API_RATE_PER_MINUTE = 1_000_000
    partner = Partner.objects.create(
        name="Fuzz Daily", website="https://fuzz.example", contact_email="f@fuzz.example"
    )
    for n in range(3):
        make_story(f"Fuzzed Story {n}", release_at=timezone.now() - timedelta(hours=n))
    make_story("Hidden Story", release_at=timezone.now() + timedelta(days=1))
    return ApiKey.issue(partner, "fuzz")[1]


@schema.parametrize()
@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi(case, fuzz_key):
    response = case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_key}"})
    assert b"Hidden Story" not in response.content
