"""Stage 2b — the sift: the text between the tags of a page's raw bytes, without a parse.

:func:`sift` leaves scripts, styles and comments out and decodes entities: close enough to
the parsed text for the index to tell whether the page may hold a story, at a fraction of
the cost of a parse (compiled in ``_sift.c``, with numpy as the fallback;
:func:`sift_signature` fingerprints it in the same call). Most pages of a crawl end here.
"""

from __future__ import annotations

import html
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from .decoding import (
    _LATIN,
    _UTF8,
    MAX_DEPTH,
    THIN_PAGE,
    THIN_SHARE,
    UNCLOSED,
    _refuse_deep,
    declared_charset,
    decode,
    decode_bytes,
    screen,
)
from .embedded import MARKERS as DATA_MARKERS
from .embedded import has_data
from .fingerprint import COMPILED, signature
from .types import Page, Signature


def _prefix(text: bytes) -> tuple[np.uint64, np.uint64]:
    """Return (value, mask) that test whether 8 little-endian bytes start with ``text``."""
    value = int.from_bytes(text.ljust(8, b"\0"), "little")
    return np.uint64(value), np.uint64((1 << (8 * len(text))) - 1)


_ASCII_LOWER = np.uint64(0x2020202020202020)  # sets bit 5 of each byte: A-Z -> a-z
_LOW_BYTE = np.uint64(0xFF)
# elements whose content is not text (raw-text elements), with their end tags
_RAW_TEXT = tuple(
    (_prefix(name), _prefix(b"/" + name), len(name)) for name in (b"script", b"style")
)
_COMMENT_OPEN = _prefix(b"!--")


