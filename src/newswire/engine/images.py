"""Stage 2c — images in every form a browser shows: ``<img>`` (src, srcset, lazy
attributes and their placeholders), ``<picture>``, and the forms the reader view rewrites
as images (marked with :data:`FORM_ATTR`).
"""

from __future__ import annotations

import re
from typing import Any

from .types import Image

#: lazy-loading themes keep the real image here and a placeholder (or nothing) in ``src``
_LAZY = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url",
         "data-hi-res-src", "data-full-src")  # fmt: skip
_LAZY_SETS = ("srcset", "data-srcset", "data-lazy-srcset")
#: a ``src`` that only stands in until a script swaps in the real image
_PLACEHOLDER = re.compile(
    r"(?:placeholder|blank|spacer|transparent|lazy|loading|pixel|1x1|grey|gray)[^/]*$", re.I
)
#: the attribute that :func:`reader_view` leaves on an image it made from another form
FORM_ATTR = "data-newswire-form"


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` ("a.jpg 300w, b.jpg 2x"), ``data:`` ones left out."""
    urls = []
    for part in value.split(","):
        words = part.split()
        if words and not words[0].startswith("data:"):
            urls.append(words[0])
    return urls


def image_of(node: Any, position: int, path: tuple[int, ...]) -> Image | None:
    """The image an ``<img>`` shows a reader (None: it names no image at all).

    ``src`` unless it is empty, a ``data:`` URI or a placeholder while a lazy-loading
    attribute or a ``srcset`` names the real image; ``urls`` holds every URL it names,
    with the ``<source>`` candidates of an enclosing ``<picture>``. The form is how it
    is shown ("img", "lazy data-src", "img srcset", "picture source", or the form of an
    element :func:`reader_view` turned into this ``<img>``).
    """
    attrs = node.attributes
    src = (attrs.get("src") or "").strip()
    if src.startswith("data:"):
        src = ""
    lazy = [
        (k, v.strip()) for k in _LAZY if (v := attrs.get(k)) and not v.strip().startswith("data:")
    ]
    sets = [u for k in _LAZY_SETS if (v := attrs.get(k)) for u in _srcset_urls(v)]
    parent = node.parent
    sources: list[str] = []
    if parent is not None and parent.tag == "picture":
        sources = [u for s in parent.css("source") for u in _srcset_urls(
            s.attributes.get("srcset") or s.attributes.get("data-srcset") or "")]  # fmt: skip
    stands_in = not src or _PLACEHOLDER.search(src.split("?", 1)[0]) is not None
    form = attrs.get(FORM_ATTR) or "img"
    if src and not (stands_in and (lazy or sets or sources)):
        shown = src
    elif lazy:
        shown, form = lazy[0][1], attrs.get(FORM_ATTR) or f"lazy {lazy[0][0]}"
    elif sets:
        shown, form = sets[-1], attrs.get(FORM_ATTR) or "img srcset"  # the widest, last
    elif sources:
        shown, form = sources[-1], "picture source"
    else:
        shown = src
    if not shown and form != "svg":
        return None
    urls = tuple(dict.fromkeys(u for u in (src, *(v for _, v in lazy), *sets, *sources) if u))
    return Image(shown, attrs.get("alt") or "", position, path, node.html or "", form=form,
                 urls=urls, title=(attrs.get("title") or "").strip())  # fmt: skip
