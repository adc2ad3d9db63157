"""Build stories, terms, pages and WARC files in code, including broken ones.

WARC records are written by hand here (a few lines of the WARC 1.1 format)
rather than with a library, because the tests need to break them on purpose:
cut a record short, corrupt one gzip member, lie about a length.
"""

from __future__ import annotations

import gzip
import json
import uuid
from pathlib import Path
from typing import Any

WIRE = "Plainfield News Service"
LOGO = "https://plainfieldnews.org/static/brand/pns-logo-2x.png"

TERMS: dict[str, Any] = {
    "wire": WIRE,
    "affiliation": WIRE,
    "site": "https://plainfieldnews.org",
    "logo": {"url": LOGO, "alt": f"{WIRE} logo"},
    "restricted_credits": ["Getty Images", "AP Photo", "Reuters"],
    "required": ["logo", "byline", "affiliation", "restricted_media"],
    "allowed_edits": ["trim_end", "headline"],
    "contact": "syndication@plainfieldnews.org",
}

VOCAB = [
    "council",
    "budget",
    "river",
    "school",
    "housing",
    "transit",
    "water",
    "election",
    "court",
    "police",
    "hospital",
    "farmers",
    "mayor",
    "teachers",
    "bridge",
    "storm",
    "drought",
    "library",
    "tenants",
    "clinic",
    "factory",
    "market",
    "senator",
    "county",
    "voters",
    "report",
    "plan",
    "city",
    "state",
    "federal",
    "local",
    "officials",
    "residents",
]


def paragraphs(seed: int, n: int = 8, length: int = 40) -> list[str]:
    """Return ``n`` deterministic pseudo-random paragraphs (distinct per seed)."""
    import random

    rng = random.Random(seed)
    out = []
    for k in range(n):
        words = [rng.choice(VOCAB) for _ in range(length)]
        words[0] = words[0].capitalize()
        out.append(f"Item{seed}x{k} " + " ".join(words) + ".")
    return out


def ninjs(
    uri: str,
    paras: list[str],
    *,
    reporter: str = "Grace Nakamura",
    title: str = "Education Reporter",
    headline: str = "Council Weighs New Budget",
    photo: str | None = None,
    photo_credit: str = "Photo by Ana Ruiz/Getty Images",
) -> dict[str, Any]:
    slug = uri.rsplit(":", 1)[-1]
    item: dict[str, Any] = {
        "standard": {"name": "ninjs", "version": "2.2",
                     "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json"},
        "uri": uri,
        "type": "text",
        "version": "1",
        "versioncreated": "2024-09-01T12:00:00+00:00",
        "headlines": [{"role": "main", "value": headline}],
        "by": f"{reporter}, {title}",
        "people": [{"name": reporter, "rel": "author"}],
        "bodies": [{"role": "main", "contenttype": "text/html",
                    "value": "".join(f"<p>{p}</p>" for p in paras)}],
        "renditions": [{"name": "web", "href": f"https://plainfieldnews.org/stories/{slug}",
                        "contenttype": "text/html"}],
    }  # fmt: skip
    if photo:
        item["associations"] = [
            {"name": "featureimage", "uri": photo, "type": "picture", "by": photo_credit,
             "descriptions": [{"role": "caption", "value": f"({photo_credit})"}]}
        ]  # fmt: skip
    return item


def article(
    paras: list[str],
    *,
    headline: str = "Council Weighs New Budget",
    attribution: str = "",
    after: str = "",
    site_chrome: bool = True,
) -> str:
    """Return a page with the given story placed where a site's article goes."""
    nav = '<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>'
    side = (
        '<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/x">Other news today</a>'
        "</li></ul></aside>"
    )
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Site</title></head><body>'
        f"{nav if site_chrome else ''}<main><article><h1>{headline}</h1>{attribution}"
        f"{body}{after}</article>{side if site_chrome else ''}</main>"
        "<footer><p>© Example Daily</p></footer></body></html>"
    )


def http_response(body: bytes, content_type: str = "text/html; charset=utf-8") -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode("latin-1") + body


def warc_record(url: str, block: bytes, *, declared_length: int | None = None) -> bytes:
    length = len(block) if declared_length is None else declared_length
    head = (
        "WARC/1.1\r\nWARC-Type: response\r\n"
        f"WARC-Target-URI: {url}\r\nWARC-Date: 2024-09-20T10:00:00Z\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {length}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def write_warc(path: Path, members: list[bytes], *, compress: bool = True) -> list[int]:
    """Write records (each its own gzip member); return each record's offset."""
    offsets = []
    with path.open("wb") as fh:
        for record in members:
            offsets.append(fh.tell())
            fh.write(gzip.compress(record) if compress else record)
    return offsets


def page_record(
    url: str, html: str | bytes, content_type: str = "text/html; charset=utf-8"
) -> bytes:
    data = html.encode("utf-8") if isinstance(html, str) else html
    return warc_record(url, http_response(data, content_type))


def write_stories(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(i) + "\n" for i in items))
    return path


def write_terms(path: Path, data: dict[str, Any] | None = None) -> Path:
    path.write_text(json.dumps(TERMS if data is None else data))
    return path


def make_crawl(folder: Path, story_items: list[dict[str, Any]]) -> dict[str, Path]:
    """WARC files as a crawl gives them: copies of the stories (whole, trimmed, an excerpt),
    unrelated pages and an image; one file cut short and one that is not gzip."""
    paras = [
        [p for b in i["bodies"] for p in b["value"].replace("</p>", "").split("<p>") if p]
        for i in story_items
    ]
    credit = f"<p>By {story_items[0]['by']}, Plainfield News Service</p>"
    copies = [
        page_record("https://daily.example/a", article(paras[0], attribution=credit)),
        page_record("https://weekly.example/b", article(paras[1][:5])),
        page_record("https://blog.example/c", article(paras[2][2:4])),
        page_record("https://news.example/d", article(paras[0], site_chrome=False)),
    ]
    unrelated = [
        page_record(f"https://other{n}.example/", article(paragraphs(1000 + n))) for n in range(6)
    ]
    image = warc_record(
        "https://daily.example/logo.png", http_response(b"\x89PNG" + b"\0" * 64, "image/png")
    )
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "copies": folder / "copies.warc.gz",
        "mixed": folder / "mixed.warc.gz",
        "truncated": folder / "truncated.warc.gz",
        "plain": folder / "not-gzip.warc.gz",
    }
    write_warc(files["copies"], copies[:2] + unrelated[:3])
    write_warc(files["mixed"], [unrelated[3], copies[2], image, unrelated[4], copies[3]])
    write_warc(files["truncated"], [copies[1], unrelated[5], copies[0]])
    whole = files["truncated"].read_bytes()
    files["truncated"].write_bytes(whole[: len(whole) - 300])  # the last record cut short
    files["plain"].write_bytes(b"this is not a WARC file, nor gzip\n" * 20)
    return files
