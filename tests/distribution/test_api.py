from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from newswire.distribution.ninjs_ext import PROFILE_NAME
from newswire.engine.ninjs import schema as ninjs_schema
from newswire.engine.ninjs import validation_errors
from newswire.wire.models import Story

from ..conftest import shared_or_skip
from ..embargo import assert_embargo_holds


@pytest.fixture
def stories(make_story, wire_terms):
    now = timezone.now()
    made = [
        make_story(
            f"Story {n}", release_at=now - timedelta(hours=n), desk="Politics" if n % 2 else "Local"
        )
        for n in range(1, 8)
    ]
    made[0].correct(body=made[0].body.replace("Monday", "Sunday"), note="Sunday, not Monday.")
    return made


def test_list_is_valid_ninjs_and_pages_with_a_cursor(client, auth, stories):
    seen, url = [], "/api/v1/stories?limit=3"
    official = json.loads(shared_or_skip("corpus", "ninjs-schema_2.2.json").read_text())
    validator = Draft202012Validator(official)
    while url:
        response = client.get(url, headers=auth)
        assert response.status_code == 200, response.content
        body = response.json()
        for item in body["items"]:
            assert list(validator.iter_errors(item)) == []
            assert validation_errors(item) == []  # the bundled copy agrees
        seen += [item["headlines"][0]["value"] for item in body["items"]]
        url = f"/api/v1/stories?limit=3&cursor={body['next']}" if body["next"] else None
    assert seen == [f"Story {n}" for n in range(1, 8)]  # newest first, each once


def assert_valid_for_partners(client, item) -> None:
    """Valid ninjs 2.2, and valid against our profile, which builds on it."""
    assert validation_errors(item) == []
    profile = client.get("/api/v1/schemas/newswire-ninjs-1.json").json()
    registry = Registry().with_resource(
        "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json",
        Resource.from_contents(ninjs_schema()),
    )
    assert list(Draft202012Validator(profile, registry=registry).iter_errors(item)) == []


def test_ninjs_fields_for_partners(client, auth, stories, wire_terms, restricted_licence):
    from newswire.wire.models import Media

    story = stories[0]
    Media.objects.create(
        story=story, url="https://x.example/agency.jpg", credit="Agency", licence=restricted_licence
    )
    Media.objects.create(
        story=story, url="https://x.example/own.jpg", credit="Staff/PNS", copyright_holder="PNS"
    )
    item = client.get(f"/api/v1/stories/{story.slug}", headers=auth).json()
    assert item["uri"] == story.uri and item["version"] == "2" and item["pubstatus"] == "usable"
    assert item["by"] == "Grace Nakamura, City Hall Reporter"
    assert item["people"] == [{"name": "Grace Nakamura", "rel": "author"}]
    assert item["infosources"][0]["name"] == "Plainfield News Service"
    assert [a["uri"] for a in item["associations"]] == [
        "https://x.example/own.jpg"
    ]  # restricted left out
    assert (
        item["associations"][0]["by"] == "Staff/PNS"
        and item["associations"][0]["copyrightholder"] == "PNS"
    )
    assert (
        item["usageterms"] == wire_terms.text
        and item["copyrightholder"] == "Plainfield News Service"
    )
    assert item["profile"] == PROFILE_NAME and item["standard"]["schema"].endswith(
        "/api/v1/schemas/newswire-ninjs-1.json"
    )
    assert "Sunday, not Monday." in item["ednote"]
    rights = json.loads(item["rightsinfo"]["encodedrights"])
    assert rights["required"] == wire_terms.required and rights["allowed_edits"] == [
        "trim_end",
        "headline",
    ]
    assert_valid_for_partners(client, item)
    corrections = client.get(f"/api/v1/stories/{story.slug}/corrections", headers=auth).json()
    assert [(c["version"], c["note"]) for c in corrections] == [(2, "Sunday, not Monday.")]
    assert "Sunday" in corrections[0]["body"]


def test_embargoed_story_in_ninjs_is_not_served(client, auth, make_story, wire_terms):
    hidden = make_story("Tomorrow", release_at=timezone.now() + timedelta(days=1))
    response = client.get(f"/api/v1/stories/{hidden.slug}", headers=auth)
    assert response.status_code == 404 and response.json()["detail"].startswith(
        "No public story has this slug"
    )


