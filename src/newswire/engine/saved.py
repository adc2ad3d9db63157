"""A saved wire: the story index and what a scan needs of each story, in one file.

``newswire index build`` writes it once; ``newswire scan --index`` and the Spark job open
it and start scanning at once, whatever the size of the wire. Opening reads the small
header and maps the rest (``numpy.memmap``): nothing is parsed or copied per story. A
story's record (its text, byline, images) is decoded the first time a page may hold it,
as the scanner prepares a story's text only then; the index arrays are paged in by the
operating system as lookups touch them, and shared between worker processes.

The file, little-endian::

    prelude   8 s magic, u32 format version, u32 header length, u32 header CRC-32
    header    JSON: terms, the scan settings the index was made with, counts, and for
              each section its offset, length and CRC-32; the file's total length
    sections  (each at a multiple of 64 bytes)
      hashes  u64[entries]   sampled shingle hashes, sorted
      owners  i32[entries]   the story number of each hash
      sizes   i32[stories]   sampled hashes per story (before boilerplate was dropped)
      buckets u32[2^b + 1]   where each bucket of hashes (their top b bits) starts
      offsets u64[stories+1] where each story's record starts in ``records``
      common  u64[dropped hashes] the hashes dropped as boilerplate, sorted (what the
              stories changed since the file was written drop too: LayeredIndex)
      records per story: u32 CRC-32 of the JSON that follows, then the JSON

A file of another format version, a truncated file (its length is not what the header
says) and a corrupt one (a CRC that does not match) are refused with
:class:`~.errors.IndexFormatError`, naming the file and what is wrong. The index arrays
and small sections are checked when the file is opened; each story record when it is
first read (checking every record up front would read the whole wire).
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .config import ScanConfig
from .errors import IndexFormatError
from .fingerprint import signature
from .index import StoryIndex
from .terms import EDIT_NAMES
from .types import CANONICAL_MODES, CHECK_NAMES, Logo, Signature, Story, StoryImage, Terms

MAGIC = b"NWIDX\r\n\x1a"  # the \r\n and ^Z catch a file mangled as text, as PNG's do
FORMAT_VERSION = 2  # 2: the boilerplate hashes dropped (``common``), for the changes kept over it
_PRELUDE = struct.Struct("<8sIII")
_ALIGN = 64
_RECORD_CRC = struct.Struct("<I")
_URI_FIRST = b'{"uri":'
_DECODER = json.JSONDecoder()
#: the scan settings an index is made with; a scan of a saved wire uses these
INDEX_SETTINGS = ("window", "sample", "max_df_share", "min_df_ceiling")


# --- stories and terms as plain data ------------------------------------------------


def story_record(story: Story) -> dict[str, Any]:
    return {
        "uri": story.uri,
        "headline": story.headline,
        "paragraphs": list(story.paragraphs),
        "reporters": list(story.reporters),
        "byline": story.byline,
        "canonical_url": story.canonical_url,
        "images": [[i.url, i.credit, i.caption, i.restricted] for i in story.images],
    }


def story_from_record(data: dict[str, Any]) -> Story:
    """The story of a saved record; ``TypeError`` naming the field if it has another shape."""
    for name in ("uri", "headline", "byline", "canonical_url"):
        if not isinstance(data[name], str):
            raise TypeError(f"{name} is not a string")
    for name in ("paragraphs", "reporters"):
        if not isinstance(data[name], list) or not all(isinstance(x, str) for x in data[name]):
            raise TypeError(f"{name} is not a list of strings")
    images = data["images"]
    if not isinstance(images, list) or not all(
        isinstance(i, list) and len(i) == 4 and all(isinstance(x, str) for x in i[:3])
        for i in images
    ):
        raise TypeError("images is not a list of [url, credit, caption, restricted]")
    return Story(
        uri=data["uri"],
        headline=data["headline"],
        paragraphs=tuple(data["paragraphs"]),
        reporters=tuple(data["reporters"]),
        byline=data["byline"],
        canonical_url=data["canonical_url"],
        images=tuple(StoryImage(u, c, cap, bool(r)) for u, c, cap, r in data["images"]),
    )


def terms_record(terms: Terms) -> dict[str, Any]:
    return asdict(terms)


def terms_from_record(data: dict[str, Any]) -> Terms:
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    fields["logo"] = Logo(**data["logo"])
    return Terms(**fields)


# --- writing --------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    path: Path
    stories: int
    entries: int  # index entries kept (boilerplate dropped)
    dropped: int
    bytes: int


def write_wire(
    path: str | Path,
    terms: Terms,
    stories: Iterable[Story],
    config: ScanConfig | None = None,
    *,
    signatures: Iterable[Signature] | None = None,
) -> Written:
    """Write the saved wire for ``stories`` (a later story with the same uri replaces an
    earlier one, as in a scan). ``signatures``, one per story, skip fingerprinting (a
    benchmark's synthetic stories); by default each story's text is fingerprinted.

    The file is written beside ``path`` and renamed into place: a build that is stopped
    leaves no half-written index behind.
    """
    config = config or ScanConfig()
    path = Path(path)
    folder = path.parent
    index = StoryIndex(max_df_share=config.max_df_share, min_df_ceiling=config.min_df_ceiling)
    sigs = iter(signatures) if signatures is not None else None
    order: dict[str, int] = {}
    with tempfile.TemporaryFile(dir=folder) as spool:
        spans: list[tuple[int, int]] = []  # per story number: (start, length) in the spool
        for story in stories:
            sig = next(sigs) if sigs is not None else None
            if sig is None:
                sig = signature(" ".join(story.paragraphs), window=config.window,
                                sample=config.sample)  # fmt: skip
            body = json.dumps(story_record(story), ensure_ascii=False,
                              separators=(",", ":")).encode()  # fmt: skip
            start = spool.tell()
            spool.write(_RECORD_CRC.pack(zlib.crc32(body)) + body)
            if story.uri in order:  # replaced: the index keeps the later one only
                spans[order[story.uri]] = (start, spool.tell() - start)
            else:
                order[story.uri] = len(spans)
                spans.append((start, spool.tell() - start))
            index.add(story.uri, sig)
        index.build()
        # story numbers in the index are in order of addition, replaced ones included; the
        # file numbers stories by first appearance, as a scan's dict of stories does
        owners = np.asarray([order[u] for u in index._uris], dtype=np.int32)[index._owners]
        sizes = np.zeros(len(spans), dtype=np.int32)
        for sid, uri in enumerate(index._uris):
            if sid not in index._removed:
                sizes[order[uri]] = index._sizes[sid]
        lengths = np.asarray([n for _, n in spans], dtype=np.uint64)
        offsets = np.zeros(len(spans) + 1, dtype=np.uint64)
        np.cumsum(lengths, out=offsets[1:])
        arrays: dict[str, npt.NDArray[Any]] = {
            "hashes": index._hashes.astype("<u8", copy=False),
            "owners": owners.astype("<i4", copy=False),
            "sizes": sizes.astype("<i4", copy=False),
            "buckets": index._bucket_starts.astype(
                "<u4" if index._bucket_starts.dtype == np.uint32 else "<i8", copy=False
            ),
            "offsets": offsets.astype("<u8", copy=False),
            "common": index.common.astype("<u8", copy=False),
        }
        header: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "terms": terms_record(terms),
            "settings": {k: getattr(config, k) for k in INDEX_SETTINGS},
            "stories": len(spans),
            "entries": int(arrays["hashes"].shape[0]),
            "dropped": index.dropped,
            "common": int(arrays["common"].shape[0]),
            "bucket_shift": index._bucket_shift,
            "buckets_dtype": arrays["buckets"].dtype.str,
            "sections": {},
        }
        # lay the sections out: sizes are known, the header's own length is settled by
        # writing it twice (offsets depend on it only through its padded length)
        records_bytes = int(offsets[-1])
        head_room = 4096
        while True:
            at = _pad(_PRELUDE.size + head_room)
            sections: dict[str, list[int]] = {}
            for name, arr in arrays.items():
                sections[name] = [at, int(arr.nbytes), zlib.crc32(arr.data)]
                at = _pad(at + arr.nbytes)
            sections["records"] = [at, records_bytes, 0]
            header["sections"] = sections
            header["total"] = at + records_bytes
            blob = json.dumps(header, ensure_ascii=False).encode()
            if len(blob) <= head_room:
                break
            head_room = len(blob) + 1024
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as out:
                out.write(_PRELUDE.pack(MAGIC, FORMAT_VERSION, len(blob), zlib.crc32(blob)))
                out.write(blob)
                for name, arr in arrays.items():
                    out.seek(sections[name][0])
                    out.write(arr.data)
                out.seek(sections["records"][0])
                for start, length in spans:
                    spool.seek(start)
                    out.write(spool.read(length))
                out.truncate(header["total"])
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
    return Written(path, len(spans), header["entries"], index.dropped, header["total"])


def _pad(n: int) -> int:
    return -(-n // _ALIGN) * _ALIGN


# --- reading ------------------------------------------------------------------------


class SavedStories(Mapping[str, Story]):
    """The stories of a saved wire, by uri, each decoded when first asked for."""

    def __init__(
        self, path: Path, records: npt.NDArray[np.uint8], offsets: npt.NDArray[np.uint64]
    ) -> None:
        self._path = path
        self._records = records
        self._offsets = offsets
        self._count = int(offsets.shape[0]) - 1
        self._ids: dict[str, int] = {}  # uri → story number, for the uris seen so far
        self._stories: dict[int, Story] = {}
        self._all_known = False

    def _record(self, sid: int) -> dict[str, Any]:
        start, end = int(self._offsets[sid]), int(self._offsets[sid + 1])
        raw = self._records[start:end].tobytes()
        if len(raw) < _RECORD_CRC.size:
            raise IndexFormatError(f"{self._path}: story {sid} is cut short")
        (crc,) = _RECORD_CRC.unpack_from(raw)
        body = raw[_RECORD_CRC.size :]
        if zlib.crc32(body) != crc:
            raise IndexFormatError(f"{self._path}: story {sid} is corrupt (its CRC does not match)")
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise IndexFormatError(f"{self._path}: story {sid} is not readable: {exc}") from None
        if not isinstance(data, dict):
            raise IndexFormatError(f"{self._path}: story {sid} is not a JSON object")
        return data

    def story(self, sid: int) -> Story:
        """Story number ``sid`` (decoded once, then kept)."""
        found = self._stories.get(sid)
        if found is None:
            found = self._stories[sid] = self._decode(sid)
            self._ids[found.uri] = sid
        return found

    def _decode(self, sid: int) -> Story:
        try:
            return story_from_record(self._record(sid))
        except KeyError as exc:
            raise IndexFormatError(f"{self._path}: story {sid} lacks a field: {exc}") from None
        except (TypeError, ValueError) as exc:
            raise IndexFormatError(f"{self._path}: story {sid}: {exc}") from None

    def uri(self, sid: int) -> str:
        return self.story(sid).uri

    def every(self) -> Iterator[Story]:
        """Every story in the file's order, decoded and not kept (a pass over the whole
        wire: one that wrote it again would otherwise keep all of it in memory)."""
        for sid in range(self._count):
            found = self._stories.get(sid)
            yield found if found is not None else self._decode(sid)

    def _learn_all(self) -> None:
        if not self._all_known:
            for sid in range(self._count):
                uri = self._uri_of(sid)
                if not isinstance(uri, str):
                    raise IndexFormatError(f"{self._path}: story {sid}: uri is not a string")
                self._ids.setdefault(uri, sid)
            self._all_known = True

    def _uri_of(self, sid: int) -> object:
        """Story ``sid``'s uri, its record checked but not all decoded: the writer puts the
        uri first (``story_record``), so only the record's start is read as JSON (the whole
        record, a story's text, was most of the cost of learning every uri of a wire)."""
        start, end = int(self._offsets[sid]), int(self._offsets[sid + 1])
        raw = self._records[start:end].data
        if len(raw) < _RECORD_CRC.size:
            raise IndexFormatError(f"{self._path}: story {sid} is cut short")
        (crc,) = _RECORD_CRC.unpack_from(raw)
        if zlib.crc32(raw[_RECORD_CRC.size :]) != crc:
            raise IndexFormatError(f"{self._path}: story {sid} is corrupt (its CRC does not match)")
        head = bytes(raw[_RECORD_CRC.size : _RECORD_CRC.size + 2048])
        if head.startswith(_URI_FIRST):
            try:
                uri, _end = _DECODER.raw_decode(head.decode("utf-8", "ignore"), len(_URI_FIRST))
                return uri
            except ValueError:
                pass  # (a uri longer than the start read: the whole record)
        return self._record(sid).get("uri")

    def __getitem__(self, uri: str) -> Story:
        sid = self._ids.get(uri)
        if sid is None:
            self._learn_all()  # a uri the index has not named yet: read them all, once
            sid = self._ids[uri]
        return self.story(sid)

    def __contains__(self, uri: object) -> bool:
        if uri in self._ids:
            return True
        self._learn_all()
        return uri in self._ids

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[str]:
        self._learn_all()
        return iter(sorted(self._ids, key=self._ids.__getitem__))


