"""Feeds written by others: files from feedparser's own test suite (``feedparser_suite/``),
served from a loopback server with the headers they declare, polled as sources and imported
as files. Every story's headline must read in its own script; a text that cannot be decoded
must never be published."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from newswire.cli import cli
from newswire.cms.models import Fault, StorySource
from newswire.cms.poll import poll
from newswire.wire.importer import import_file, sniff
from newswire.wire.models import Story

from ..fakesite import respond

SUITE = Path(__file__).parent / "feedparser_suite"

HEADLINES = {
    "koi8r": "Как пережить новогоднюю ночь",
    "eucjp": "ゲーム三昧な正月",
    "euckr": None,  # checked against the file's own bytes below
    "tis620": None,
    "windows1255": None,
}
CODECS = {"koi8r": "koi8-r", "eucjp": "euc-jp", "euckr": "euc-kr", "tis620": "tis-620",
          "windows1255": "cp1255"}  # fmt: skip


def with_guid(name: str) -> bytes:
    """The suite's file with a <guid> in its item (ASCII: the same in every encoding)."""
    data = (SUITE / f"chardet-{name}.xml").read_bytes()
    return data.replace(b"<item>", f"<item><guid>urn:feedparser:{name}</guid>".encode(), 1)


def headline_of(name: str) -> str:
    import re

    text = (SUITE / f"chardet-{name}.xml").read_bytes().decode(CODECS[name])
    return " ".join(re.search(r"<title>(.*?)</title>", text, re.S).group(1).split())


def test_a_koi8_r_feed_declared_only_by_its_http_charset_is_read_in_koi8_r(site, wire_terms):
    """The probe's worst case: published as mojibake because only the body reached feedparser."""
    site.route("/feed", respond(200, with_guid("koi8r"),
                                "application/rss+xml; charset=koi8-r"))  # fmt: skip
    source = StorySource.objects.create(url=f"{site.url}/feed", kind="rss", publish=True)
    done = poll(source)
    story = Story.objects.get()
    assert done.created == 1 and story.headline == HEADLINES["koi8r"]
    assert not Fault.objects.filter(reason__contains="garbled").exists()


@pytest.mark.parametrize("name", ["eucjp", "euckr", "koi8r"])
def test_legacy_encodings_without_a_declaration_are_detected(site, wire_terms, name):
    site.route("/feed", respond(200, with_guid(name), "application/rss+xml"))
    source = StorySource.objects.create(url=f"{site.url}/feed", kind="rss", publish=False)
    poll(source)
    story = Story.objects.get()
    assert story.headline == headline_of(name), (name, story.headline)
    if name in ("koi8r", "eucjp"):
        assert story.headline == HEADLINES[name]


@pytest.mark.parametrize("name", ["tis620", "windows1255"])
def test_legacy_encodings_of_items_without_a_title_are_read_too(name):
    """These two items have no title (so no story): their text is read right all the same."""
    import re

    from newswire.wire.importer import parse_feed

    feed = parse_feed(with_guid(name))
    text = (SUITE / f"chardet-{name}.xml").read_bytes().decode(CODECS[name])
    want = " ".join(re.search(r"<description>(.*?)</description>", text, re.S).group(1).split())
    got = " ".join(feed.parsed.entries[0]["summary"].split())
    assert not feed.garbled and got[:80] == want[:80]


def _undecodable() -> bytes:
    rng = random.Random(7)
    junk = bytes(rng.randrange(0x80, 0x100) for _ in range(400))
    return (b"<rss><channel><item><guid>urn:junk:1</guid><title>" + junk[:120]
            + b"</title><description>" + junk + b"</description></item></channel></rss>")  # fmt: skip


def test_an_undecodable_feed_is_a_fault_and_a_draft_never_a_published_story(site, wire_terms,
                                                                          tmp_path):  # fmt: skip
    site.route("/feed", respond(200, _undecodable(), "application/rss+xml"))
    source = StorySource.objects.create(url=f"{site.url}/feed", kind="rss", publish=True)
    poll(source)
    story = Story.objects.get()
    assert story.status == "draft" and not Story.objects.public().exists()
    assert Fault.objects.filter(source=source, reason__contains="garbled").count() == 1
    poll(source)  # polled again: no second fault for the same item, still a draft
    assert Fault.objects.filter(source=source, reason__contains="garbled").count() == 1
    path = tmp_path / "junk.xml"
    path.write_bytes(_undecodable())
    report = import_file(path)
    assert report.created == 0 and "cannot be read" in str(report.bad[0])
    result = CliRunner().invoke(cli, ["import", str(path)])
    assert result.exit_code == 1 and "garbled" in result.stderr
    assert Story.objects.count() == 1  # the source's draft, and nothing from the file


