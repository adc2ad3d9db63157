"""Photos known by what they show: a perceptual hash of the picture itself.

A restricted photo re-hosted under another name, resized or re-encoded keeps its look:
imagehash's pHash (a 64-bit hash of the picture's low frequencies) of the copy's image is
within :data:`HASH_DISTANCE` bits of the wire's photo. The engine reads no network: the
caller gives the pictures through :class:`Looks` (the apps fetch them, bounded, through
the safe fetcher, for pages newswire fetches itself); a scan of crawled pages has none.
"""

from __future__ import annotations

import io
import warnings
from typing import Protocol

#: bits out of 64 within which two pictures are the same photo (pHash's authors suggest
#: about 10; resizing and JPEG re-encoding move a photo 0-6 bits, another photo ~32)
HASH_DISTANCE = 10
#: a picture larger than this (pixels) is not decoded (a decompression bomb)
MAX_PIXELS = 50_000_000
#: a page's images looked at, at most, for one check (each may be a fetch)
MAX_LOOKED = 8


class Looks(Protocol):
    """What a reader of a page the caller fetched sees beyond its bytes: the text of the
    same site's stylesheets it links (asked for once, only when the page may hold a story),
    and the hash of the picture at a URL (None: it could not be had, or is no picture)."""

    def stylesheets(self) -> tuple[str, ...]: ...

    def photo_hash(self, url: str) -> int | None: ...


def photo_hash(data: bytes) -> int | None:
    """The pHash of a picture's bytes as an int; None when they are not a picture."""
    import imagehash
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                if picture.width * picture.height > MAX_PIXELS:
                    return None
                picture.draft("L", (256, 256))  # JPEG: decode small, at a fraction of the cost
                return int(str(imagehash.phash(picture.convert("L"))), 16)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):  # fmt: skip
        return None


def distance(a: int, b: int) -> int:
    """Bits in which two hashes differ."""
    return (a ^ b).bit_count()