def _is_name_byte(x: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    return ((x >= 0x61) & (x <= 0x7A)) | ((x >= 0x30) & (x <= 0x39))


def _first_at_or_after(
    sorted_positions: npt.NDArray[np.intp], at: npt.NDArray[np.intp], default: int
) -> npt.NDArray[np.intp]:
    """Return, for each of ``at``, the first of ``sorted_positions`` >= it (else ``default``)."""
    if not sorted_positions.shape[0]:
        return np.full(at.shape[0], default, dtype=np.intp)
    i = np.searchsorted(sorted_positions, at)
    last = sorted_positions.shape[0] - 1
    found: npt.NDArray[np.intp] = np.where(
        i <= last, sorted_positions[np.minimum(i, last)], default
    )
    return found


def _stretches(
    start: npt.NDArray[np.intp], end: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The stretches a browser's tokenizer leaves out, from every place one may open.

    Raw-text elements and comments do not nest: inside ``<script>`` only ``</script``
    ends it (a ``"<style"`` or ``"<!--"`` in the script's strings opens nothing), inside a
    comment only ``-->``. Each candidate ``start`` comes with the end its own kind would
    have (``end``); a candidate that lies inside an earlier stretch is no stretch at all.
    Taking each on its own, as the sift first did, let the ``"<style"`` in an inlined
    jQuery open a stretch that never closed and drop the rest of the page. Returns the
    kept stretches' starts (sorted) and their ends (running maximum).
    """
    order = np.argsort(start, kind="stable")
    start, end = start[order], end[order]
    reach = np.maximum.accumulate(end)
    # the usual page: no candidate inside an earlier one, every candidate is a stretch
    if start.shape[0] < 2 or bool((start[1:] >= reach[:-1]).all()):
        return start, reach
    # otherwise walk them in order, as the tokenizer does (a handful per page)
    kept_start: list[int] = []
    kept_end: list[int] = []
    shut = -1
    for s, e in zip(start.tolist(), end.tolist(), strict=True):
        if s < shut:
            continue  # opened inside a script, style or comment: text, not markup
        kept_start.append(s)
        kept_end.append(e)
        shut = e
    return np.asarray(kept_start, dtype=np.intp), np.asarray(kept_end, dtype=np.intp)


def _carries_data(body: bytes, opens: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
    """Which of the ``<script`` at ``opens`` carry the page's text as data (JSON-LD,
    ``__NEXT_DATA__``, ``__NUXT__``, Arc's ``Fusion.globalContent``): the sift keeps their
    content as text, so that a copy drawn by JavaScript is looked up too."""
    keep = np.zeros(opens.shape[0], dtype=bool)
    # from each marker back to the script it is in (a page has a few markers and scores of
    # scripts): a marker within 400 bytes of the nearest "<script" before it
    for marker in DATA_MARKERS:
        at = body.find(marker)
        while at >= 0:
            i = int(np.searchsorted(opens, at, side="right")) - 1
            if i >= 0 and at - int(opens[i]) < 400:
                keep[i] = True
            at = body.find(marker, at + len(marker))
    return keep


class Sifted(NamedTuple):
    """What :func:`_between_tags` read: the text, the number of ``<``, whether a stretch it
    left out never closed, and how many bytes lie outside the stretches left out."""

    text: bytes
    tags: int
    unclosed: bool
    outside: int


def _between_tags(body: bytes, keep_data: bool = False) -> Sifted:
    """Return what the sift reads of ``body`` (see :func:`_between_tags_numpy`): compiled
    when the engine's C part is built, else with numpy; the two give the same."""
    if COMPILED is None:
        return _between_tags_numpy(body, keep_data)
    text, tags, unclosed, outside, data = COMPILED.between_tags(body, keep_data)
    return Sifted(b" ".join([text, *data]) if data else text, tags, unclosed, outside)


def _between_tags_numpy(body: bytes, keep_data: bool = False) -> Sifted:
    """Return the bytes of ``body`` between its tags, without comments, scripts and styles.

    Written by hand, with numpy, because no library reads text from HTML
    without building a tree, and the tree is the cost being avoided. One pass
    finds every ``<`` and ``>``; the text is each run from a ``>`` to the next
    ``<`` (the ``>`` kept as a space between runs), less the runs that start
    inside a comment, a script or a style. A ``<`` or ``>`` written as text
    (not as ``&lt;``) costs the words up to the next tag. With ``keep_data`` the scripts
    that carry text as data are kept. Return the text, the number of ``<``, and whether
    the sift is in doubt: a stretch it left out never closed, which a browser would
    show as text (or a sift bug would leave out): the page is then parsed, whatever its
    sifted text holds.
    """
    b = np.frombuffer(body, dtype=np.uint8)
    n = b.shape[0]
    marks = np.flatnonzero((b | 2) == 0x3E)  # "<" is 0x3C, ">" is 0x3E
    if n < 8 or not marks.shape[0]:
        return Sifted(body, body.count(b"<"), False, n)
    opening = b[marks] == 0x3C
    run = ~opening[:-1] & opening[1:]
    run_start = np.concatenate(([0], marks[:-1][run], marks[-1:]))
    run_end = np.concatenate((marks[:1], marks[1:][run], [n]))
    if opening[-1]:  # nothing after a last "<"
        run_start, run_end = run_start[:-1], run_end[:-1]
    # stretches to leave out: "<script" … "</script", "<style" … "</style", "<!--" … "-->"
    lt = marks[opening]
    # the 8 bytes after each "<" as one integer, letters lower-cased: a strided
    # uint64 view over the bytes (unaligned reads, no copy)
    view = np.ndarray(shape=(n - 7,), dtype="<u8", buffer=body, strides=(1,))
    after = view[np.minimum(lt + 1, n - 8)] | _ASCII_LOWER
    opens_at: list[npt.NDArray[np.intp]] = []
    ends_at: list[npt.NDArray[np.intp]] = []
    data: list[bytes] = []
    for (open_value, open_mask), (close_value, close_mask), size in _RAW_TEXT:
        named = (after & open_mask) == open_value
        if not named.any():
            continue
        follows = ((after >> np.uint64(8 * size)) & _LOW_BYTE).astype(np.uint8)
        opens = lt[named & ~_is_name_byte(follows)]  # "<script>", not "<scripts>"
        closes = lt[(after & close_mask) == close_value]
        ends = _first_at_or_after(closes, opens + 1, n)
        opens_at.append(opens)
        ends_at.append(ends)
        if keep_data and size == 6 and opens.shape[0]:
            # scripts that carry the page's text as data: their content is read whole (a
            # script's ">" would cut it into runs), after the text of the page
            carries = _carries_data(body, opens)
            for at, end in zip(opens[carries].tolist(), ends[carries].tolist(), strict=True):
                data.append(body[body.find(b">", at, end) + 1 : end])
    value, mask = _COMMENT_OPEN
    comments = lt[(after & mask) == value]
    if comments.shape[0]:
        shut = (
            ~opening & (b[np.maximum(marks - 1, 0)] == 0x2D) & (b[np.maximum(marks - 2, 0)] == 0x2D)
        )
        opens_at.append(comments)
        ends_at.append(_first_at_or_after(marks[shut], comments + 4, n))
    doubt = False
    outside = n  # bytes outside the stretches left out
    starts = np.concatenate(opens_at) if opens_at else np.zeros(0, dtype=np.intp)
    if starts.shape[0]:
        start, reach = _stretches(starts, np.concatenate(ends_at))
        # a stretch that runs to the end of the page without its close: left out by
        # the sift, shown as text by a browser (an unclosed comment is, too)
        doubt = int(reach[-1]) >= n and n - int(start[-1]) > UNCLOSED
        upto = np.minimum(reach, np.append(start[1:], n))
        outside -= int(np.maximum(upto - start, 0).sum())
        # a run is inside a stretch if it starts after the stretch's "<" and before its end
        k = np.searchsorted(start, run_start, side="right") - 1
        inside = (k >= 0) & (run_start < reach[np.maximum(k, 0)])
        run_start, run_end = run_start[~inside], run_end[~inside]
    live = run_end > run_start
    run_start, run_end = run_start[live], run_end[live]
    small: type[np.signedinteger[Any]] = np.int32 if n < 2**31 else np.int64
    lengths = (run_end - run_start).astype(small)  # int32: half the index traffic
    shift = run_start.astype(small) - np.concatenate(([0], np.cumsum(lengths)[:-1]))
    index = np.arange(int(lengths.sum()), dtype=small) + np.repeat(shift, lengths)
    text: bytes = b[index].tobytes().replace(b">", b" ")
    if data:
        text = b" ".join([text, *data])
    return Sifted(text, int(lt.shape[0]), doubt, outside)


def sift_text(page: Page, *, max_depth: int = MAX_DEPTH) -> str:
    """The sifted text of a page (:func:`sift` without its doubt)."""
    return sift(page, max_depth=max_depth)[0]


def sift(page: Page, *, max_depth: int = MAX_DEPTH) -> tuple[str, bool]:
    """Return the page's text, close to what :func:`quick_text` reads, without parsing it.

    It also holds the text of ``<head>`` (the title), which the parsed text
    leaves out. Raise :class:`PageError` as :func:`parse` does. Bytes are decoded as
    :func:`parse` decodes them (UTF-8, else the declared charset, else
    windows-1252); entities are decoded. Markup that only a parser gets right
    (a ``>`` inside a quoted attribute, ``<script>`` text in a comment) can
    cost a few words; the pipeline asks less of this text than of the parsed
    one and parses every page it lets through.

    The text of scripts that carry the page's text as data (:mod:`.embedded`) is kept.
    Returns the text, and whether the sift is in doubt about it (a stretch it left out
    never closed): the pipeline then parses the page whatever the text holds.
    """
    screen(page, max_depth=max_depth, depth=False)
    declared = declared_charset(page)
    # (the compiled sift finds the data scripts itself, for the price of a look after each
    # "<script"; with numpy a page without any marker is spared the work)
    data = COMPILED is not None or has_data(page.body)
    if declared is None or declared in _UTF8 or declared in _LATIN:
        # "<" and ">" are single bytes in these encodings: cut first, decode the
        # text alone (a tenth of the page)
        sifted = _between_tags(page.body, data)
        text = _sifted_text(sifted.text, declared)
    else:
        sifted = _between_tags(decode(page).encode("utf-8"), data)
        text = _sifted_text(sifted.text, "utf-8")
    _refuse_deep(page.body, sifted.tags, max_depth)  # the "<" are counted already
    return text, _in_doubt(sifted.unclosed, len(sifted.text), sifted.outside)


def _sifted_text(raw: bytes, declared: str | None) -> str:
    """The sift's bytes as text: decoded as the page is, character references read."""
    text = decode_bytes(raw, declared)
    return html.unescape(text) if "&" in text else text


def _in_doubt(unclosed: bool, length: int, outside: int) -> bool:
    """Whether the sift is in doubt about a page: a stretch it left out never closed, or
    (the safety net, whatever the sift got wrong: markup holds text) its text is a small
    share of the bytes outside scripts, styles and comments, so text was lost somewhere
    (the least share on the dev corpus's 887 pages is 1/17)."""
    return unclosed or (outside > THIN_PAGE and length * THIN_SHARE < outside)


def sift_signature(
    page: Page, *, window: int, sample: int, max_depth: int = MAX_DEPTH
) -> tuple[Signature, bool]:
    """The fingerprint of the page's sifted text and the sift's doubt: what
    ``signature(sift(page))`` gives, in one compiled call for a page that is (or claims
    to be) UTF-8 or Latin. Decoding the sifted bytes, reading their character references
    and encoding them again for the fingerprint cost more in Python than the sift and the
    fingerprint themselves; the compiled call reads references with html.unescape's own
    tables and hands a page back to Python when its text is not UTF-8 or a reference
    needs Python's reading (a name with a non-ASCII character)."""
    declared = declared_charset(page)
    if COMPILED is None or not (declared is None or declared in _UTF8 or declared in _LATIN):
        text, doubt = sift(page, max_depth=max_depth)
        return signature(text, window=window, sample=sample), doubt
    screen(page, max_depth=max_depth, depth=False)
    packed, raw, tags, unclosed, outside, length = COMPILED.sift_signature(
        page.body, True, window, sample
    )
    _refuse_deep(page.body, tags, max_depth)
    doubt = _in_doubt(unclosed, length, outside)
    if packed is None:  # the Python path for the rest, as sift() takes it
        return signature(_sifted_text(raw, declared), window=window, sample=sample), doubt
    return Signature(np.frombuffer(packed, dtype=np.uint64)), doubt
