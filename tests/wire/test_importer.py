from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from newswire.engine.ninjs import validation_errors
from newswire.wire.importer import ImportFailed, import_file
from newswire.wire.models import Reporter, Story, StoryVersion
from newswire.wire.ninjs import to_ninjs

from ..conftest import shared_or_skip
from ..factories import ninjs, paragraphs


def write_lines(path: Path, items: list) -> Path:
    path.write_text("".join((i if isinstance(i, str) else json.dumps(i)) + "\n" for i in items))
    return path


def test_ninjs_lines_import_and_reimport_is_idempotent(db, tmp_path):
    items = [ninjs(f"urn:t:{n}", paragraphs(n, n=3), photo=None) for n in range(5)]
    path = write_lines(tmp_path / "s.jsonl", items)
    report = import_file(path)
    assert (report.format, report.created, report.bad) == ("ninjs", 5, [])
    story = Story.objects.get(uri="urn:t:0")
    assert story.status == Story.Status.PUBLISHED and story.is_public()
    assert story.byline() == "Grace Nakamura, Education Reporter"
    assert story.canonical_url == "https://plainfieldnews.org/stories/0"
    again = import_file(path)
    assert (again.created, again.updated, again.corrected, again.unchanged) == (0, 0, 0, 5)
    assert Story.objects.count() == 5 and Reporter.objects.count() == 1


def test_reimport_with_changed_body_records_a_correction(db, tmp_path):
    item = ninjs("urn:t:c", paragraphs(1, n=3))
    import_file(write_lines(tmp_path / "a.jsonl", [item]))
    changed = json.loads(json.dumps(item))
    changed["bodies"][0]["value"] = changed["bodies"][0]["value"].replace(
        "Item1x0", "Item1x0 corrected"
    )
    changed["ednote"] = "Corrects the first paragraph."
    report = import_file(write_lines(tmp_path / "b.jsonl", [changed]))
    assert report.corrected == 1 and report.created == 0
    story = Story.objects.get(uri="urn:t:c")
    assert Story.objects.count() == 1 and story.version == 2
    v1, v2 = StoryVersion.objects.filter(story=story).order_by("number")
    assert "corrected" not in v1.body and "corrected" in v2.body
    assert v2.note == "Corrects the first paragraph."


def test_one_broken_line_in_a_thousand_imports_nothing_and_names_it(db, tmp_path):
    items: list = [
        ninjs(f"urn:bulk:{n}", [f"Paragraph for story {n} with enough words to count."])
        for n in range(1000)
    ]
    items[637] = '{"uri": "urn:bulk:637", "headlines": [ {"value": "cut off'
    path = write_lines(tmp_path / "bulk.jsonl", items)
    with pytest.raises(ImportFailed) as info:
        import_file(path)
    assert "line 638" in str(info.value) and "not valid JSON" in str(info.value)
    assert "Nothing was imported" in str(info.value)
    assert Story.objects.count() == 0 and Reporter.objects.count() == 0

    report = import_file(path, skip_bad=True)
    assert report.created == 999
    assert [p.where for p in report.bad] == ["line 638"]
    assert Story.objects.count() == 999


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('["not", "an", "object"]', "must be a JSON object"),
        ('{"headlines": [{"value": "x"}]}', "no 'uri'"),
        ('{"uri": "urn:x", "headlines": [{"value": "No body"}]}', "no body"),
        (
            '{"uri": "urn:x", "pubstatus": "maybe", "bodies": [{"value": "<p>x</p>"}]}',
            "not valid ninjs 2.2",
        ),
        ('{"uri": "urn:x", "bodies": [{"value": "<p>text</p>"}]}', "no headline"),
    ],
)
def test_bad_ninjs_records_are_named(db, tmp_path, line, expected):
    good = json.dumps(ninjs("urn:ok", paragraphs(3, n=2)))
    path = write_lines(tmp_path / "x.jsonl", [good, line])
    report = import_file(path, skip_bad=True)
    assert report.created == 1
    assert (
        len(report.bad) == 1
        and report.bad[0].where == "line 2"
        and expected in report.bad[0].message
    )