def test_filters(client, auth, stories):
    def heads(query):
        return [
            i["headlines"][0]["value"]
            for i in client.get(f"/api/v1/stories?{query}", headers=auth).json()["items"]
        ]

    assert heads("desk=Politics") == ["Story 1", "Story 3", "Story 5", "Story 7"]
    assert heads("reporter=Grace%20Nakamura&limit=2") == ["Story 1", "Story 2"]
    assert heads("reporter=Nobody") == []
    since = (timezone.now() - timedelta(hours=2, minutes=30)).isoformat().replace("+", "%2B")
    assert heads(f"since={since}") == ["Story 1", "Story 2"]  # Story 1 also corrected just now


def test_errors_are_json(client, auth, stories, partner, admin_user):
    bad_cursor = client.get("/api/v1/stories?cursor=@@@", headers=auth)
    assert bad_cursor.status_code == 422 and "cursor" in bad_cursor.json()["detail"]
    bad_since = client.get("/api/v1/stories?since=0.5", headers=auth)
    assert bad_since.status_code == 422 and "since" in bad_since.json()["detail"]
    assert client.get("/api/v1/stories?limit=0", headers=auth).status_code == 422
    missing = client.get("/api/v1/stories")
    assert missing.status_code == 401 and "API key is required" in missing.json()["detail"]
    wrong = client.get("/api/v1/stories", headers={"X-Api-Key": "abc.def"})
    assert wrong.status_code == 401 and wrong.json() == {"detail": "Unknown API key."}
    partner.suspend(by=admin_user)
    suspended = client.get("/api/v1/stories", headers=auth)
    assert suspended.status_code == 403 and "items" not in suspended.json()


def test_responses_are_private(client, auth, stories):
    response = client.get("/api/v1/stories", headers=auth)
    assert "private" in response["Cache-Control"]
    assert {"Authorization", "X-Api-Key"} <= {v.strip() for v in response["Vary"].split(",")}


def test_rate_limit_per_key(client, auth, stories, settings, partner):
    from newswire.distribution.models import ApiKey

    settings.NEWSWIRE_API_RATE_PER_MINUTE = 3
    codes = [client.get("/api/v1/stories?limit=1", headers=auth).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/api/v1/stories?limit=1", headers=auth)
    assert limited.json()["detail"].startswith("Rate limit") and "items" not in limited.json()
    other = ApiKey.issue(partner, "other")[1]
    assert client.get("/api/v1/stories?limit=1", headers={"X-Api-Key": other}).status_code == 200


def test_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["info"]["title"] == "newswire partner API"
    assert {
        "/api/v1/stories",
        "/api/v1/stories/{slug}",
        "/api/v1/stories/{slug}/corrections",
    } <= set(doc["paths"])


def test_api_respects_the_embargo(client, auth, wire_terms):
    assert_embargo_holds(
        client,
        list_urls=["/api/v1/stories", "/api/v1/stories?desk=Test"],
        detail_urls=lambda s: [
            f"/api/v1/stories/{s.slug}",
            f"/api/v1/stories/{s.slug}/corrections",
        ],
        headers=auth,
    )
    assert Story.objects.count() == 5


def test_nul_bytes_are_bad_requests_not_server_errors(client, auth, stories):
    """PostgreSQL refuses NUL in text: each surface answers 4xx, never 500 (CI runs this on both)."""
    for url in [
        "/api/v1/stories?desk=%00",
        "/api/v1/stories?reporter=a%00b",
        "/api/v1/stories/a%00b",
    ]:
        response = client.get(url, headers=auth)
        assert response.status_code == 422 and "detail" in response.json(), url
    assert client.get("/api/v1/stories?key=ab%00.cd").status_code == 401
    assert client.get("/?desk=%00").status_code == 200


def test_since_with_any_offset(client, auth, stories):
    for since in [
        "0868-06-22T03:41:21.8-22:52",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-23:59",
    ]:
        response = client.get("/api/v1/stories", {"since": since}, headers=auth)
        assert response.status_code in (200, 422), (since, response.content)


def test_repeated_parameters_are_refused(client, auth, stories):
    response = client.get("/api/v1/stories?desk=Local&desk=Politics", headers=auth)
    assert response.status_code == 422 and "give each parameter once" in response.json()["detail"]


def test_two_different_keys_are_refused(client, auth, api_key, stories):
    same = client.get("/api/v1/stories", headers={**auth, "X-Api-Key": api_key})
    assert same.status_code == 200
    other = client.get("/api/v1/stories", headers={**auth, "X-Api-Key": api_key + "x"})
    assert other.status_code == 401 and "Conflicting" in other.json()["detail"]
    assert client.get(f"/feeds/rss/?key={api_key}x", headers=auth).status_code == 401
