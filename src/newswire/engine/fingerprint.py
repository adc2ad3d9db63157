"""Stage 3 — fingerprint: normalise text and reduce it to sampled shingle hashes.

Two normalisations live here, one per pass of the engine:

* :func:`words` is the careful one, for alignment: Unicode NFKC, case folding,
  HTML entities, typographic quotes and dashes, then words.
* :func:`signature` is the fast one, for every page of a crawl. It works on
  the UTF-8 bytes with numpy and never loops in Python per word: ASCII letters
  are lower-cased, punctuation and white space fold to one space, and each
  window of ``window`` bytes that starts at a word start is hashed with a
  polynomial rolling hash (prefix sums modulo 2**64; odd bases are invertible
  there). A deterministic sample of the hashes is kept (``hash % sample == 0``
  after mixing), so that stories and pages are reduced the same way and a
  shared passage yields shared samples wherever it sits. ENGINE-NOTES.md has
  the measurements behind this choice: about 2x a per-token Python loop.

datasketch's MinHash is not used on this path: its per-shingle Python
``update`` costs more than parsing the page (see benchmarks/throughput.py).
"""

from __future__ import annotations

import html
import importlib
import os
import re
import unicodedata
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from .types import Signature

# Typographic characters folded before either normalisation. Non-ASCII
# punctuation would otherwise count as word bytes on the fast path.
_FOLD = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u202f": " ",
    "\u200b": "",
    "\u00ad": "",
    "\ufeff": "",
}
# str.translate with a table that maps to non-ASCII or to longer strings takes
# its slow path, a dict lookup per character (0.6 ms on a page's text); a
# regular expression finds the few characters to fold ten times faster.
_FOLD_CHARS = re.compile("[" + re.escape("".join(_FOLD)) + "]")
_WORD = re.compile(r"\w+")


def _fold_char(m: re.Match[str]) -> str:
    return _FOLD[m.group()]


def normalize(text: str) -> str:
    """Return ``text`` in the engine's careful normal form (NFKC, folded case and typography)."""
    text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    text = _FOLD_CHARS.sub(_fold_char, text)
    return text.casefold()


def words(text: str) -> list[str]:
    """Return the normalised words of ``text`` (punctuation dropped)."""
    return _WORD.findall(normalize(text))


# --- the fast path -------------------------------------------------------------

_MASK64 = (1 << 64) - 1
_BASE = 0x100000001B3  # FNV-64 prime: odd, so invertible modulo 2**64
_BASE_INV = pow(_BASE, -1, 1 << 64)

# byte -> normalised byte: ASCII letters lower-cased, digits and non-ASCII
# (UTF-8 lead/continuation bytes) kept, everything else a space (a separator).
# A bytes.translate table: it maps a page's bytes at memory speed, ahead of
# numpy's fancy indexing (measured: 0.09 -> 0.055 ms a page with the steps below).
_SPACE = 32
_BYTE_MAP = np.full(256, _SPACE, dtype=np.uint8)
for _b in range(256):
    _c = chr(_b)
    if _b >= 0x80 or _c.isdigit() or (_c.isascii() and _c.isalpha()):
        _BYTE_MAP[_b] = ord(_c.lower()) if _b < 0x80 else _b
del _b, _c
_BYTE_TABLE = _BYTE_MAP.tobytes()

