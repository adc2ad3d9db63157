from __future__ import annotations

import functools
import itertools
import operator
from collections import Counter
from pathlib import Path

import pytest

from newswire.engine.read import read, read_warc
from newswire.engine.types import Page, Skip

from ..conftest import shared_or_skip
from ..factories import article, page_record, paragraphs, warc_record, write_warc


def reasons(items: list[Page | Skip]) -> Counter[str]:
    return Counter("page" if isinstance(i, Page) else i.reason for i in items)


def test_reads_pages_with_url_time_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    offsets = write_warc(
        path, [page_record(f"https://ex.org/{k}", article(paragraphs(k))) for k in range(3)]
    )
    pages = [p for p in read([path]) if isinstance(p, Page)]
    assert [p.url for p in pages] == [f"https://ex.org/{k}" for k in range(3)]
    assert [p.where for p in pages] == [f"offset {o}" for o in offsets]
    assert all(p.fetched_at is not None and p.fetched_at.year == 2024 for p in pages)


def test_uncompressed_warc(tmp_path: Path) -> None:
    path = tmp_path / "a.warc"
    write_warc(path, [page_record("https://ex.org/1", "<p>hello</p>")], compress=False)
    assert reasons(list(read([path]))) == {"page": 1}


def test_truncated_record_is_named_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "t.warc.gz"
    good = page_record("https://ex.org/good", "<p>fine</p>")
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>cut"
    cut = warc_record("https://ex.org/cut", block, declared_length=len(block) + 500)
    write_warc(path, [good, cut[: len(cut) - 4]])
    items = list(read([path]))
    skips = [i for i in items if isinstance(i, Skip)]
    assert reasons(items)["page"] == 1
    assert skips and skips[0].reason in ("truncated_record", "corrupt_record")
    assert "t.warc.gz" in str(skips[0])


def test_corrupt_gzip_member_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    path = tmp_path / "c.warc.gz"
    offsets = write_warc(
        path, [page_record(f"https://ex.org/{k}", article(paragraphs(k))) for k in range(3)]
    )
    data = bytearray(path.read_bytes())
    middle = (offsets[1] + offsets[2]) // 2
    data[middle : middle + 40] = b"\xff" * 40  # garble the second member's deflate stream
    path.write_bytes(bytes(data))
    items = list(read([path]))
    urls = [i.url for i in items if isinstance(i, Page)]
    assert urls == ["https://ex.org/0", "https://ex.org/2"]
    skip = next(i for i in items if isinstance(i, Skip))
    assert skip.reason == "corrupt_record"
    assert f"offset {offsets[1]}" in str(skip) or f"offset {offsets[0]}" in str(skip)


def test_non_html_and_image_served_records_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "m.warc.gz"
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    write_warc(
        path,
        [
            page_record("https://ex.org/a.png", png, "image/png"),
            page_record("https://ex.org/r.pdf", b"%PDF-1.4", "application/pdf"),
            page_record("https://ex.org/ok", "<p>ok</p>"),
        ],
    )
    items = list(read([path]))
    assert reasons(items) == {"not_html": 2, "page": 1}
    assert "image/png" in str(next(i for i in items if isinstance(i, Skip)))


def test_page_over_the_byte_budget_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "big.warc.gz"
    big = b"<html><body><p>" + b"word " * (10 * 1024 * 1024) + b"</p></body></html>"  # 50 MB
    write_warc(
        path,
        [page_record("https://ex.org/big", big), page_record("https://ex.org/ok", "<p>ok</p>")],
    )
    items = list(read([path]))
    assert reasons(items) == {"too_large": 1, "page": 1}


def test_byte_ranges_partition_the_records(tmp_path: Path) -> None:
    path = tmp_path / "r.warc.gz"
    write_warc(
        path, [page_record(f"https://ex.org/{k}", article(paragraphs(k))) for k in range(20)]
    )
    size = path.stat().st_size
    cuts = [0, size // 3, 2 * size // 3, size]
    parts = [
        [p.url for p in read_warc(path, start=a, end=b) if isinstance(p, Page)]
        for a, b in itertools.pairwise(cuts)
    ]
    assert functools.reduce(operator.iadd, parts, []) == [f"https://ex.org/{k}" for k in range(20)]


def test_html_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.html").write_text("<p>a</p>")
    (tmp_path / "sub" / "b.htm").write_text("<p>b</p>")
    (tmp_path / "notes.txt").write_text("ignored")
    pages = [p for p in read([tmp_path]) if isinstance(p, Page)]
    assert sorted(Path(p.source).name for p in pages) == ["a.html", "b.htm"]
    assert all(p.url.startswith("file://") for p in pages)
    missing = list(read([tmp_path / "nope.warc.gz"]))
    assert isinstance(missing[0], Skip) and missing[0].reason == "missing_input"


FORMAT_FILES = [
    ("warcio/example.warc.gz", {"page": 1}),
    ("warcio/example.warc", {"page": 1}),
    ("warcio/example.arc", {"page": 1}),
    ("warcio/example.arc.gz", {"page": 1}),
    ("warcio/example-iana.org-chunked.warc", {"page": 1}),
    ("resiliparse/warcfile.warc.gz", {"page": 16}),
    ("resiliparse/clueweb-quirk.warc.gz", {"page": 29}),
    ("resiliparse/clipped.warc.gz", {"truncated_record": 1}),
]


@pytest.mark.parametrize(("name", "expected"), FORMAT_FILES)
def test_warc_library_samples(name: str, expected: dict[str, int]) -> None:
    path = shared_or_skip("corpus", "warc-format", *name.split("/"))
    assert reasons(list(read([path]))) == expected


def test_every_format_sample_reads_without_a_traceback() -> None:
    folder = shared_or_skip("corpus", "warc-format")
    for path in sorted(folder.glob("*/*")):
        if path.name in ("LICENSE", "COMMIT"):
            continue
        items = list(read([path]))
        for item in items:
            assert isinstance(item, (Page, Skip))
            if isinstance(item, Skip):
                assert str(path) in str(item) and item.reason
    trunc = list(read([folder / "warcio" / "example-trunc.warc"]))
    assert sum(isinstance(i, Skip) for i in trunc) >= 1
