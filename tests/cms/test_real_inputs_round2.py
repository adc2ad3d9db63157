"""Real-world inputs, round 2 (issue 35, items 5-10): one stray byte holds back one item
only; text declared as text is words, not markup; a person a story quotes is not its
reporter; EBCDIC feeds are recognised; every ninjs version gets a reading or one sentence;
one item nested too deep spoils only itself. Files from feedparser's suite
(``feedparser_suite/``, its licence beside them) and feeds generated here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newswire.cms.models import Fault, StorySource
from newswire.cms.poll import poll
from newswire.cms.readers import ninjs_page
from newswire.wire.importer import import_file, parse_feed, sniff
from newswire.wire.models import Story
from newswire.wire.ninjs import BadRecord, fields_from_ninjs
from newswire.wire.sanitize import clean_html, text_of

from ..fakesite import respond

SUITE = Path(__file__).parent / "feedparser_suite"
WORDS = ["Łódź and Kraków", "Café society", "Zürich bürgers", "Señor Muñoz", "Ølen fjord",
         "Plain headline", "São Paulo", "Kyiv news"]  # fmt: skip


def _rss(titles: list[str]) -> str:
    items = "".join(
        f"<item><guid>urn:b:{i}</guid><title>{t}</title><author>ed@x.example (Ana Ruiz)</author>"
        f"<description>The story of {t}, told in full.</description></item>"
        for i, t in enumerate(titles)
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>N</title>{items}</channel></rss>'


# --- 5. one bad byte holds back one item --------------------------------------------------


@pytest.mark.parametrize("bad", [b"\xe9", b"\xfc", b"\x80", b"\xff", b"\xc3(", b"\xed\xa0\x80"])
@pytest.mark.parametrize("which", [1, 4, 7])
def test_one_stray_byte_holds_back_its_item_and_the_others_read_right(site, wire_terms, bad,
                                                                     which):  # fmt: skip
    body = _rss(list(WORDS)).encode("utf-8")
    title = f"<title>{WORDS[which]}</title>".encode()
    body = body.replace(title, title.replace(b" ", bad, 1), 1)  # a stray byte in one title
    site.route("/feed", respond(200, body, "application/rss+xml; charset=utf-8"))
    source = StorySource.objects.create(url=f"{site.url}/feed", kind="rss", publish=True)
    poll(source)
    public = {s.headline for s in Story.objects.public()}
    assert public == {t for n, t in enumerate(WORDS) if n != which}, public  # read right
    held = Story.objects.exclude(pk__in=Story.objects.public()).get()
    assert held.status == "draft"
    fault = Fault.objects.get(source=source)
    assert f"0x{bad[0]:02X}" in fault.reason and "byte" in fault.reason and "not utf-8" in fault.reason


def test_a_declaration_the_text_plainly_contradicts_is_never_published(site, wire_terms,
                                                                      tmp_path):  # fmt: skip
    russian = ["Новости дня", "Москва и Санкт-Петербург", "Погода на завтра"]
    xml = _rss(russian).replace('encoding="utf-8"', 'encoding="iso-8859-1"').encode("koi8-r")
    path = tmp_path / "koi8.xml"
    path.write_bytes(xml)
    report = import_file(path)
    assert report.created == 0 and len(report.bad) == 3
    assert "declares iso-8859-1, but its text does not read as iso-8859-1" in str(report.bad[0])
    site.route("/feed", respond(200, xml, "application/rss+xml"))
    source = StorySource.objects.create(url=f"{site.url}/feed", kind="rss", publish=True)
    poll(source)
    assert not Story.objects.public().exists() and Story.objects.filter(status="draft").count() == 3
    assert Fault.objects.filter(source=source, reason__contains="a wrong declaration").exists()


@pytest.mark.parametrize("text, codec", [("Élection à Orléans: les élèves étudient.", "latin-1"),
                                         ("Straße über Größe und Öl in München.", "cp1252")])  # fmt: skip
def test_a_true_one_byte_declaration_still_reads(text, codec):
    xml = _rss([text]).replace('encoding="utf-8"', f'encoding="{codec}"').encode(codec)
    feed = parse_feed(xml)
    assert not feed.garbled and not feed.bad_entries and feed.parsed.entries[0].title == text


# --- 6. text declared as text is words -------------------------------------------------------


def _entry_of(path: Path):
    feed = parse_feed(path.read_bytes())
    entry = feed.parsed.entries[0]
    entry["id"] = "urn:feedparser:" + path.stem  # (the suite's files have no id)
    if not entry.get("title"):
        entry["title"], entry["title_detail"] = "A title", {"type": "text/plain", "value": "x"}
    if not entry.get("content") and not entry.get("summary"):  # (a title's file: a body)
        entry["summary"] = "A body."
        entry["summary_detail"] = {"type": "text/plain", "value": "A body."}
    return entry


@pytest.mark.parametrize("path", sorted((SUITE / "text").glob("*.xml")), ids=lambda p: p.name)
def test_text_declared_as_text_keeps_its_angle_brackets(path):
    from newswire.wire.importer import entry_fields

    entry = _entry_of(path)
    fields = entry_fields(entry)
    if "title" in path.name:
        want = " ".join(entry["title"].split())
        assert "<" in want and fields.headline == want
    else:
        detail = (entry.get("content") or [entry["summary_detail"]])[0]
        want = " ".join(detail["value"].split())
        shown = " ".join(text_of(clean_html(fields.body)).split())
        assert "<" in want and want in shown, (want, shown)


@pytest.mark.parametrize("kind", ["text", "text/plain"])
def test_generated_text_entries_keep_every_bracketed_word(kind, tmp_path, db, wire_terms):
    words = ["History of the <blink> tag", "Contact: Jane Doe <jane@example.com>",
             "if a < b and c > d", "<script>alert(1)</script> is what they typed",
             "Tom & Jerry <3", "a <b>bold</b> claim"]  # fmt: skip
    from xml.sax.saxutils import escape

    entries = "".join(
        f'<entry><id>urn:t:{n}</id><title type="{kind}">{escape(w)}</title>'
        f'<author><name>Ana Ruiz</name></author><updated>2026-12-01T10:00:00Z</updated>'
        f'<content type="{kind}">{escape(w)}\n\nSecond paragraph.</content></entry>'
        for n, w in enumerate(words)
    )
    path = tmp_path / "t.xml"
    path.write_text(f'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
                    f'<id>urn:t</id><updated>2026-12-01T10:00:00Z</updated>{entries}</feed>')  # fmt: skip
    report = import_file(path)
    assert report.created == len(words) and not report.bad
    for n, w in enumerate(words):
        story = Story.objects.get(uri=f"urn:t:{n}")
        assert story.headline == w
        assert text_of(story.body).startswith(w) and "<script>" not in story.body


@pytest.mark.parametrize("path", sorted((SUITE / "iframe").glob("*.xml")), ids=lambda p: p.name)
def test_an_iframes_fallback_never_shows_as_escaped_markup(path):
    from newswire.wire.importer import entry_fields

    fields = entry_fields(_entry_of(path))
    shown = text_of(clean_html(fields.body))
    assert "&lt;" not in clean_html(fields.body) and "<b>" not in shown and "iframe" not in shown
    assert shown.startswith("safe")


# --- 7. a person the story quotes is not its reporter ----------------------------------------


def test_a_contact_person_without_a_creators_role_is_no_reporter(db):
    """The shape of IPTC's ninjs 2.1 example tt_text_image_2.json: no ``by``, one person in
    ``people`` without a role (a spokesman the story quotes)."""
    item = {"uri": "urn:tt:2", "type": "text", "headlines": [{"value": "Ferry strike ends"}],
            "bodies": [{"value": "<p>The strike ended, a spokesman said.</p>"}],
            "people": [{"name": "Lars Spokesman"}]}  # fmt: skip
    fields = fields_from_ninjs(item)
    assert fields.reporters == []  # kept a draft with a warning, as every authorless import
    for role in ("author", "creator", "writer"):
        item["people"] = [{"name": "Eva Lund", "rel": role}, {"name": "Lars Spokesman",
                                                              "rel": "about"}]  # fmt: skip
        assert fields_from_ninjs(item).reporters == [("Eva Lund", "")]


def test_a_picture_item_is_no_story_and_its_agency_no_reporter(db):
    item = {"uri": "urn:sipa:2", "type": "picture", "by": "SIPA Press",
            "headlines": [{"value": "A photo"}], "bodies": [{"value": "A caption."}]}  # fmt: skip
    with pytest.raises(BadRecord, match="a picture on its own, not a story"):
        fields_from_ninjs(item)


# --- 8. EBCDIC -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((SUITE / "ebcdic").glob("*.xml")), ids=lambda p: p.name)
def test_the_suites_ebcdic_feeds_are_recognised_and_read(path):
    data = path.read_bytes()
    assert sniff(data) == "feed"
    assert parse_feed(data).parsed.feed.title == "\u00d8"  # the suite's own expectation


@pytest.mark.parametrize("codec", ["cp037", "cp500", "cp1140", "cp273", "cp875"])
def test_an_ebcdic_feed_imports_and_is_added_as_a_source(codec, tmp_path, site, wire_terms):
    title = "Zürich: Bürger und Ärzte" if codec != "cp875" else "Αθήνα σήμερα"
    xml = (f'<?xml version="1.0" encoding="{codec}"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
           f"<title>T</title><id>urn:e</id><updated>2026-12-01T10:00:00Z</updated><entry>"
           f"<id>urn:e:1</id><title>{title}</title><author><name>Ana Ruiz</name></author>"
           f"<updated>2026-12-01T10:00:00Z</updated><content type=\"html\">&lt;p&gt;{title}."
           f"&lt;/p&gt;</content></entry></feed>").encode(codec)  # fmt: skip
    path = tmp_path / "e.xml"
    path.write_bytes(xml)
    assert sniff(xml) == "feed"
    report = import_file(path)
    assert report.created == 1 and Story.objects.get().headline == title
    from newswire.cms.detect import detect
    from newswire.fetch import FetchPolicy, SafeClient

    site.route("/e.xml", respond(200, xml, "application/atom+xml"))
    import ipaddress

    with SafeClient(FetchPolicy(allow=(ipaddress.ip_network("127.0.0.1/32"),))) as client:
        assert detect(f"{site.url}/e.xml", client)[0] == "atom"


# --- 9. every ninjs version read, or one sentence ------------------------------------------


@pytest.mark.parametrize("version", ["1.0", "1.2", "1.4", "1.5", "1.6"])
def test_ninjs_1x_declared_in_standard_reads(version, db):
    item = {"uri": "urn:v1", "type": "text", "$standard": {"name": "ninjs", "version": version},
            "headline": "Ferry strike ends", "byline": "Eva Lund",
            "body_html": "<p>The strike ended.</p>"}  # fmt: skip
    fields = fields_from_ninjs(item)
    assert fields.headline == "Ferry strike ends" and fields.reporters == [("Eva Lund", "")]


def test_a_1x_object_not_valid_for_1_6_is_one_sentence(db):
    item = {"uri": "urn:v1", "$standard": {"version": "1.4"}, "headline": ["not", "a string"]}
    with pytest.raises(BadRecord) as refused:
        fields_from_ninjs(item)
    said = str(refused.value)
    assert said.startswith("urn:v1: not valid ninjs 1.6: headline:") and len(said) < 300


@pytest.mark.parametrize("kind", ["event", "planning"])
def test_events_and_planning_items_are_one_sentence(kind, db):
    item = {"uri": "urn:ev", "type": kind, "standard": {"name": "ninjs", "version": "3.0"},
            "headlines": [{"value": "Press conference"}]}  # fmt: skip
    with pytest.raises(BadRecord) as refused:
        fields_from_ninjs(item)
    assert "on its own, not a story" in str(refused.value)


# --- 10. one item too deep spoils only itself ------------------------------------------------


def _deep(n: int = 100_000) -> str:
    return '{"uri": "urn:deep", "x": ' + "[" * n + "]" * n + "}"


def _good(n: int) -> str:
    return json.dumps({"uri": f"urn:ok:{n}", "type": "text", "by": "Ana Ruiz",
                       "headlines": [{"value": f"Good story {n}"}],
                       "bodies": [{"value": f"<p>Good text {n}.</p>"}]})  # fmt: skip


@pytest.mark.parametrize("shape", ["array", "items", "lines"])
def test_a_ninjs_answer_with_one_item_too_deep_keeps_its_good_items(shape, db):
    parts = [_good(1), _deep(), _good(2)]
    text = {"array": "[" + ", ".join(parts) + "]",
            "items": '{"items": [' + ", ".join(parts) + '], "next": "p2"}',
            "lines": "\n".join(parts)}[shape]  # fmt: skip
    entries, after = ninjs_page(text.encode(), " (page 1)")
    assert [e.fields.headline if e.fields else None for e in entries] == [
        "Good story 1", None, "Good story 2"]
    assert "nested too deeply" in entries[1].problem
    assert after == ("p2" if shape == "items" else "")


def test_an_imported_array_with_one_item_too_deep_imports_the_rest(db, wire_terms, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" + ", ".join([_good(1), _deep(), _good(2)]) + "]")
    report = import_file(path, skip_bad=True)
    assert report.created == 2 and [p.where for p in report.bad] == ["item 2"]
    assert "nested too deeply" in str(report.bad[0])


def test_a_ninjs_source_answering_in_3_1_is_read_and_its_kills_flagged(db):
    items = [
        {"uri": "urn:s31:1", "type": "text", "standard": {"name": "ninjs", "version": "3.1"},
         "headlines": [{"value": "Ferry strike ends"}], "by": "Eva Lund",
         "bodies": [{"contentType": "text/html", "value": "<p>The strike ended.</p>"}],
         "subjects": [{"name": "Transport"}]},
        {"uri": "urn:s31:2", "pubStatus": "canceled", "headlines": [{"value": "Gone"}]},
    ]  # fmt: skip
    entries, _ = ninjs_page(json.dumps({"items": items}).encode(), "")
    assert entries[0].fields.headline == "Ferry strike ends" and entries[0].tags == ["Transport"]
    assert entries[1].gone == "deleted"