def _powers(n: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """Return BASE**i and BASE**-i for i < n (modulo 2**64), from a table made once for
    each size up to a power of two (a memo of a pure function: no state)."""
    p, q = _power_table(max(1 << 16, 1 << max(n - 1, 0).bit_length()))
    return p[:n], q[:n]


@lru_cache(maxsize=8)
def _power_table(size: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    with np.errstate(over="ignore"):
        p = np.full(size, _BASE, dtype=np.uint64)
        p[0] = 1
        q = np.full(size, _BASE_INV, dtype=np.uint64)
        q[0] = 1
        return np.cumprod(p, dtype=np.uint64), np.cumprod(q, dtype=np.uint64)


def fold_bytes(text: str) -> npt.NDArray[np.uint8]:
    """Return the text's UTF-8 bytes, lower-cased, with each run of separators as one space."""
    encoded = text.encode("utf-8", "ignore")
    raw = np.frombuffer(encoded, dtype=np.uint8)
    mapped = np.frombuffer(bytearray(encoded.translate(_BYTE_TABLE)), dtype=np.uint8)
    if raw.shape[0] > 2:
        # Typographic punctuation, folded without a per-character pass in Python
        # (str.translate costs more than parsing the page): U+2000-U+207F is
        # E2 80 xx / E2 81 xx in UTF-8; no-break space and guillemets are C2 A0/AB/BB.
        # Each looks up its lead byte once over the page, then its few hits.
        e2 = np.flatnonzero(raw[:-2] == 0xE2)
        if e2.shape[0]:
            second = raw[e2 + 1]
            e2 = e2[(second == 0x80) | (second == 0x81)]
            mapped[e2] = _SPACE
            mapped[e2 + 1] = _SPACE
            mapped[e2 + 2] = _SPACE
        c2 = np.flatnonzero(raw[:-1] == 0xC2)
        if c2.shape[0]:
            second = raw[c2 + 1]  # four comparisons: np.isin costs 15 us of overhead a call
            c2 = c2[(second == 0xA0) | (second == 0xAB) | (second == 0xBB) | (second == 0xAD)]
            mapped[c2] = _SPACE
            mapped[c2 + 1] = _SPACE
    word = mapped != _SPACE
    if not word.any():
        return np.zeros(0, dtype=np.uint8)
    # keep every word byte and the first separator after a word
    keep = word.copy()
    keep[1:] |= word[:-1]
    out = mapped[keep]
    first = int(np.argmax(out != _SPACE))
    folded: npt.NDArray[np.uint8] = out[first:]
    return folded


def _compiled() -> Any:
    """The engine's compiled loops (``_sift``), or ``None``: not built, or
    ``NEWSWIRE_PURE_PYTHON`` set (the numpy versions give the same results)."""
    if os.environ.get("NEWSWIRE_PURE_PYTHON"):
        return None
    try:
        _sift = importlib.import_module(f"{__package__}._sift")  # (a leaf: see walks)
    except ImportError:
        return None
    # Python's own tables, so that the compiled sift reads text as the engine does:
    # html.unescape's text of "&#N;" below 0xA0 (its special cases), every HTML5 name,
    # and each byte as windows-1252 (what a page that is not UTF-8 is read as)
    from html.entities import html5

    numeric = [html.unescape(f"&#{n};").encode("utf-8") for n in range(0xA0)]
    names = {k.encode(): v.encode("utf-8") for k, v in html5.items()}
    cp1252 = [bytes([b]).decode("cp1252", "replace").encode("utf-8") for b in range(256)]
    _sift.set_references(numeric, names, cp1252)
    return _sift


#: the compiled loops (_sift.c) or None; sifting.py's sift uses them too
COMPILED = _compiled()


def signature(text: str, *, window: int = 32, sample: int = 8) -> Signature:
    """Return the sampled, sorted, unique window hashes of ``text``."""
    if COMPILED is not None:
        packed = COMPILED.signature(text.encode("utf-8", "ignore"), window, sample)
        return Signature(np.frombuffer(packed, dtype=np.uint64))
    return signature_numpy(text, window=window, sample=sample)


def signature_numpy(text: str, *, window: int = 32, sample: int = 8) -> Signature:
    """:func:`signature` with numpy (the fallback, and what the compiled one is tested against)."""
    data = fold_bytes(text)
    n = int(data.shape[0])
    if n < window:
        return Signature(np.zeros(0, dtype=np.uint64))
    pw, inv = _powers(n + 1)
    with np.errstate(over="ignore"):
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(data * pw[:n], out=prefix[1:])
        # fold_bytes leaves single spaces and starts with a word byte: a window
        # starts at 0 and after each space
        after_space = np.flatnonzero(data == _SPACE) + 1
        starts = np.concatenate(([0], after_space[after_space <= n - window]))
        h = (prefix[starts + window] - prefix[starts]) * inv[starts]
        # mix (splitmix64 finaliser) so that every bit of the sample test is good
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    if sample & (sample - 1) == 0:
        kept = h[(h & np.uint64(sample - 1)) == 0]
    else:
        kept = h[(h % np.uint64(sample)) == 0]
    # sorted and unique; np.unique's own overhead is a third of this step on a page
    kept.sort()
    if kept.shape[0] > 1:
        kept = kept[np.concatenate(([True], kept[1:] != kept[:-1]))]
    return Signature(kept)
