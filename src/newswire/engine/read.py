"""Stage 1 — read: pages from WARC/ARC files, folders of HTML files, and single files.

:func:`read` yields :class:`~newswire.engine.types.Page` for every record that
can be a page and :class:`~newswire.engine.types.Skip` for every one that
cannot, so that a scan can count what it passed over and say why.

WARC files are read with fastwarc (Resiliparse), the fastest reader there is.
It is told *not* to parse HTTP, for a reason: fastwarc quietly returns a
record that was cut short (``clipped.warc.gz`` in Resiliparse's own test
data) and we must say so, which needs the raw block length to compare with
``Content-Length``. The HTTP head, chunked transfer coding and content coding
are therefore decoded here (:func:`parse_http_block`), in a few lines of
standard library. After a record that cannot be parsed, the reader looks for
the next gzip member or ``WARC/`` header and goes on from there, naming what
it skipped. ARC files, which fastwarc does not read, go through warcio.
"""

from __future__ import annotations

import gzip
import os
import stat
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import InputError
from .types import Page, Skip

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
WARC_SUFFIXES = (".warc", ".warc.gz", ".warc.zst", ".warc.lz4")
ARC_SUFFIXES = (".arc", ".arc.gz")

#: Pages larger than this are skipped before parsing (reason ``too_large``).
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
#: What a record may hold beyond the page budget (its HTTP head) before it is skipped unread.
HEAD_ROOM = 64 * 1024

_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
_GZIP_MAGIC = b"\x1f\x8b\x08"


def input_kind(path: Path) -> str:
    """Return ``warc``, ``arc``, ``html`` or ``dir`` for a path, by its name."""
    name = path.name.lower()
    if path.is_dir():
        return "dir"
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    if name.endswith(ARC_SUFFIXES):
        return "arc"
    if name.endswith(HTML_SUFFIXES):
        return "html"
    # a WARC under another name (``.bad``, no suffix): sniff its first bytes
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError:
        return "html"
    if head.startswith((b"WARC/", _GZIP_MAGIC)):
        return "warc"
    return "html"