class _Uris:
    """The index's story numbers → uris, read from the records as the index needs them."""

    def __init__(self, stories: SavedStories) -> None:
        self._stories = stories

    def __getitem__(self, sid: int) -> str:
        return self._stories.uri(sid)

    def __len__(self) -> int:
        return len(self._stories)


@dataclass(frozen=True)
class SavedWire:
    """An opened saved wire: what :class:`~.pipeline.Scanner` takes."""

    path: Path
    terms: Terms
    config: ScanConfig
    index: StoryIndex
    stories: SavedStories


def open_wire(path: str | Path, config: ScanConfig | None = None) -> SavedWire:
    """Open a saved wire; raise :class:`IndexFormatError` if it cannot be used.

    ``config`` gives the scan's other settings; the index's own (window, sample and the
    boilerplate ceiling) always come from the file, or the scan would not find what the
    index holds.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            prelude = fh.read(_PRELUDE.size)
            if len(prelude) < _PRELUDE.size:
                raise IndexFormatError(f"{path}: not a saved wire (the file is {size} bytes)")
            magic, version, head_len, head_crc = _PRELUDE.unpack(prelude)
            if magic != MAGIC:
                raise IndexFormatError(f"{path}: not a saved wire (made by `newswire index build`)")
            if version != FORMAT_VERSION:
                raise IndexFormatError(
                    f"{path}: a saved wire of format {version}; this newswire reads format "
                    f"{FORMAT_VERSION}: build it again with `newswire index build`"
                )
            blob = fh.read(head_len)
    except OSError as exc:
        raise IndexFormatError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(blob) < head_len or zlib.crc32(blob) != head_crc:
        raise IndexFormatError(f"{path}: the header is corrupt or cut short")
    header = _read_header(path, blob, size, _PRELUDE.size + head_len)
    sections = header["sections"]
    dtypes = {"hashes": "<u8", "owners": "<i4", "sizes": "<i4",
              "buckets": header["buckets_dtype"], "offsets": "<u8", "common": "<u8",
              "records": "u1"}  # fmt: skip
    arrays: dict[str, npt.NDArray[Any]] = {}
    for name, dtype in dtypes.items():
        offset, nbytes, crc = sections[name]
        count = nbytes // np.dtype(dtype).itemsize
        arr = (
            np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=(count,))
            if count
            else np.zeros(0, dtype=dtype)
        )
        if name != "records" and zlib.crc32(arr.data if count else b"") != crc:
            raise IndexFormatError(f"{path}: section {name} is corrupt (its CRC does not match)")
        arrays[name] = arr
    _check_arrays(path, header, arrays)
    settings = header["settings"]
    base = config or ScanConfig()
    config = replace(base, **{k: settings[k] for k in INDEX_SETTINGS})
    stories = SavedStories(path, arrays["records"], arrays["offsets"])
    index = StoryIndex.from_arrays(
        hashes=arrays["hashes"],
        owners=arrays["owners"],
        sizes=arrays["sizes"],
        bucket_starts=arrays["buckets"],
        bucket_shift=int(header["bucket_shift"]),
        uris=_Uris(stories),
        max_df_share=config.max_df_share,
        min_df_ceiling=config.min_df_ceiling,
        common=arrays["common"],
    )
    return SavedWire(path, terms_from_record(header["terms"]), config, index, stories)


# --- what a header must be --------------------------------------------------------------
# The CRC-32s catch accidental damage only: a crafted file can carry valid ones. So
# the whole header is checked against this schema, then every array against the counts
# the header gives (a compiled lookup indexes the arrays without bounds checks), before
# anything is used. Story records are checked (CRC and shape) as each is first read.

_COUNT = {"type": "integer", "minimum": 0}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_SECTION = {"type": "array", "prefixItems": [_COUNT, _COUNT, _COUNT], "items": False,
            "minItems": 3}  # fmt: skip
_HEADER_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": [
        "format",
        "terms",
        "settings",
        "stories",
        "entries",
        "dropped",
        "common",
        "bucket_shift",
        "buckets_dtype",
        "sections",
        "total",
    ],
    "properties": {
        "format": {"const": FORMAT_VERSION},
        "terms": {
            "type": "object",
            # every field the writer writes (asdict of Terms) and the reader uses
            "required": [
                "wire",
                "affiliation",
                "site",
                "contact",
                "logo",
                "restricted_credits",
                "required",
                "allowed_edits",
                "unavailable",
                "canonical",
            ],
            "additionalProperties": False,
            "properties": {
                "wire": {"type": "string"},
                "affiliation": {"type": "string"},
                "site": {"type": "string"},
                "contact": {"type": "string"},
                "logo": {
                    "type": "object",
                    "required": ["url", "alt"],
                    "additionalProperties": False,
                    "properties": {"url": {"type": "string"}, "alt": {"type": "string"}},
                },
                "restricted_credits": _STRINGS,
                "required": {"type": "array", "items": {"enum": list(CHECK_NAMES)}},
                "allowed_edits": {"type": "array", "items": {"enum": list(EDIT_NAMES)}},
                "unavailable": {"type": "array", "items": {"enum": list(CHECK_NAMES)}},
                "canonical": {"enum": ["", *CANONICAL_MODES]},
            },
        },
        "settings": {
            "type": "object",
            "required": list(INDEX_SETTINGS),
            "properties": {
                "window": {"type": "integer", "minimum": 1, "maximum": 1 << 16},
                "sample": {"type": "integer", "minimum": 1, "maximum": 1 << 16},
                "max_df_share": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "min_df_ceiling": {"type": "integer", "minimum": 1},
            },
        },
        "stories": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
        "entries": _COUNT,
        "dropped": _COUNT,
        "common": _COUNT,
        # 2^(64 - shift) buckets: 4 to 30 bits for a built index, none (64) for an empty one
        "bucket_shift": {"type": "integer", "minimum": 34, "maximum": 64},
        "buckets_dtype": {"enum": ["<u4", "<i8"]},
        "sections": {
            "type": "object",
            "required": ["hashes", "owners", "sizes", "buckets", "offsets", "common", "records"],
            "additionalProperties": _SECTION,
        },
        "total": _COUNT,
    },
}


@cache
def _header_validator() -> Any:
    import jsonschema_rs  # already the ninjs validator; the rules are JSON Schema's

    return jsonschema_rs.Draft202012Validator(_HEADER_SCHEMA)


def _read_header(path: Path, blob: bytes, size: int, data_start: int) -> dict[str, Any]:
    """The header, decoded and checked whole; :class:`IndexFormatError` naming the field."""
    try:
        header = json.loads(blob.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise IndexFormatError(f"{path}: the header is not UTF-8 (byte {exc.start})") from None
    except ValueError as exc:
        raise IndexFormatError(f"{path}: the header is not JSON: {exc}") from None
    except RecursionError:
        raise IndexFormatError(f"{path}: the header is JSON nested too deeply") from None
    if not isinstance(header, dict):
        raise IndexFormatError(
            f"{path}: the header is a JSON {type(header).__name__}, not an object"
        )
    errors = sorted(_header_validator().iter_errors(header), key=lambda e: str(e.instance_path))
    if errors:
        e = errors[0]
        field = "/".join(map(str, e.instance_path)) or "(top)"
        raise IndexFormatError(f"{path}: header field {field}: {e.message}")
    not_whole = _not_whole(_HEADER_SCHEMA, header, ())
    if not_whole is not None:
        place, value = not_whole
        raise IndexFormatError(f"{path}: header field {'/'.join(map(str, place))}: {value!r} "
                               "is not a whole number written as one")  # fmt: skip
    if header["total"] != size:
        raise IndexFormatError(
            f"{path}: the file is {size} bytes, its header says {header['total']}: "
            "truncated or appended to"
        )
    stories, entries = header["stories"], header["entries"]
    bits = 64 - header["bucket_shift"]
    if not (bits == 0 or 4 <= bits <= 30):
        raise IndexFormatError(f"{path}: header field bucket_shift: {header['bucket_shift']} "
                               "is not one newswire makes (34 to 60, or 64)")  # fmt: skip
    dtype = np.dtype(header["buckets_dtype"])
    expected = {
        "hashes": entries * 8,
        "owners": entries * 4,
        "sizes": stories * 4,
        "buckets": ((1 << bits) + 1) * dtype.itemsize,
        "offsets": (stories + 1) * 8,
        "common": header["common"] * 8,
    }
    for name, (offset, nbytes, _crc) in header["sections"].items():
        where = f"{path}: header field sections/{name}"
        if name in expected and nbytes != expected[name]:
            raise IndexFormatError(f"{where}: {nbytes} bytes, where the counts in the header "
                                   f"make {expected[name]}")  # fmt: skip
        if offset < data_start or offset + nbytes > size:
            raise IndexFormatError(f"{where}: runs outside the file's sections "
                                   f"({offset} + {nbytes} of {size} bytes)")  # fmt: skip
    return header


def _not_whole(
    schema: Any, value: Any, where: tuple[Any, ...]
) -> tuple[tuple[Any, ...], Any] | None:
    """The first value the schema calls an integer that Python does not hold as one (JSON
    Schema counts ``60.0`` as an integer; ``1 << 60.0`` and a file offset of ``64.0`` fail),
    with where it is; None when every such value is an int."""
    if not isinstance(schema, dict):
        return None
    if schema.get("type") == "integer" and (type(value) is not int):
        return where, value
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key, item in value.items():
            sub = props.get(key, schema.get("additionalProperties"))
            found = _not_whole(sub, item, (*where, key))
            if found:
                return found
    elif isinstance(value, list):
        prefix = schema.get("prefixItems", [])
        for n, item in enumerate(value):
            sub = prefix[n] if n < len(prefix) else schema.get("items")
            found = _not_whole(sub, item, (*where, n))
            if found:
                return found
    return None


def _check_arrays(path: Path, header: dict[str, Any], arrays: dict[str, npt.NDArray[Any]]) -> None:
    """Every array agrees with the header's counts and with the others: nothing a lookup
    reads can point outside an array, and each story's record lies inside the records."""
    stories, entries = header["stories"], header["entries"]

    def refuse(section: str, what: str) -> IndexFormatError:
        return IndexFormatError(f"{path}: section {section}: {what}")

    owners, buckets, offsets = arrays["owners"], arrays["buckets"], arrays["offsets"]
    if entries and (int(owners.min()) < 0 or int(owners.max()) >= stories):
        raise refuse("owners", f"a story number outside 0 to {stories - 1}")
    if stories and int(arrays["sizes"].min()) < 0:
        raise refuse("sizes", "a negative size")
    hashes = arrays["hashes"]
    if entries > 1 and bool((hashes[1:] < hashes[:-1]).any()):
        raise refuse("hashes", "not sorted")
    common = arrays["common"]
    if common.shape[0] > 1 and bool((common[1:] <= common[:-1]).any()):
        raise refuse("common", "not sorted, or a hash twice")
    b = buckets.astype(np.int64)
    if int(b[0]) != 0 or int(b[-1]) != entries or bool((b[1:] < b[:-1]).any()):
        raise refuse("buckets", f"not a rising count from 0 to the {entries} entries")
    o = offsets.astype(np.uint64)
    if int(o[0]) != 0 or bool((o[1:] < o[:-1]).any()):
        raise refuse("offsets", "not rising from 0")
    if int(o[-1]) != int(arrays["records"].shape[0]):
        raise refuse("offsets", f"the records end at {int(o[-1])}, their section holds "
                     f"{int(arrays['records'].shape[0])} bytes")  # fmt: skip