@pytest.mark.parametrize("name", ["utf-16le-bom.xml", "utf-16be.xml", "utf-16be-autodetect.xml",
                                  "utf-16le-autodetect.xml"])  # fmt: skip
def test_the_suite_s_utf_16_feeds_are_recognised_as_feeds(name):
    assert sniff((SUITE / name).read_bytes()) == "feed"


UTF16_FEED = ('<?xml version="1.0" encoding="{enc}"?>\n<rss version="2.0"><channel><title>Wide'
              "</title><item><guid>urn:wide:1</guid><title>{title}</title><author>Ana García"
              "</author><description>&lt;p&gt;Ein Bericht über die Stadt, der lang genug ist."
              "&lt;/p&gt;</description></item></channel></rss>")  # fmt: skip


@pytest.mark.parametrize("codec, declared", [("utf-16", "utf-16"), ("utf-16-be", "utf-16"),
                                             ("utf-32", "utf-32")])  # fmt: skip
def test_a_utf_16_or_32_feed_is_added_polled_and_imported(site, wire_terms, tmp_path, codec,
                                                         declared):  # fmt: skip
    title = HEADLINES["eucjp"]
    data = UTF16_FEED.format(enc=declared, title=title).encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data  # with its byte order mark, as the suite's utf16.xml
    site.route("/wide", respond(200, data, "application/rss+xml"))
    added = CliRunner().invoke(cli, ["sources", "add", f"{site.url}/wide"])
    assert added.exit_code == 0, added.output
    assert StorySource.objects.get().kind == "rss"
    path = tmp_path / "wide.xml"
    path.write_bytes(data)
    report = import_file(path)
    assert report.created == 1 and Story.objects.get().headline == title


ATOM_URN = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example Feed</title><link href="http://example.org/"/>
  <updated>2003-12-13T18:30:02Z</updated><author><name>John Doe</name></author>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <entry>
    <title>Atom-Powered Robots Run Amok</title>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2003-12-13T18:30:02Z</updated>
    <content type="html">&lt;p&gt;Some text about robots running amok in the city.&lt;/p&gt;</content>
  </entry>
  <entry>
    <id>urn:uuid:2225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2003-12-13T18:30:02Z</updated>
    <content type="html">&lt;p&gt;An entry with no title at all.&lt;/p&gt;</content>
  </entry>
</feed>"""  # RFC 4287's own example (its entry's link left out), and one bad entry after it


def test_an_atom_entry_named_by_a_urn_without_a_link_imports_and_a_bad_one_does_not_stop_it(
    db, tmp_path
):
    path = tmp_path / "atom.xml"
    path.write_text(ATOM_URN)
    report = import_file(path)
    story = Story.objects.get()
    assert report.created == 1 and [p.where for p in report.bad] == ["entry 2"]
    assert story.uri == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
    assert story.canonical_url == ""  # the URN is its name, not a web address
    assert story.byline() == "John Doe"


def test_script_source_in_a_feed_body_is_dropped_with_the_script(db, tmp_path):
    data = (
        (SUITE / "entry_content_crazy.xml")
        .read_bytes()
        .replace(b"<entry>", b"<entry><id>urn:crazy:1</id><title>Crazy</title>", 1)
    )
    path = tmp_path / "crazy.xml"
    path.write_bytes(data)
    import_file(path)
    body = Story.objects.get().body
    assert "executeMe" not in body and "function" not in body
    assert "I will execute here, too" in body  # the text a reader sees stays


@pytest.mark.parametrize(
    "by, language, expected",
    [
        ("Paulo Santalucia and Frances d'Emilio", "en",
         [("Paulo Santalucia", ""), ("Frances d'Emilio", "")]),
        ("Von Christian Hollmann, dpa", "de", [("Christian Hollmann", "dpa")]),
        ("Par Jean Dupont et Marie Curie, AFP", "fr", [("Jean Dupont", ""), ("Marie Curie", "AFP")]),
        ("Por Ana García y Luis Pérez", "es", [("Ana García", ""), ("Luis Pérez", "")]),
        ("By Grace Nakamura, Education Reporter", "en", [("Grace Nakamura", "Education Reporter")]),
        ("Paulo Santalucia, Frances d'Emilio and Nicole Winfield", "en",
         [("Paulo Santalucia", ""), ("Frances d'Emilio", ""), ("Nicole Winfield", "")]),
        ("The Associated Press", "en", []),
    ],
)  # fmt: skip
def test_bylines_of_several_people_and_in_other_languages(db, tmp_path, by, language, expected):
    import json

    from ..factories import ninjs, paragraphs

    item = ninjs("urn:byline:1", paragraphs(3))
    item.pop("people")
    item["by"], item["language"] = by, language
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(item) + "\n")
    import_file(path)
    story = Story.objects.get()
    got = [(b.reporter.name, b.title) for b in story.bylines.select_related("reporter")]
    assert got == expected
