"""ninjs 1.x, 2.x and 3.x in, 2.2 and 3.1 out (issue 35, items 1-4): IPTC's own examples
import as IPTC wrote them, the API and the export speak 3.1 when asked, every object valid
against IPTC's schema for its version, and a story survives a 3.1 round trip."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.utils import timezone

from newswire.cli import cli
from newswire.engine.ninjs import from_22, read_version, validation_errors
from newswire.wire.importer import ImportFailed, import_file
from newswire.wire.models import Media, Story
from newswire.wire.ninjs import BadRecord, fields_from_ninjs, to_ninjs

from ..conftest import SHARED, shared_or_skip
from ..factories import ninjs, paragraphs

EXAMPLES = SHARED / "corpus" / "ninjs" / "examples"
CAPTAIN = "Captain of wrecked cruise ship on trial in Italy"
TWO = [("Paulo Santalucia", ""), ("Frances d'Emilio", "")]

# What each of IPTC's examples is, as a newsroom reads it: (headline, reporters, pictures
# with their credits) for a story; the words of the one sentence for what is not a story.
EXPECTED = {
    "001_simple_example.json": (CAPTAIN, TWO, []),
    "002_renditions_example.json": "no headline",  # a picture's renditions, no story
    "003_associations_example.json": (
        "Dell Redefines Workstation Computing Boundaries with Smallest Tower and Most "
        "Powerful Rack Workstations", [], 2,
    ),
    "004_simple_text_article.json": (CAPTAIN, TWO, []),
    "005_complex_text_article.json": (CAPTAIN, TWO, []),
    "006_photo_only.json": "a picture on its own, not a story",
    "007_multimedia.json": (CAPTAIN, TWO, ["Paulo Santalucia", "Paulo Santalucia"]),
    "008_event.json": "an event on its own, not a story",
}


def examples() -> list[Path]:
    if not EXAMPLES.exists():
        return []
    return sorted(EXAMPLES.glob("*/*.json"))


@pytest.mark.parametrize("path", examples(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_iptc_example_reads_as_the_example_says(path, db):
    item = json.loads(path.read_text())
    version = path.parent.name
    assert read_version(item) == version  # told by its field names: none names a version
    assert validation_errors(item, version) == []  # valid against its own schema
    expected = EXPECTED[path.name]
    if isinstance(expected, str):
        with pytest.raises(BadRecord) as refused:
            fields_from_ninjs(item)
        said = str(refused.value)
        assert expected in said and len(said) < 300 and "\n" not in said
        return
    headline, reporters, pictures = expected
    fields = fields_from_ninjs(item)
    assert fields.headline == headline
    assert fields.reporters == reporters
    assert fields.status == Story.Status.PUBLISHED
    if isinstance(pictures, int):
        assert len(fields.media) == pictures
    else:
        assert [m.credit for m in fields.media] == pictures
    assert fields.body.startswith("<p>") and "<p></p>" not in fields.body
    if path.name == "005_complex_text_article.json":  # the XHTML body, with its paragraphs
        assert fields.body.count("<p>") == 4


@pytest.mark.parametrize("path", examples(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_iptc_example_imports_or_is_refused_in_a_sentence(path, db, tmp_path):
    target = tmp_path / path.name
    target.write_bytes(path.read_bytes())
    expected = EXPECTED[path.name]
    if isinstance(expected, str):
        with pytest.raises(ImportFailed) as failed:
            import_file(target)
        assert expected in str(failed.value)
        return
    report = import_file(target)
    assert report.created == 1
    story = Story.objects.get()
    assert story.headline == expected[0]
    assert [r.name for r in story.ordered_reporters()] == [n for n, _ in expected[1]]
    # a story with no reporter is kept a draft, as every authorless import is
    assert story.status == (Story.Status.PUBLISHED if expected[1] else Story.Status.DRAFT)


def _v31(**fields):
    item = {"uri": "urn:v31:1", "type": "text", "headlines": [{"role": "main", "value": "Mayor"
            " Opens the Bridge"}], "bodies": [{"role": "main", "contentType": "text/html",
            "value": "<p>The bridge opened on Friday.</p><p>Traffic moved at once.</p>"}],
            "by": "Ana Ruiz and Ben Osei", "language": "en"}  # fmt: skip
    item.update(fields)
    return item


def test_ninjs_3_fields_are_read_in_camel_case(db):
    later = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    item = _v31(
        standard={"name": "ninjs", "version": "3.1",
                  "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"},
        versionCreated="2026-11-30T10:00:00Z", firstCreated="2026-11-29T08:00:00Z",
        embargoedUntil=later.isoformat(), edNote="Updated with the mayor's words.",
        people=[{"name": "Ana Ruiz", "rel": "author"}, {"name": "Tom Vale", "rel": "about"}],
        subjects=[{"name": "Transport", "rel": "desk"}],
        renditions=[{"name": "web", "href": "https://news.example/bridge", "contentType":
                     "text/html"}],
        associations=[{"name": "featureimage", "uri": "https://news.example/b.jpg", "type":
                       "picture", "by": "Jonah Vasquez/Reuters", "copyrightHolder": "Reuters",
                       "usageTerms": "Editorial use only", "descriptions": [{"role": "caption",
                       "value": "The bridge at dawn."}], "renditions": [{"name": "original",
                       "href": "https://news.example/b.jpg", "contentType": "image/jpeg"}]}],
        altIds=[{"role": "slug", "value": "bridge"}],
    )  # fmt: skip
    assert validation_errors(item, "3.1") == []
    fields = fields_from_ninjs(item)
    assert fields.reporters == [("Ana Ruiz", "")]  # a person the story is about is no reporter
    assert fields.status == Story.Status.SCHEDULED and fields.release_at == later
    assert fields.published_at.isoformat().startswith("2026-11-29T08:00")
    assert fields.desk == "Transport" and fields.canonical_url == "https://news.example/bridge"
    (photo,) = fields.media
    assert (photo.credit, photo.copyright_holder, photo.usage_terms, photo.caption) == (
        "Jonah Vasquez/Reuters", "Reuters", "Editorial use only", "The bridge at dawn.")
    assert fields.note == "Updated with the mayor's words."


@pytest.mark.parametrize("status, stored", [("canceled", Story.Status.WITHDRAWN),
                                            ("withheld", Story.Status.DRAFT),
                                            ("usable", Story.Status.PUBLISHED)])  # fmt: skip
def test_a_3x_pubstatus_withdraws_or_holds_as_2_2s_does(db, status, stored):
    assert fields_from_ninjs(_v31(pubStatus=status)).status == stored


def test_a_1x_object_is_read_from_its_flat_fields(db):
    item = {"uri": "urn:v16:1", "type": "text", "$standard": {"name": "ninjs", "version": "1.4"},
            "headline": "Council Votes on Budget", "byline": "Von Christian Hollmann, dpa",
            "body_html": "<p>The council voted.</p><p>It passed.</p>", "pubstatus": "usable",
            "person": [{"name": "Christian Hollmann", "rel": "author"}],
            "associations": {"featureimage": {"uri": "https://x.example/p.jpg", "type":
                             "picture", "byline": "Ann Lee/AP", "description_caption":
                             "The vote."}}}  # fmt: skip
    assert read_version(item) == "1.6" and validation_errors(item, "1.6") == []
    fields = fields_from_ninjs(item)
    assert fields.headline == "Council Votes on Budget"
    assert fields.reporters == [("Christian Hollmann", "dpa")]
    assert fields.body == "<p>The council voted.</p><p>It passed.</p>"
    (photo,) = fields.media
    assert photo.credit == "Ann Lee/AP" and photo.caption == "The vote."


@pytest.mark.parametrize("version", ["4.0", "0.9", "2026"])
def test_other_versions_get_one_sentence(db, version):
    with pytest.raises(BadRecord) as refused:
        fields_from_ninjs(_v31(standard={"name": "ninjs", "version": version}))
    assert str(refused.value) == (f"urn:v31:1: ninjs {version} is not a version newswire "
                                  "reads (it reads ninjs 1.x, 2.x and 3.x)")  # fmt: skip


def test_an_object_not_valid_for_its_version_is_named_by_line_and_the_rest_go_on(db, tmp_path):
    bad = _v31(standard={"name": "ninjs", "version": "3.1"}, pubStatus="maybe")
    good = _v31(uri="urn:v31:2")
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in (good, bad, {**good, "uri": "urn:v31:3"})))
    with pytest.raises(ImportFailed) as failed:
        import_file(path)
    said = str(failed.value)
    assert f"{path}: line 2: urn:v31:1: not valid ninjs 3.1: pubStatus:" in said
    report = import_file(path, skip_bad=True)
    assert report.created == 2 and [b.where for b in report.bad] == ["line 2"]


# --- out: 3.1 -----------------------------------------------------------------------------


@cache
def official_validator(version: str):
    from jsonschema import Draft7Validator, Draft202012Validator
    from referencing import Registry, Resource

    folder = shared_or_skip("corpus", "ninjs")
    where = folder.parent if version == "2.2" else folder  # (2.2's is beside the folder)
    schema = json.loads((where / f"ninjs-schema_{version}.json").read_text())
    geo = json.loads((folder / "GeoJSON-schema.json").read_text())
    registry = Registry().with_resource("https://geojson.org/schema/GeoJSON.json",
                                        Resource.from_contents(geo))  # fmt: skip
    kind = Draft7Validator if version == "1.6" else Draft202012Validator
    return kind(schema, registry=registry)


def assert_official(item, version):
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}"
              for e in official_validator(version).iter_errors(item)]  # fmt: skip
    assert errors == [], f"not valid ninjs {version}: {errors[:3]}"


@pytest.fixture
def demo_wire(db, settings, tmp_path):
    from newswire.demo.load import load_demo_wire

    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo_wire()
    stories = list(Story.objects.public())
    stories[0].correct(body=stories[0].body.replace("</p>", " (corrected).</p>", 1),
                       note="A figure corrected.")  # fmt: skip
    withdrawn = stories[1]
    return stories, withdrawn


def test_the_whole_demo_wire_through_the_api_in_3_1_and_2_2_is_valid(
    demo_wire, client, auth, api_key
):
    stories, withdrawn = demo_wire
    from newswire.distribution.models import ApiKey, Delivery

    partner_id = ApiKey.objects.get().partner_id
    Delivery.objects.create(partner_id=partner_id, story=withdrawn, channel="api")
    withdrawn.withdraw("Wrong figures.")
    for version, headers, query in [
        ("2.2", {}, ""),
        ("3.1", {"Accept": "application/json; version=3.1"}, ""),
        ("3.1", {"Accept": 'application/json; profile="http://www.iptc.org/std/ninjs/'
                           'ninjs-schema_3.1.json"'}, ""),
        ("3.1", {}, "&ninjs=3.1"),
    ]:  # fmt: skip
        seen, url = 0, f"/api/v1/stories?limit=50{query}"
        while url:
            response = client.get(url, headers={**auth, **headers})
            assert response.status_code == 200, response.content[:500]
            assert "Accept" in response["Vary"]
            body = response.json()
            for item in body["items"]:
                assert_official(item, version)
                assert ("pubStatus" in item) is (version == "3.1")
            seen += len(body["items"])
            url = (f"/api/v1/stories?limit=50{query}&cursor={body['next']}"
                   if body["next"] else None)  # fmt: skip
        assert seen == Story.objects.public().count() > 5
        for story in Story.objects.public()[:5]:
            one = client.get(f"/api/v1/stories/{story.slug}?x=1{query}", headers={**auth, **headers})
            assert one.status_code == 200
            assert_official(one.json(), version)
        canceled = client.get(f"/api/v1/stories/{withdrawn.slug}?x=1{query}",
                              headers={**auth, **headers}).json()  # fmt: skip
        assert_official(canceled, version)
        assert canceled.get("pubStatus", canceled.get("pubstatus")) == "canceled"
    photo = next(s for s in stories if s.media.exists())
    item = client.get(f"/api/v1/stories/{photo.slug}?ninjs=3.1", headers=auth).json()
    if item.get("associations"):
        assert {"name", "uri"} <= item["associations"][0].keys()
    refused = client.get("/api/v1/stories", headers={**auth, "Accept": "application/json; "
                                                              "version=4.0"})  # fmt: skip
    assert refused.status_code == 406 and "2.2 or 3.1" in refused.content.decode()


def test_the_openapi_document_says_how_to_ask_for_each_version(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert "version=3.1" in doc["info"]["description"] and "?ninjs=3.1" in doc["info"]["description"]
    params = [p["name"] for p in doc["paths"]["/api/v1/stories"]["get"]["parameters"]]
    assert "ninjs" in params


def test_a_story_exported_as_3_1_and_imported_again_is_the_same_story(
    make_story, wire_terms, tmp_path, restricted_licence
):
    story = make_story("Council Delays Budget Vote")
    Media.objects.create(story=story, url="https://plainfieldnews.org/m/council.jpg",
                         caption="The council.", credit="Ann Lee/PNS", position=0)  # fmt: skip
    story.correct(body=story.body.replace("Monday", "Sunday"), note="It was Sunday.")
    story.correct(body=story.body + "<p>A later line.</p>", note="A line added.")
    story.refresh_from_db()
    result = CliRunner().invoke(cli, ["export", "--ninjs", "3.1", "--history", story.slug])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.output.splitlines()]
    assert len(lines) == 3 and all(x["standard"]["version"] == "3.1" for x in lines)
    for item in lines:
        assert_official(item, "3.1")
    before = {
        "headline": story.headline, "body": story.body, "status": story.status,
        "bylines": [(r.name, r.title) for r in story.ordered_reporters()],
        "photos": [(m.url, m.caption, m.credit) for m in story.media.all()],
        "versions": [(v.number, v.headline, v.body, v.note) for v in story.versions.all()],
    }  # fmt: skip
    path = tmp_path / "out.jsonl"
    path.write_text(result.output)
    Story.objects.all().delete()
    report = import_file(path)
    assert not report.bad
    again = Story.objects.get(uri=story.uri)
    after = {
        "headline": again.headline, "body": again.body, "status": again.status,
        "bylines": [(r.name, r.title) for r in again.ordered_reporters()],
        "photos": [(m.url, m.caption, m.credit) for m in again.media.all()],
        "versions": [(v.number, v.headline, v.body, v.note) for v in again.versions.all()],
    }  # fmt: skip
    assert after == before


def test_from_22_of_every_2_2_example_is_valid_3_1():
    for path in sorted((EXAMPLES / "2.2").glob("*.json")) if EXAMPLES.exists() else []:
        item = json.loads(path.read_text())
        item.pop("standard", None)
        assert_official(from_22(item), "3.1")


def test_an_example_of_2_2_through_the_import_and_out_as_3_1_is_valid(db, wire_terms):
    item = ninjs("urn:rt:1", paragraphs(2))
    assert_official(from_22(item), "3.1")
    story_item = to_ninjs(Story.objects.first(), version="3.1") if Story.objects.exists() else None
    assert story_item is None or story_item["standard"]["version"] == "3.1"
