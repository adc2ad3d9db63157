"""The saved wire (``newswire index build``): a scan over it finds exactly what a scan over
the stories finds; a file of another version, cut short, appended to or corrupt is refused
with an error naming the file and what is wrong."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from newswire.engine import IndexFormatError, Scanner, open_wire, scan_inputs, write_wire
from newswire.engine.saved import FORMAT_VERSION, MAGIC
from newswire.engine.types import Match

from ..factories import make_crawl, ninjs, paragraphs


def matches(scanner: Scanner, inputs: list[Path]) -> list[str]:
    return [
        json.dumps(m.to_json(), sort_keys=True)
        for m in scan_inputs(scanner, inputs)
        if isinstance(m, Match)
    ]


@pytest.fixture
def saved(tmp_path: Path, stories, terms) -> Path:
    path = tmp_path / "wire.idx"
    written = write_wire(path, terms, stories)
    assert (written.stories, written.path) == (3, path)
    return path


def test_a_scan_of_the_saved_wire_is_the_scan_of_its_stories(
    tmp_path, saved, stories, terms, story_items
):
    crawl = list(make_crawl(tmp_path / "crawl", story_items).values())
    expected = matches(Scanner(stories, terms), crawl)
    assert len(expected) == 5
    assert matches(Scanner.saved(saved), crawl) == expected
    assert matches(Scanner.saved(saved), crawl[:1]) == expected[:2]


def test_stories_are_read_only_when_a_page_may_hold_them(saved, tmp_path, story_items):
    wire = open_wire(saved)
    assert len(wire.stories) == 3 and wire.stories._stories == {}
    crawl = make_crawl(tmp_path / "crawl", story_items)
    scanner = Scanner(wire.stories, wire.terms, wire.config, index=wire.index)
    list(scan_inputs(scanner, [crawl["mixed"]]))  # holds copies of stories a and c only
    assert sorted(s.uri for s in wire.stories._stories.values()) == ["urn:test:a", "urn:test:c"]
    assert wire.terms.wire == "Plainfield News Service"
    assert wire.stories["urn:test:b"].headline == "Storm Hits Coast"
    assert "urn:test:nope" not in wire.stories


def test_a_later_story_with_the_same_uri_replaces_the_earlier(tmp_path, terms):
    from newswire.engine import story_from_ninjs

    old = story_from_ninjs(ninjs("urn:test:x", paragraphs(40)), terms)
    new = story_from_ninjs(ninjs("urn:test:x", paragraphs(41), headline="Fixed"), terms)
    other = story_from_ninjs(ninjs("urn:test:y", paragraphs(42)), terms)
    written = write_wire(tmp_path / "w.idx", terms, [old, other, new])
    wire = open_wire(written.path)
    assert written.stories == 2 and wire.stories["urn:test:x"].headline == "Fixed"
    page = tmp_path / "p.html"
    page.write_text(
        "<html><body>" + "".join(f"<p>{p}</p>" for p in paragraphs(40)) + "</body></html>"
    )
    assert matches(Scanner.saved(written.path), [page]) == []  # the replaced text is gone


def _corrupt(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def _section(path: Path, name: str) -> tuple[int, int]:
    _, _, head_len, _ = struct.unpack_from("<8sIII", path.read_bytes())
    header = json.loads(path.read_bytes()[20 : 20 + head_len])
    offset, nbytes, _ = header["sections"][name]
    return offset, nbytes


@pytest.mark.parametrize(
    "damage, says",
    [
        ("version", "format 99; this newswire reads format"),
        ("magic", "not a saved wire"),
        ("empty", "not a saved wire"),
        ("cut_header", "header is corrupt or cut short"),
        ("cut_end", "truncated or appended to"),
        ("appended", "truncated or appended to"),
        ("header_byte", "header is corrupt"),
        ("hashes_byte", "section hashes is corrupt"),
        ("offsets_byte", "section offsets is corrupt"),
        ("missing", "cannot read"),
    ],
)
def test_other_versions_and_damaged_files_are_refused(saved, damage, says):
    data = saved.read_bytes()
    if damage == "version":
        saved.write_bytes(data[:8] + struct.pack("<I", 99) + data[12:])
    elif damage == "magic":
        saved.write_bytes(b"PK\x03\x04" + data[4:])
    elif damage == "empty":
        saved.write_bytes(b"")
    elif damage == "cut_header":
        saved.write_bytes(data[:100])
    elif damage == "cut_end":
        saved.write_bytes(data[:-10])
    elif damage == "appended":
        saved.write_bytes(data + b"\0" * 10)
    elif damage == "header_byte":
        _corrupt(saved, 40)
    elif damage in ("hashes_byte", "offsets_byte"):
        offset, nbytes = _section(saved, damage.split("_")[0])
        _corrupt(saved, offset + nbytes // 2)
    elif damage == "missing":
        saved.unlink()
    with pytest.raises(IndexFormatError) as refused:
        open_wire(saved)
    assert str(saved) in str(refused.value) and says in str(refused.value)
    assert FORMAT_VERSION == 1 and MAGIC.startswith(b"NWIDX")


def test_a_corrupt_story_record_is_refused_when_it_is_read(saved, tmp_path, story_items):
    offset, _ = _section(saved, "records")
    _corrupt(saved, offset + 40)  # inside the first story's record
    wire = open_wire(saved)  # the records are checked as they are read, not up front
    with pytest.raises(IndexFormatError, match=r"story 0 is corrupt"):
        wire.stories.story(0)
    assert wire.stories.story(1).uri == "urn:test:b"


def test_a_build_that_fails_leaves_no_file_behind(tmp_path, stories, terms):
    def some_then_fail():
        yield stories[0]
        raise RuntimeError("the disk filled up")

    target = tmp_path / "wire.idx"
    with pytest.raises(RuntimeError):
        write_wire(target, terms, some_then_fail())
    assert list(tmp_path.iterdir()) == []