def read(
    inputs: Iterable[str | Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Page | Skip]:
    """Yield every page (and every skipped record) of the given inputs, in order.

    Whatever an input is (missing, a FIFO or device, unreadable, empty, a folder
    that cannot be listed), it is named in a :class:`Skip` and the rest goes on.
    """
    for item in expand(inputs):
        if isinstance(item, Skip):
            yield item
            continue
        kind = input_kind(item)
        if kind == "warc":
            yield from read_warc(item, max_bytes=max_bytes)
        elif kind == "arc":
            yield from read_arc(item, max_bytes=max_bytes)
        else:
            yield from read_html_file(item, max_bytes=max_bytes)


def expand(inputs: Iterable[str | Path]) -> Iterator[Path | Skip]:
    """The files to read: each input file, and the page and archive files in each folder
    (sorted); a :class:`Skip` for each input or folder that cannot be read."""
    for item in inputs:
        path = Path(item)
        problem = _not_readable(path)
        if problem is not None:
            yield problem
        elif path.is_dir():
            for child in _walk(path):
                if isinstance(child, Skip):
                    yield child
                elif child.name.lower().endswith(HTML_SUFFIXES + WARC_SUFFIXES + ARC_SUFFIXES):
                    problem = _not_readable(child)
                    yield child if problem is None else problem
        else:
            yield path


def _not_readable(path: Path) -> Skip | None:
    """A :class:`Skip` for an input that cannot be read as a file or folder, else ``None``.

    Checked before anything opens the path: opening a FIFO would wait for a writer
    forever, and a device could be read without end.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return Skip(str(path), "", "missing_input", "no such file or folder")
    except OSError as exc:
        return Skip(str(path), "", "unreadable", f"cannot read: {exc.strerror or exc}")
    if stat.S_ISDIR(mode):
        return None
    if not stat.S_ISREG(mode):
        return Skip(str(path), "", "not_a_file", "not a regular file (a FIFO, socket or device)")
    if not os.access(path, os.R_OK):
        return Skip(str(path), "", "unreadable", "cannot read: Permission denied")
    return None


def _walk(folder: Path) -> Iterator[Path | Skip]:
    """The files under ``folder`` in a stable order, and a Skip for each folder that cannot
    be listed (``Path.rglob`` passes over those without a word)."""
    errors: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=errors.append):
        dirs.sort()
        while errors:
            exc = errors.pop()
            yield Skip(str(exc.filename or root), "", "unreadable",
                       f"cannot list folder: {exc.strerror or exc}")  # fmt: skip
        for name in sorted(files):
            yield Path(root, name)
    while errors:
        exc = errors.pop()
        yield Skip(str(exc.filename or folder), "", "unreadable",
                   f"cannot list folder: {exc.strerror or exc}")  # fmt: skip


def read_html_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Page | Skip]:
    """Yield one page for an HTML file; its URL is the file's ``file://`` URI."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield Skip(str(path), "", "too_large", f"{size} bytes, over the {max_bytes} limit")
            return
        body = path.read_bytes()
    except OSError as exc:
        yield Skip(str(path), "", "unreadable", f"cannot read: {exc.strerror or exc}")
        return
    mtime = datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    yield Page(url=path.resolve().as_uri(), body=body, fetched_at=mtime, source=str(path))


# --- HTTP blocks -------------------------------------------------------------


def parse_http_block(
    block: bytes, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[int, dict[str, str], bytes]:
    """Split an HTTP response block into status, headers (lower-cased) and decoded body.

    Raise :class:`InputError` (reason ``bad_http``) when the head is unreadable,
    (reason ``bad_encoding``) when the transfer or content coding is broken, and
    (reason ``too_large``) when the body decodes to more than ``max_bytes``.
    """
    end = block.find(b"\r\n\r\n")
    sep = 4
    if end < 0:
        end, sep = block.find(b"\n\n"), 2
    if end < 0:
        raise InputError("no end to the HTTP header", reason="bad_http")
    status, headers = _http_head(block[:end])
    return status, headers, _http_body(headers, block[end + sep :], max_bytes)


def _http_head(block: bytes) -> tuple[int, dict[str, str]]:
    """The status and headers of an HTTP head (:func:`parse_http_block`)."""
    head = block.decode("iso-8859-1").splitlines()
    if not head or not head[0].startswith("HTTP/"):
        raise InputError(f"not an HTTP response: {head[:1]!r}", reason="bad_http")
    try:
        status = int(head[0].split()[1])
    except (IndexError, ValueError):
        raise InputError(f"bad status line {head[0][:80]!r}", reason="bad_http") from None
    headers: dict[str, str] = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip()
    return status, headers


def _http_body(headers: dict[str, str], body: bytes, max_bytes: int) -> bytes:
    """An HTTP body with its transfer and content coding undone (:func:`parse_http_block`)."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    coding = headers.get("content-encoding", "").lower().strip()
    if coding in ("gzip", "x-gzip", "deflate"):
        try:
            wbits = 47 if coding != "deflate" else zlib.MAX_WBITS
            # inflate at most the page budget: a gzip bomb stops here, not at 2 GB
            inflater = zlib.decompressobj(wbits)
            inflated = inflater.decompress(body, max_bytes + 1)
            if len(inflated) > max_bytes or inflater.unconsumed_tail:
                raise InputError(
                    f"{coding} body inflates past {max_bytes} bytes", reason="too_large"
                )
            body = inflated
        except zlib.error as exc:
            # Crawlers such as ClueWeb's store the decoded body but keep the header.
            if body.lstrip()[:1] != b"<":
                reason = "truncated_record" if "incomplete" in str(exc) else "bad_encoding"
                raise InputError(f"broken {coding} body: {exc}", reason=reason) from None
    elif coding in ("br", "zstd"):
        raise InputError(f"content coding {coding!r} is not supported", reason="bad_encoding")
    return body


def _dechunk(data: bytes) -> bytes:
    """Decode HTTP/1.1 chunked transfer coding (RFC 9112 §7.1).

    Many archives store bodies already de-chunked while keeping the header;
    when the data does not start with a chunk size, it is returned as it is.
    """
    out = bytearray()
    pos = 0
    while True:
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            break
        size_text = data[pos:eol].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            if pos == 0:
                return data  # not chunked after all
            raise InputError("broken chunked transfer coding", reason="bad_encoding") from None
        if size == 0:
            return bytes(out)
        out += data[eol + 2 : eol + 2 + size]
        pos = eol + 2 + size + 2
    if pos == 0:
        return data
    raise InputError("chunked body ends before its last chunk", reason="truncated_record")


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def _page_from_http(
    url: str,
    block: bytes | tuple[bytes, bytes],
    *,
    source: str,
    where: str,
    date: datetime | None,
    max_bytes: int,
) -> Page | Skip:
    """The page of an HTTP response: its whole block, or its head and body already apart
    (:func:`_read_response`)."""
    try:
        if isinstance(block, tuple):
            status, headers = _http_head(block[0])
            body = _http_body(headers, block[1], max_bytes)
        else:
            status, headers, body = parse_http_block(block, max_bytes)
    except InputError as exc:
        return Skip(source, where, exc.reason, f"{url}: {exc.message}")
    ctype = headers.get("content-type", "")
    mime = ctype.split(";", 1)[0].strip().lower()
    if mime not in _HTML_TYPES:
        return Skip(source, where, "not_html", f"{url}: content type {mime!r}")
    if not 200 <= status < 300:
        return Skip(source, where, "http_status", f"{url}: HTTP status {status}")
    if len(body) > max_bytes:
        return Skip(source, where, "too_large", f"{url}: {len(body)} bytes, over {max_bytes}")
    return Page(
        url=url,
        body=body,
        content_type=mime or "text/html",
        charset=_charset(ctype),
        fetched_at=date,
        source=source,
        where=where,
        robots=headers.get("x-robots-tag", "")[:500],
    )


# --- WARC --------------------------------------------------------------------


def read_warc(
    path: Path,
    *,
    start: int = 0,
    end: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Page | Skip]:
    """Yield the pages of a WARC file, resuming after records that cannot be read.

    With ``start``/``end`` only the records that *begin* in that byte range are
    read (the first one at or after ``start``), so that worker processes can
    share one file without reading it twice.
    """
    source = str(path)
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as exc:
        yield Skip(source, "", "unreadable", f"cannot read: {exc.strerror or exc}")
        return
    if size == 0:
        yield Skip(source, "", "empty_input", "an empty file: no records")
        return
    end = size if end is None else min(end, size)
    if start > 0:
        start = _next_record_start(path, start)
        if start < 0 or start >= end:
            return
    while start < end:
        last = start
        try:
            for pos, item in _warc_from(path, start, max_bytes=max_bytes):
                if pos >= end:
                    return
                last = pos
                yield item
            return
        except _Resync:
            nxt = _next_record_start(path, last + 1)
            if nxt < 0:
                return
            start = nxt
        except OSError as exc:
            # fastwarc lost its place: name the record, find the next one, go on
            nxt = _next_record_start(path, last + 1)
            where = f"offset {last}"
            gap = f"bytes {last}-{nxt if nxt >= 0 else size}"
            yield Skip(source, where, "corrupt_record", f"unreadable record ({exc}); skipped {gap}")
            if nxt < 0:
                return
            start = nxt


class _Resync(Exception):
    """Raised by the record loop when what follows must be found again by searching."""


def _warc_from(path: Path, start: int, *, max_bytes: int) -> Iterator[tuple[int, Page | Skip]]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    source = str(path)
    with path.open("rb") as fh:
        fh.seek(start)
        for record in ArchiveIterator(fh, parse_http=False):
            pos = int(record.stream_pos)  # fastwarc counts from the file's start, not ours
            where = f"offset {pos}"
            rtype = record.record_type
            if not rtype & (WarcRecordType.response | WarcRecordType.resource):
                continue  # request, metadata, warcinfo, revisit …: not pages
            url = (record.headers.get("WARC-Target-URI") or "").strip().strip("<>").strip()
            declared = int(record.content_length)
            if declared > max_bytes + HEAD_ROOM:
                # not read at all (fastwarc skips it): memory stays bounded whatever the record
                yield pos, Skip(source, where, "too_large", f"{url}: a {declared} byte record")
                continue
            block: bytes | tuple[bytes, bytes]
            if rtype & WarcRecordType.response:
                block, got = _read_response(record.reader, declared)
            else:
                block = record.reader.read(declared)
                got = len(block)
            if got < declared:
                yield (
                    pos,
                    Skip(
                        source,
                        where,
                        "truncated_record",
                        f"{url}: record cut short, {got} of {declared} bytes",
                    ),
                )
                # A length that runs past the end of the file swallowed every record after
                # this one: look for them again from just after this record's start.
                raise _Resync
            try:
                date: datetime | None = record.record_date
            except (ValueError, OSError):
                date = None
            if rtype & WarcRecordType.response:
                yield (
                    pos,
                    _page_from_http(
                        url, block, source=source, where=where, date=date, max_bytes=max_bytes
                    ),
                )
            else:
                assert isinstance(block, bytes)
                ctype = (record.headers.get("Content-Type") or "").lower()
                mime = ctype.split(";", 1)[0].strip()
                if mime not in _HTML_TYPES:
                    yield pos, Skip(source, where, "not_html", f"{url}: content type {mime!r}")
                elif len(block) > max_bytes:
                    yield pos, Skip(source, where, "too_large", f"{url}: {len(block)} bytes")
                else:
                    page = Page(url, block, mime, _charset(ctype), date, source, where)
                    yield pos, page


#: the head of an HTTP response read line by line, at most this many lines of at most
#: _HEAD_LINE bytes
_HEAD_LINES = 500
_HEAD_LINE = 8192


def _read_response(reader: Any, declared: int) -> tuple[bytes | tuple[bytes, bytes], int]:
    """A response record's block, and how many of its bytes were read: as (head, body)
    when its head is CRLF lines ending with an empty one (nearly every record), so that the
    body is read once, into its own bytes, not copied again out of the whole block (a
    slice of bytes is a copy: a twelfth of the reading on a crawl); else whole, for
    :func:`parse_http_block` to find the head's end as it always has."""
    lines: list[bytes] = []
    got = 0
    while len(lines) < _HEAD_LINES and got < declared:
        line = reader.readline(min(_HEAD_LINE, declared - got))
        if not line:
            break
        got += len(line)
        if line == b"\r\n" and lines:
            # the block's first CRLF CRLF: an earlier one would have been an empty line
            body = reader.read(declared - got)
            return (b"".join(lines)[:-2], body), got + len(body)
        lines.append(line)
        if not line.endswith(b"\r\n"):
            break  # a bare LF, a long line or the end: parse_http_block reads the block
    rest = reader.read(declared - got) if got < declared else b""
    block = b"".join(lines) + rest
    return block, len(block)


def _is_record_start(path: Path, offset: int) -> bool:
    """Return whether a WARC record (plain or in a gzip member) begins at ``offset``."""
    with path.open("rb") as fh:
        fh.seek(offset)
        head = fh.read(4096)
    if head.startswith(b"WARC/"):
        return True
    if head.startswith(_GZIP_MAGIC):
        try:
            return zlib.decompressobj(31).decompress(head, 16).startswith(b"WARC/")
        except zlib.error:
            return False
    return False


def _next_record_start(path: Path, after: int) -> int:
    """Return the offset of the next record (gzip member or ``WARC/`` header) after ``after``.

    A candidate is checked by decompressing its first bytes, so that the magic
    bytes appearing by chance inside compressed data are not taken for a record.
    Return -1 when there is none.
    """
    with path.open("rb") as fh:
        fh.seek(after)
        offset = after
        tail = b""
        while chunk := fh.read(1 << 16):
            data = tail + chunk
            base = offset - len(tail)
            pos = 0
            while True:
                hits = [
                    i for i in (data.find(_GZIP_MAGIC, pos), data.find(b"WARC/1.", pos)) if i >= 0
                ]
                if not hits:
                    break
                hit = min(hits)
                if _is_record_start(path, base + hit):
                    return base + hit
                pos = hit + 1
            tail = data[-8:]
            offset += len(chunk)
    return -1


# --- ARC ---------------------------------------------------------------------


def read_arc(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Page | Skip]:
    """Yield the pages of an ARC file (the WARC's predecessor) via warcio."""
    source = str(path)
    try:
        from warcio.archiveiterator import ArchiveIterator as WarcioIterator
        from warcio.exceptions import ArchiveLoadFailed
    except ImportError:  # pragma: no cover - warcio is a dependency
        yield Skip(source, "", "unsupported", "ARC files need warcio: pip install warcio")
        return
    try:
        with path.open("rb") as fh:
            it = WarcioIterator(fh, arc2warc=True)
            for record in it:
                where = f"offset {it.get_record_offset()}"
                if record.rec_type not in ("response", "resource"):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                ctype = (
                    record.http_headers.get_header("Content-Type")
                    if record.http_headers
                    else record.rec_headers.get_header("Content-Type")
                ) or ""
                mime = ctype.split(";", 1)[0].strip().lower()
                if mime not in _HTML_TYPES:
                    yield Skip(source, where, "not_html", f"{url}: content type {mime!r}")
                    continue
                body = record.content_stream().read(max_bytes + 1)
                if len(body) > max_bytes:
                    yield Skip(source, where, "too_large", f"{url}: over {max_bytes} bytes")
                else:
                    yield Page(url, body, mime or "text/html", _charset(ctype), None, source, where)
    except (ArchiveLoadFailed, OSError, ValueError, EOFError, gzip.BadGzipFile) as exc:
        yield Skip(source, "", "corrupt_record", f"unreadable ARC data: {exc}")
