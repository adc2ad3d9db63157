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


# --- inputs that must neither stop nor hang a scan (issue 9) ---------------------------


def _unprivileged(fn):
    """Run ``fn()`` in a forked child that cannot read files mode 000 (nobody, when root),
    and return its result: as root, permissions are not checked at all."""
    import os
    import pickle

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(r)
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            data = pickle.dumps(fn())
            os.write(w, data)
        finally:
            os._exit(0)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 1 << 16):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    return pickle.loads(b"".join(chunks))


def test_unreadable_files_and_folders_are_named_and_the_rest_read() -> None:
    import os
    import shutil
    import tempfile

    top = Path(tempfile.mkdtemp(dir="/tmp"))  # not under pytest's root-only folder
    try:
        top.chmod(0o755)
        crawl = top / "crawl"
        (crawl / "locked").mkdir(parents=True)
        for d in (crawl, crawl / "locked"):
            d.chmod(0o755)
        write_warc(crawl / "a.warc.gz", [page_record("https://ex.org/a", "<p>a</p>")])
        write_warc(crawl / "b.warc.gz", [page_record("https://ex.org/b", "<p>b</p>")])
        write_warc(crawl / "z.warc.gz", [page_record("https://ex.org/z", "<p>z</p>")])
        write_warc(crawl / "locked" / "c.warc.gz", [page_record("https://ex.org/c", "<p>c</p>")])
        for f in crawl.rglob("*.warc.gz"):
            f.chmod(0o644)
        (crawl / "b.warc.gz").chmod(0)
        (crawl / "locked").chmod(0)
        from newswire.engine.pool import plan

        def run() -> tuple[list[str], list[str]]:
            seen = [
                (i.url if isinstance(i, Page) else f"skip {i.reason} {Path(i.source).name}")
                for i in read([crawl])
            ]
            # what --workers plans: the unreadable ones become tasks that report them
            planned = [f"{Path(t.path).name} {t.skip.reason if t.skip else ''}".strip()
                       for t in plan([crawl], 2)]  # fmt: skip
            return seen, planned

        seen, planned = _unprivileged(run)
        # a folder's files first, then its sub-folders (os.walk's order)
        assert seen == [
            "https://ex.org/a",
            "skip unreadable b.warc.gz",
            "https://ex.org/z",
            "skip unreadable locked",
        ], seen
        assert planned == ["a.warc.gz", "b.warc.gz unreadable", "z.warc.gz", "locked unreadable"]
    finally:
        for root, dirs, _ in os.walk(top):
            for d in dirs:
                Path(root, d).chmod(0o755)
        shutil.rmtree(top)


def test_a_fifo_is_named_not_waited_on(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.warc.gz"
    os.mkfifo(fifo)
    good = tmp_path / "good.warc.gz"
    write_warc(good, [page_record("https://ex.org/g", "<p>g</p>")])
    items = list(read([fifo, tmp_path]))  # given directly, and inside a folder
    assert [(i.reason, Path(i.source).name) for i in items if isinstance(i, Skip)] == [
        ("not_a_file", "pipe.warc.gz"),
        ("not_a_file", "pipe.warc.gz"),
    ]
    assert [i.url for i in items if isinstance(i, Page)] == ["https://ex.org/g"]


def test_an_empty_warc_is_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    items = list(read([empty]))
    assert [(i.reason, i.source) for i in items] == [("empty_input", str(empty))]


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("extra", [20, 300, 100_000])
def test_a_record_that_claims_too_much_does_not_swallow_the_next(
    tmp_path: Path, compress: bool, extra: int
) -> None:
    from ..factories import http_response

    body = http_response(b"<p>liar</p>")
    liar = warc_record("https://ex.org/liar", body, declared_length=len(body) + extra)
    path = tmp_path / ("l.warc.gz" if compress else "l.warc")
    records = [page_record(f"https://ex.org/{k}", f"<p>{k}</p>") for k in range(3)]
    write_warc(path, [records[0], liar, records[1], records[2]], compress=compress)
    items = list(read([path]))
    urls = [i.url for i in items if isinstance(i, Page)]
    assert {"https://ex.org/0", "https://ex.org/1", "https://ex.org/2"} <= set(urls), items
    if extra == 100_000:  # past the end of the file: named as cut short
        assert any(isinstance(i, Skip) and "liar" in str(i) for i in items)


def test_a_gzip_bomb_in_a_6_kb_warc_is_skipped_within_the_budget(tmp_path: Path) -> None:
    import gzip
    import tracemalloc

    inner = gzip.compress(b"<p>" + b"\0" * (512 * 1024 * 1024), compresslevel=9)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
    bomb = warc_record("https://ex.org/bomb", head + inner)
    path = tmp_path / "bomb.warc.gz"
    write_warc(path, [bomb, page_record("https://ex.org/after", "<p>after</p>")])
    assert path.stat().st_size < 8 * 1024, path.stat().st_size
    tracemalloc.start()
    try:
        items = list(read([path], max_bytes=8 * 1024 * 1024))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [i.reason for i in items if isinstance(i, Skip)] == ["too_large"]
    assert [i.url for i in items if isinstance(i, Page)] == ["https://ex.org/after"]
    assert peak < 40 * 1024 * 1024, f"{peak} bytes traced reading a bomb"


def test_a_response_is_read_as_its_whole_block_would_be(tmp_path: Path) -> None:
    """A response's head is read line by line and its body apart (no copy of the body out
    of the block): on every kind of head — CRLF and bare LF lines, mixed, no empty line, a
    line past 8 KB, an empty head, CRLF CRLF inside the body, chunked and gzip bodies, cut
    short — the page or the skip is what reading the whole block gives."""
    import gzip as gz
    import random

    from newswire.engine.read import _page_from_http

    rng = random.Random(12)
    heads = [
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
        b"HTTP/1.1 200 OK\nContent-Type: text/html\n\n",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\n\r\n",
        b"HTTP/1.1 200 OK\nContent-Type: text/html\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 9000 + b"\r\nContent-Type: text/html\r\n\r\n",
        b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n",
        b"\r\n\r\n",
        b"",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-Robots-Tag: noindex\r\nContent-Type: text/html\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 600 + b"Content-Type: text/html\r\n\r\n",
        b"NOT HTTP\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html",
    ]
    bodies = [b"<p>one</p>", b"<p>a\r\n\r\nb</p>", b"", b"\n\n<p>x</p>", b"\xff\xfe<p>bytes</p>"]
    blocks = []
    for _ in range(300):
        head, body = rng.choice(heads), rng.choice(bodies)
        if b"chunked" in head:
            body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        if b"gzip" in head and rng.random() < 0.7:
            body = gz.compress(body)
        blocks.append(head + body)
    path = tmp_path / "heads.warc.gz"
    write_warc(path, [warc_record(f"https://ex.org/{k}", b) for k, b in enumerate(blocks)])
    got = list(read_warc(path))
    want = [
        _page_from_http(
            f"https://ex.org/{k}", block, source=str(path), where="", date=None, max_bytes=8 << 20
        )
        for k, block in enumerate(blocks)
    ]

    def key(item: Page | Skip) -> tuple[object, ...]:
        if isinstance(item, Page):
            return ("page", item.url, item.body, item.content_type, item.charset, item.robots)
        return ("skip", item.reason, item.message)

    assert len(got) == len(want) == 300
    assert [key(g) for g in got] == [key(w) for w in want]
    assert sum(isinstance(g, Page) for g in got) > 50  # pages and skips both
    assert sum(isinstance(g, Skip) for g in got) > 50
