"""The saved wire (``newswire index build``): a scan over it finds exactly what a scan over
the stories finds; a file of another version, cut short, appended to or corrupt is refused
with an error naming the file and what is wrong."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from newswire.engine import IndexFormatError, Page, Scanner, open_wire, scan_inputs, write_wire
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
    assert FORMAT_VERSION == 2 and MAGIC.startswith(b"NWIDX")


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


# --- crafted files: valid CRCs, hostile contents (the attack probe's list) ------------------


def _craft(path: Path, header=None, blob: bytes | None = None, arrays=None) -> None:
    """Rewrite ``path`` with a changed header (``header(dict)`` edits it in place; ``blob``
    replaces it outright) or changed arrays (``arrays(name -> bytearray)``), every CRC made
    valid again, so that only the checks of contents can refuse it."""
    import zlib

    data = bytearray(path.read_bytes())
    _, version, head_len, _ = struct.unpack_from("<8sIII", data)
    head = json.loads(data[20 : 20 + head_len])
    if arrays is not None:
        parts = {n: bytearray(data[o : o + b]) for n, (o, b, _) in head["sections"].items()}
        arrays(parts)
        for name, part in parts.items():
            offset, nbytes, _ = head["sections"][name]
            assert len(part) == nbytes
            data[offset : offset + nbytes] = part
            head["sections"][name][2] = zlib.crc32(bytes(part)) if name != "records" else 0
    if header is not None:
        header(head)
    if blob is None:
        blob = json.dumps(head).encode()
    first = min(o for o, _, _ in json.loads(data[20 : 20 + head_len])["sections"].values())
    rest = data[20 + len(blob) :] if 20 + len(blob) <= first else b""
    path.write_bytes(struct.pack("<8sIII", MAGIC, version, len(blob), zlib.crc32(blob)) + blob
                     + rest)  # fmt: skip


def _set(*keys, value):
    def edit(head):
        target = head
        for k in keys[:-1]:
            target = target[k]
        if value is _DROP:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value

    return edit


_DROP = object()


def _owners(value: int):
    def edit(parts):
        parts["owners"][0:4] = struct.pack("<i", value)

    return edit


@pytest.mark.parametrize(
    "craft, says",
    [
        ({"blob": b"[1, 2, 3]"}, "the header is a JSON list, not an object"),
        ({"blob": b"42"}, "the header is a JSON int, not an object"),
        ({"blob": b'{"format": 1,'}, "the header is not JSON"),
        ({"blob": b'{"format": "\xff\xfe"}'}, "the header is not UTF-8"),
        ({"blob": b"[" * 100_000 + b"]" * 100_000}, "the header is JSON nested too deeply"),
        ({"header": _set("sections", value=_DROP)}, 'header field (top): "sections" is a required'),
        ({"header": _set("settings", value=_DROP)}, 'header field (top): "settings" is a required'),
        ({"header": _set("terms", value=["wire"])}, "header field terms:"),
        (
            {"header": _set("terms", "required", value=["logo", "bogus"])},
            "header field terms/required/1",
        ),
        ({"header": _set("sections", "hashes", value=[64, 8])}, "header field sections/hashes"),
        (
            {"header": _set("sections", "hashes", value="everywhere")},
            "header field sections/hashes",
        ),
        ({"header": _set("sections", "offsets", 0, value=-64)}, "header field sections/offsets/0"),
        ({"header": _set("sections", "owners", 1, value=-4)}, "header field sections/owners/1"),
        (
            {"header": _set("sections", "owners", 1, value=4)},
            "sections/owners: 4 bytes, where the counts",
        ),
        ({"header": _set("sections", "sizes", 0, value=0)}, "sections/sizes: runs outside"),
        ({"header": _set("buckets_dtype", value="<f8")}, "header field buckets_dtype"),
        ({"header": _set("bucket_shift", value=60.5)}, "header field bucket_shift"),
        ({"header": _set("bucket_shift", value=40)}, "sections/buckets: "),
        ({"header": _set("stories", value=-1)}, "header field stories"),
        ({"header": _set("stories", value=5)}, "sections/sizes: 12 bytes, where the counts"),
        ({"header": _set("entries", value="many")}, "header field entries"),
        ({"header": _set("settings", "window", value=0)}, "header field settings/window"),
        ({"header": _set("settings", "sample", value=0)}, "header field settings/sample"),
        (
            {"header": _set("settings", "max_df_share", value=0)},
            "header field settings/max_df_share",
        ),
        ({"header": _set("format", value=1)}, "header field format"),
        ({"header": _set("common", value=2)}, "sections/common: 0 bytes, where the counts"),
        ({"header": _set("common", value=-1)}, "header field common"),
        # (issue 31) values of the right JSON Schema type that Python cannot use as they are
        ({"header": _set("bucket_shift", value=60.0)}, "header field bucket_shift: 60.0 is not"),
        ({"header": _set("sections", "hashes", 0, value=64.0)}, "sections/hashes/0: 64.0"),
        ({"header": _set("sections", "records", 1, value=1e2)}, "sections/records/1"),
        ({"header": _set("stories", value=3.0)}, "header field stories: 3.0"),
        ({"header": _set("entries", value=True)}, "header field entries"),
        ({"header": _set("total", value=1e3)}, "header field total"),
        ({"header": _set("settings", "window", value=8.0)}, "header field settings/window: 8.0"),
        ({"header": _set("terms", "logo", value=_DROP)}, 'header field terms: "logo" is a required'),
        ({"header": _set("terms", "logo", "url", value=_DROP)}, "header field terms/logo"),
        ({"header": _set("terms", "required", value=_DROP)}, 'terms: "required" is a required'),
        ({"header": _set("terms", "affiliation", value=_DROP)}, "header field terms"),
        ({"header": _set("terms", "canonical", value=None)}, "header field terms/canonical"),
        ({"arrays": _owners(3)}, "section owners: a story number outside 0 to 2"),
        ({"arrays": _owners(-1)}, "section owners: a story number outside 0 to 2"),
    ],
)
def test_a_crafted_header_or_array_with_valid_crcs_is_refused_naming_the_field(saved, craft, says):
    _craft(saved, **craft)
    with pytest.raises(IndexFormatError) as refused:
        open_wire(saved)
    assert str(saved) in str(refused.value) and says in str(refused.value), refused.value


def test_crafted_offsets_buckets_and_records_are_refused(saved):
    def cut_records(parts):  # the last story ends past the records
        last = len(parts["offsets"]) - 8
        end = struct.unpack_from("<Q", parts["offsets"], last)[0]
        parts["offsets"][last:] = struct.pack("<Q", end + 100)

    _craft(saved, arrays=cut_records)
    with pytest.raises(IndexFormatError, match="section offsets: the records end at"):
        open_wire(saved)


def test_a_crafted_bucket_table_is_refused(tmp_path, stories, terms):
    path = tmp_path / "w.idx"
    write_wire(path, terms, stories)

    def shuffle(parts):
        parts["buckets"][4:8] = struct.pack("<I", 2**31)

    _craft(path, arrays=shuffle)
    with pytest.raises(IndexFormatError, match="section buckets: not a rising count"):
        open_wire(path)


def test_a_story_record_of_the_wrong_shape_is_named_when_read(saved):
    import zlib

    def retype(parts):
        records, offsets = parts["records"], parts["offsets"]
        end = struct.unpack_from("<Q", offsets, 8)[0]
        body = json.loads(bytes(records[4:end]))
        body["paragraphs"] = [1, 2]
        new = json.dumps(body, separators=(",", ":")).encode().ljust(end - 4)
        records[0:end] = struct.pack("<I", zlib.crc32(new)) + new

    _craft(saved, arrays=retype)
    wire = open_wire(saved)
    with pytest.raises(IndexFormatError, match="story 0: paragraphs is not a list of strings"):
        wire.stories.story(0)


def test_the_scan_refuses_a_crafted_index_with_exit_2_naming_the_file_and_field(saved, tmp_path):
    from click.testing import CliRunner

    from newswire.cli import cli

    _craft(saved, arrays=_owners(99))
    page = tmp_path / "p.html"
    page.write_text("<p>hello</p>")
    result = CliRunner().invoke(cli, ["scan", "--index", str(saved), str(page)])
    assert isinstance(result.exception, SystemExit | None)
    assert result.exit_code == 2
    assert f"error: {saved}: section owners: a story number outside" in result.stderr


def _page(paras: list[str]) -> Page:
    body = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in paras) + "</article>"
    return Page(url="https://copier.example/x", body=(body + "</body></html>").encode())


def test_changes_kept_over_a_saved_wire_find_what_a_rebuilt_wire_finds(tmp_path, terms):
    """(issue 36, item 2) A saved wire opened and then changed (stories added, replaced,
    removed, added back) keeps the changes over the file: on generated wires, every page
    gives the matches of a scanner built from the stories as they now are, and the stories
    it holds are those. A paragraph shared by many stories (boilerplate, dropped from the
    saved index) is in the changed ones too."""
    import random

    from newswire.engine import story_from_ninjs
    from newswire.engine.index import LayeredIndex
    from newswire.engine.pipeline import LayeredStories

    footer = "This story is shared with partners of the Plainfield News Service " * 3

    def make(rng: random.Random, seed: int, i: int, version: int = 0):
        paras = paragraphs(1000 * seed + 10 * i + version, n=rng.randint(3, 9))
        if rng.random() < 0.5:
            paras.append(footer)
        return story_from_ninjs(ninjs(f"urn:test:{i}", paras, headline=f"S{i}v{version}"), terms)

    for seed in range(6):
        rng = random.Random(seed)
        current = {s.uri: s for s in (make(rng, seed, i) for i in range(40))}
        everything = dict(current)
        path = write_wire(tmp_path / f"w{seed}.idx", terms, list(current.values())).path
        held = Scanner.saved(path)
        for step in range(30):
            op = rng.choice(["add", "replace", "replace", "remove", "back"])
            i = rng.randrange(60)
            uri = f"urn:test:{i}"
            if op == "remove":
                held.update(removed=[uri])
                current.pop(uri, None)
            else:
                if op == "back" and uri in everything:
                    story = everything[uri]
                else:
                    story = make(rng, seed, i, step + 1)
                held.update([story])
                current[uri] = everything[uri] = story
            assert isinstance(held.index, LayeredIndex) and isinstance(held.stories, LayeredStories)
            assert set(held.stories) == set(current) and len(held.stories) == len(current)
            assert {s.uri: s for s in held.stories.each()} == current
            fresh = Scanner(list(current.values()), terms)
            for story in rng.sample(list(everything.values()), 8):
                page = _page(list(story.paragraphs))
                assert [m.to_json() for m in held.scan_page(page)] == [
                    m.to_json() for m in fresh.scan_page(page)
                ], (seed, step, op, story.uri)


def test_a_saved_wires_uris_are_learnt_from_the_records_start(tmp_path, terms):
    """Learning every uri of a saved wire reads only each record's start (the uri is
    first), and a uri too long for that start, or outside ASCII, is read whole."""
    from newswire.engine import story_from_ninjs

    uris = ["urn:test:plain", "urn:test:" + "é" * 1500, "urn:test:" + "x" * 5000, "urn:test:日本"]
    stories = [story_from_ninjs(ninjs(u, paragraphs(k)), terms) for k, u in enumerate(uris)]
    wire = open_wire(write_wire(tmp_path / "w.idx", terms, stories).path)
    assert list(wire.stories) == uris and all(u in wire.stories for u in uris)
    assert wire.stories._stories == {}  # (no story decoded to learn them)


def test_a_saved_wire_keeps_its_boilerplate_hashes_and_refuses_them_out_of_order(tmp_path, terms):
    from newswire.engine import story_from_ninjs

    footer = "This story is shared with partners of the Plainfield News Service " * 3
    stories = [story_from_ninjs(ninjs(f"urn:test:{k}", [*paragraphs(k), footer]), terms)
               for k in range(12)]  # fmt: skip
    written = write_wire(tmp_path / "w.idx", terms, stories)
    wire = open_wire(written.path)
    common = wire.index.common
    assert common.shape[0] > 2 and written.dropped >= 12 * 2
    assert not set(Scanner(stories, terms).index._hashes.tolist()) & set(common.tolist())

    def swap(parts):
        first, second = bytes(parts["common"][0:8]), bytes(parts["common"][8:16])
        parts["common"][0:8], parts["common"][8:16] = second, first

    _craft(written.path, arrays=swap)
    with pytest.raises(IndexFormatError, match="section common: not sorted"):
        open_wire(written.path)
