"""Pictures known by their look: the same photo resized or re-encoded is near, another photo
far; bytes that are no picture, or a decompression bomb, give no hash (never an error)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image as Picture
from PIL import ImageDraw

from newswire.engine.photos import HASH_DISTANCE, distance, photo_hash


def _photo(seed: int) -> Picture.Image:
    img = Picture.new("RGB", (400, 260), (seed * 40 % 256, 90, 160))
    draw = ImageDraw.Draw(img)
    for n in range(7):
        x = (seed * 37 + n * 53) % 300
        draw.ellipse([x, n * 30, x + 90, n * 30 + 70], fill=((n * 70 + seed * 13) % 256, 40, 200))
    return img


def _bytes(img: Picture.Image, fmt: str, **kw: object) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **kw)
    return out.getvalue()


def test_the_same_photo_resized_and_reencoded_is_near_another_is_far():
    original = photo_hash(_bytes(_photo(1), "PNG"))
    assert original is not None
    for changed in (_bytes(_photo(1).resize((200, 130)), "JPEG", quality=50),
                    _bytes(_photo(1), "WEBP", quality=60)):  # fmt: skip
        h = photo_hash(changed)
        assert h is not None and distance(h, original) <= HASH_DISTANCE
    for seed in (2, 3, 4):
        h = photo_hash(_bytes(_photo(seed), "PNG"))
        assert h is not None and distance(h, original) > HASH_DISTANCE


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_no_picture_gives_no_hash():
    for data in (b"", b"<html>not a picture</html>", b"\x89PNG\r\n\x1a\n", b"GIF89a" + b"\0" * 5,
                 _png_claiming(60_000, 60_000), _bytes(_photo(1), "PNG")[:200]):  # fmt: skip
        assert photo_hash(data) is None
