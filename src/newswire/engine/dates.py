"""Stage 2f — dates: when a page says it was published (OpenGraph, schema.org, ``<time>``),
as ISO 8601.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

#: where a page states when it was published, most trusted first (OpenGraph's article
#: time, then schema.org's microdata; a ``<time>`` element is the last resort)
_PUBLISHED_META = (
    ("property", "article:published_time"),
    ("name", "article:published_time"),
    ("itemprop", "datePublished"),
    ("name", "pubdate"),
    ("name", "date"),
    ("name", "dc.date.issued"),
)


#: the elements a page states its dates with, and extract's canonical link and robots meta
#: (one query: each query is a walk of the whole page)
FACTS = "link[rel], meta, [itemprop=datePublished][datetime], time[datetime]"


def published_in(facts: list[Any]) -> tuple[str, str]:
    """The page's own publication time as its meta tags or microdata state it, and the
    first ``<time datetime>`` (ISO 8601; "" where there is none that reads as a date), from
    the page's :data:`FACTS` in document order. JSON-LD's ``datePublished``, trusted between
    the two, is read with the page's data (:mod:`.embedded`), where the scripts are still
    whole."""
    metas: dict[tuple[str, str], str] = {}
    marked, times = [], []
    for node in facts:
        attrs = node.attributes
        if node.tag == "meta" and "content" in attrs:
            for attr in ("property", "name", "itemprop"):
                key = (attrs.get(attr) or "").strip().lower()
                if key:
                    metas.setdefault((attr, key), attrs.get("content") or "")
        if "datetime" in attrs:
            if attrs.get("itemprop") == "datePublished":
                marked.append(attrs.get("datetime") or "")
            if node.tag == "time":
                times.append(attrs.get("datetime") or "")
    for attr, key in _PUBLISHED_META:
        value = iso_time(metas.get((attr, key.lower()), ""))
        if value:
            return value, ""
    for stated in marked:
        value = iso_time(stated)
        if value:
            return value, ""
    for stated in times:
        value = iso_time(stated)
        if value:
            return "", value
    return "", ""


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_time(value: str) -> str:
    """``value`` as an ISO 8601 date or time if it reads as one ("2024-05-03T10:00:00Z"
    gives "2024-05-03T10:00:00+00:00"), else "". Pages write these many ways; what
    :meth:`datetime.fromisoformat` (Python 3.11: most of ISO 8601) cannot read is kept
    only as its date, and a string with no date in it is not a publication time."""
    value = value.strip()[:64]
    if not value:
        return ""
    try:
        if len(value) <= 10:  # a date alone stays a date (not midnight of a time zone)
            return date.fromisoformat(value).isoformat()
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        pass
    day = _ISO_DAY.match(value)
    if day:
        try:
            return date.fromisoformat(day.group()).isoformat()
        except ValueError:
            return ""
    return ""