def test_unreadable_and_unknown_files_fail_clearly(db, tmp_path):
    with pytest.raises(ImportFailed, match="cannot read"):
        import_file(tmp_path / "missing.jsonl")
    (tmp_path / "x.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ImportFailed, match="neither JSON"):
        import_file(tmp_path / "x.bin")
    (tmp_path / "latin.jsonl").write_bytes(b'{"uri": "urn:\xe9"}\n')
    with pytest.raises(ImportFailed, match="line 1: not UTF-8: byte 14"):
        import_file(tmp_path / "latin.jsonl")


def test_story_without_reporter_is_kept_as_draft_with_a_warning(db, tmp_path):
    item = ninjs("urn:t:anon", paragraphs(4, n=2))
    del item["people"], item["by"]
    report = import_file(write_lines(tmp_path / "a.jsonl", [item]))
    assert report.created == 1 and "no reporter" in report.warnings[0].message
    story = Story.objects.get(uri="urn:t:anon")
    assert story.status == Story.Status.DRAFT and not story.is_public()


def test_embargo_in_ninjs(db, tmp_path):
    future = ninjs("urn:t:future", paragraphs(5, n=2))
    future["embargoed"] = (timezone.now() + timedelta(days=1)).isoformat()
    past = ninjs("urn:t:past", paragraphs(6, n=2))
    past["embargoed"] = (timezone.now() - timedelta(days=1)).isoformat()
    import_file(write_lines(tmp_path / "e.jsonl", [future, past]))
    assert Story.objects.get(uri="urn:t:future").status == Story.Status.SCHEDULED
    assert not Story.objects.get(uri="urn:t:future").is_public()
    assert Story.objects.get(uri="urn:t:past").is_public()


def test_script_in_imported_body_is_removed(db, tmp_path):
    item = ninjs("urn:t:xss", ["Fine words here."])
    item["bodies"][0]["value"] = '<p onmouseover="x()">Fine words here.</p><script>steal()</script>'
    import_file(write_lines(tmp_path / "x.jsonl", [item]))
    body = Story.objects.get(uri="urn:t:xss").body
    assert body == "<p>Fine words here.</p>"


def test_exported_story_reimports_as_the_same_story(make_story, wire_terms, tmp_path):
    story = make_story(photo_credit="Staff/PNS")
    expected = (story.headline, story.body, story.byline(), story.desk)
    exported = to_ninjs(story, wire_terms)
    assert validation_errors(exported) == []
    path = tmp_path / "one.json"
    path.write_text(json.dumps(exported, indent=2))  # a single story, pretty-printed
    report = import_file(path)
    assert report.unchanged == 1 and Story.objects.count() == 1
    Story.objects.all().delete()
    report = import_file(path)
    assert report.created == 1
    again = Story.objects.get(uri=story.uri)
    assert (again.headline, again.body, again.byline(), again.desk) == expected
    assert again.media.get().credit == "Staff/PNS"


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Newsroom CMS</title><link>https://news.example.org/</link><description>x</description>
<item><title>Council Delays Vote</title><link>https://news.example.org/2024/council</link>
<guid>https://news.example.org/?p=101</guid><dc:creator>Grace Nakamura</dc:creator>
<pubDate>Mon, 02 Sep 2024 10:00:00 +0000</pubDate><category>Local</category>
<description>Short summary.</description>
<content:encoded><![CDATA[<p>The council delayed its vote.</p><p onclick="x()">Residents protested.</p><script>x()</script>]]></content:encoded>
<enclosure url="https://news.example.org/photo.jpg" type="image/jpeg" length="100"/>
</item>
<item><title></title><link>https://news.example.org/2024/untitled</link><description>No title here.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>CMS</title><id>urn:cms</id><updated>2024-09-03T10:00:00Z</updated>
<entry><title>Bridge Reopens</title><id>tag:news.example.org,2024:202</id>
<link rel="alternate" href="https://news.example.org/2024/bridge"/>
<author><name>Tomás Oduya</name></author><published>2024-09-03T09:00:00Z</published><updated>2024-09-03T10:00:00Z</updated>
<content type="html">&lt;p&gt;The bridge reopened on Tuesday.&lt;/p&gt;</content></entry>
</feed>"""


def test_rss_import_mirrors_a_cms_feed(db, tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(RSS)
    # a feed's bad entry is named and skipped; it never holds back the others (issue 26)
    report = import_file(path)
    assert "no title" in str(report.bad[0])
    assert (report.format, report.created, [p.where for p in report.bad]) == (
        "feed",
        1,
        ["entry 2"],
    )
    story = Story.objects.get()
    assert story.uri == "https://news.example.org/?p=101"
    assert story.canonical_url == "https://news.example.org/2024/council"
    assert story.byline() == "Grace Nakamura" and story.desk == "Local"
    assert story.body == "<p>The council delayed its vote.</p><p>Residents protested.</p>"
    assert (
        story.published_at.year == 2024
        and story.media.get().url == "https://news.example.org/photo.jpg"
    )
    # the CMS edits the story and the feed is mirrored again: a correction, not a duplicate
    path.write_text(RSS.replace("Residents protested.", "Hundreds of residents protested."))
    report = import_file(path, skip_bad=True)
    assert report.corrected == 1 and Story.objects.count() == 1
    assert len(Story.objects.get().corrections()) == 1


def test_atom_import(db, tmp_path):
    path = tmp_path / "feed.atom"
    path.write_text(ATOM)
    report = import_file(path)
    assert report.created == 1
    story = Story.objects.get(uri="tag:news.example.org,2024:202")
    assert story.headline == "Bridge Reopens" and story.byline() == "Tomás Oduya"
    assert story.body == "<p>The bridge reopened on Tuesday.</p>"


def test_not_a_feed(db, tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><body><p>Just a page</p></body></html>")
    with pytest.raises(ImportFailed, match="not a readable RSS/Atom feed"):
        import_file(path)


def test_dev_corpus_stories_import(db):
    path = shared_or_skip("corpus", "dev", "stories.jsonl")
    report = import_file(path)
    assert report.created == 60 and report.bad == [] and report.warnings == []
    story = Story.objects.get(uri="urn:newswire:pns:775396dd1c")
    assert story.byline() == "Grace Nakamura, Education Reporter"
    photo = story.media.get()
    assert (
        photo.credit == "Samuel Brennan/Getty Images" and photo.copyright_holder == "Getty Images"
    )


def test_nul_characters_in_an_import_are_dropped(db, tmp_path):
    item = ninjs(
        "urn:t:nul",
        ["Some words\u0000 here."],
        headline="Head\u0000line",
        reporter="Ana\u0000 Ruiz",
    )
    report = import_file(write_lines(tmp_path / "n.jsonl", [item]))
    assert report.created == 1
    story = Story.objects.get(uri="urn:t:nul")
    assert (
        story.headline == "Headline"
        and "\x00" not in story.body
        and story.byline().startswith("Ana Ruiz")
    )


def _line(name: str, **extra) -> str:
    item = ninjs(name, paragraphs(7))
    item.update(extra)
    return json.dumps(item)


HOSTILE = [
    ("far embargo", {"embargoed": "9999-12-31T23:59:59-23:59"}, "embargoed"),
    ("long headline", {"headlines": [{"role": "main", "value": "H" * 301}]}, "headline"),
    ("long uri", {"uri": "urn:test:" + "u" * 300}, "uri"),
    ("js canonical", {"renditions": [{"name": "web", "href": "javascript:alert(1)"}]},
     "canonical_url"),
    ("js photo", {"associations": [{"name": "featureimage", "type": "picture",
                                    "uri": "javascript:alert(1)", "by": "Staff"}]}, "photo 1"),
    ("huge body", {"bodies": [{"role": "main", "contenttype": "text/html",
                               "value": "<p>" + "word " * 500_000 + "</p>"}]}, "body"),
]  # fmt: skip


@pytest.mark.parametrize("name, extra, field", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_records_are_named_per_line_and_the_rest_kept(db, tmp_path, name, extra, field):
    """Input that validates as ninjs but breaks a limit: a named error, never a traceback;
    with --skip-bad the good lines around it are kept, on SQLite and PostgreSQL alike."""
    lines = [_line("urn:test:good1"), _line("urn:test:bad", **extra), _line("urn:test:good2")]
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ImportFailed) as err:
        import_file(path)
    assert "line 2" in str(err.value) and field in str(err.value)
    assert Story.objects.count() == 0
    report = import_file(path, skip_bad=True)
    assert report.created == 2 and [p.where for p in report.bad] == ["line 2"]
    assert set(Story.objects.values_list("uri", flat=True)) == {"urn:test:good1", "urn:test:good2"}


@pytest.mark.parametrize("pubstatus", ["published", 7, ["usable"], None, {"x": 1}])
def test_bad_pubstatus_without_validation_is_a_named_error(db, tmp_path, pubstatus):
    path = tmp_path / "p.jsonl"
    path.write_text(_line("urn:test:ok") + "\n" + _line("urn:test:p", pubstatus=pubstatus) + "\n")
    report = import_file(path, skip_bad=True, validate=False)
    if pubstatus is None:  # JSON null: no status given, the default applies
        assert report.created == 2 and not report.bad
        return
    assert report.created == 1 and report.bad[0].where == "line 2"
    assert "pubstatus" in report.bad[0].message


@pytest.mark.parametrize("field", ["headlines", "bodies", "people", "associations", "renditions"])
@pytest.mark.parametrize("value", [True, 5, "text", {"a": 1}])
def test_unvalidated_fields_of_any_shape_never_crash(db, tmp_path, field, value):
    path = tmp_path / "s.jsonl"
    path.write_text(_line("urn:test:shape", **{field: value}) + "\n")
    report = import_file(path, skip_bad=True, validate=False)
    assert report.created + len(report.bad) == 1


def test_invalid_utf8_is_named_by_line_and_skippable(db, tmp_path):
    path = tmp_path / "u.jsonl"
    path.write_bytes(
        (_line("urn:test:a") + "\n").encode()
        + b'{"uri": "urn:test:\xff\xfe"}\n'
        + (_line("urn:test:b") + "\n").encode()
    )
    with pytest.raises(ImportFailed, match=r"line 2: not UTF-8: byte 19 of the line is 0xff"):
        import_file(path)
    report = import_file(path, skip_bad=True)
    assert report.created == 2 and report.bad[0].where == "line 2"


@pytest.mark.django_db(transaction=True)
def test_an_import_is_written_in_batches(tmp_path, monkeypatch):
    """Each batch commits before the next starts: other writers wait one batch at most.
    Stories new to the wire go in bulk batches, the others one by one in smaller ones."""
    from django.db import transaction

    from newswire.wire import importer

    events: list[str] = []
    real_upsert, real_bulk = importer.upsert, importer.create_many

    def upsert(fields, terms, source, story=None):
        events.append(f"write {fields.uri[-1]}")
        transaction.on_commit(lambda: events.append(f"commit {fields.uri[-1]}"))
        return real_upsert(fields, terms, source, story)

    def create_many(batch, terms, source, parts=None, **kw):
        names = ",".join(f.uri[-1] for _, f in batch)
        events.append(f"bulk {names}")
        transaction.on_commit(lambda: events.append(f"commit {names}"))
        return real_bulk(batch, terms, source, parts, **kw)

    monkeypatch.setattr(importer, "upsert", upsert)
    monkeypatch.setattr(importer, "create_many", create_many)
    monkeypatch.setattr(importer, "BULK_BATCH", 4)
    path = tmp_path / "b.jsonl"
    path.write_text("".join(_line(f"urn:test:b{i}") + "\n" for i in range(7)))
    report = import_file(path, batch_size=3)
    assert report.created == 7
    assert events == ["bulk 0,1,2,3", "commit 0,1,2,3", "bulk 4,5,6", "commit 4,5,6"]
    events.clear()  # the same stories with a new summary: found on the wire, one by one
    path.write_text("".join(_line(f"urn:test:b{i}", headlines=[
        {"role": "main", "value": "Changed"}, {"role": "sub", "value": f"s{i}"}]) + "\n"
        for i in range(7)))  # fmt: skip
    report = import_file(path, batch_size=3)
    assert report.updated + report.corrected == 7
    assert events == [
        "write 0", "write 1", "write 2", "commit 0", "commit 1", "commit 2",
        "write 3", "commit 3",
        "write 4", "write 5", "write 6", "commit 4", "commit 5", "commit 6",
    ]  # fmt: skip


def test_a_bulk_import_stores_what_one_by_one_does(tmp_path, wire_terms):
    """The same file, stored in bulk and one story at a time: the same stories, slugs,
    summaries, bylines, photos, versions and warnings."""
    from newswire.wire import importer
    from newswire.wire.models import Byline, Media, Story, StoryVersion

    items = [_line(f"urn:test:s{i}") for i in range(5)]
    items.append(_line("urn:test:twin"))  # the same headline as s0: a -2 slug
    item = json.loads(_line("urn:test:nobody"))
    item.pop("by", None)
    item.pop("people", None)
    items.append(json.dumps(item))
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(items) + "\n")

    def stored() -> list:
        return [
            (s.uri, s.slug, s.status, s.summary, s.version, s.body,
             [(b.reporter.name, b.position, b.title) for b in Byline.objects.filter(story=s)],
             [(m.url, m.credit) for m in Media.objects.filter(story=s)],
             list(StoryVersion.objects.filter(story=s).values_list("number", "headline")))
            for s in Story.objects.order_by("uri")
        ]  # fmt: skip

    bulk = import_file(path)
    in_bulk = stored()
    Story.objects.all().delete()
    one = importer.BULK_BATCH
    try:
        importer.BULK_BATCH = (
            1  # (a batch of one new story still goes in bulk: force the other way)
        )
        real = importer.create_many
        importer.create_many = lambda *a, **k: (_ for _ in ()).throw(
            importer.ValidationError("force one by one")
        )
        try:
            by_one = import_file(path)
        finally:
            importer.create_many = real
    finally:
        importer.BULK_BATCH = one
    assert stored() == in_bulk
    assert [str(w) for w in bulk.warnings] == [str(w) for w in by_one.warnings]
    assert any("no reporter" in str(w) for w in bulk.warnings)


DEEP = "[" * 100_000 + "]" * 100_000


def test_json_nested_100000_deep_is_named_and_the_other_files_go_on(db, tmp_path):
    """The attack probe's file: a clean error naming the file and line, exit 2, no traceback;
    the good file after it is imported; a deep line among good ones is skipped with --skip-bad."""
    from click.testing import CliRunner

    from newswire.cli import cli

    deep = tmp_path / "deep.json"
    deep.write_text(DEEP)
    deep_object = tmp_path / "deep-object.json"
    deep_object.write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    good = write_lines(tmp_path / "good.jsonl", [_line("urn:test:good")])
    result = CliRunner().invoke(cli, ["import", str(deep), str(deep_object), str(good)])
    assert result.exit_code == 2 and not isinstance(result.exception, RecursionError)
    assert "Traceback" not in result.output
    # (an array: its one element is named, as the elements of any array are)
    assert f"error: {deep}: item 1: JSON nested too deeply" in result.stderr
    assert f"error: {deep_object}: line 1: JSON nested too deeply" in result.stderr
    assert Story.objects.filter(uri="urn:test:good").exists()

    mixed = write_lines(tmp_path / "mixed.jsonl", [_line("urn:test:a"), DEEP, _line("urn:test:b")])
    with pytest.raises(ImportFailed, match="line 2: JSON nested too deeply"):
        import_file(mixed)
    report = import_file(mixed, skip_bad=True)
    assert report.created == 2 and [p.where for p in report.bad] == ["line 2"]


@pytest.mark.parametrize(
    "extra, named",
    [
        ({"standard": {"name": "ninjs", "version": "4.0"}}, "4.0"),
        ({"standard": {"name": "ninjs", "version": "0.9"}}, "0.9"),
        ({"$schema": "http://www.iptc.org/std/ninjs/ninjs-schema_5.2.json"}, "5.2"),
    ],
)  # fmt: skip
def test_a_ninjs_version_newswire_does_not_read_is_one_plain_sentence(db, tmp_path, extra, named):
    item = {**ninjs("urn:v:1", paragraphs(1)), **extra}
    if "standard" not in extra:
        item.pop("standard")
    path = write_lines(tmp_path / "v.jsonl", [item])
    with pytest.raises(ImportFailed) as failed:
        import_file(path)
    message = str(failed.value)
    assert f"ninjs {named} is not a version newswire reads" in message
    assert "Unevaluated" not in message and len(message) < 400  # no schema dump


def test_an_unchanged_story_is_not_written_again(db, tmp_path, django_assert_max_num_queries):
    """Importing the same file again changes nothing, not even the stories' updated_at
    (which every cache of a story and the warm wire go by), in a few queries a batch; a
    story whose byline changed is updated, and only it."""
    path = tmp_path / "w.jsonl"
    path.write_text("".join(_line(f"urn:test:w{i}") + "\n" for i in range(30)))
    assert import_file(path).created == 30
    before = dict(Story.objects.values_list("uri", "updated_at"))
    # a handful for the batch, then per story only its savepoint and release (read one by
    # one, 30 stories took 240 queries and more)
    with django_assert_max_num_queries(75):
        again = import_file(path)
    assert (again.unchanged, again.updated, again.created) == (30, 0, 0)
    assert dict(Story.objects.values_list("uri", "updated_at")) == before
    lines = [_line(f"urn:test:w{i}") for i in range(30)]
    lines[4] = _line("urn:test:w4", by="Kwame Thornbury, Education Reporter",
                     people=[{"name": "Kwame Thornbury", "rel": "author"}])  # fmt: skip
    path.write_text("\n".join(lines) + "\n")
    third = import_file(path)
    assert (third.unchanged, third.updated) == (29, 1)
    after = dict(Story.objects.values_list("uri", "updated_at"))
    assert [uri for uri in after if after[uri] != before[uri]] == ["urn:test:w4"]
    assert Story.objects.get(uri="urn:test:w4").byline().startswith("Kwame Thornbury")
