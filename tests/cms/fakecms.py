"""Fake newsroom CMSs on 127.0.0.1, built by the tests: a WordPress REST API, RSS and Atom
feeds, a ninjs endpoint. Each answers as the real thing does, with real shapes (WordPress's
``{"rendered": …}`` objects, ``_embedded`` authors, featured media and terms, the
``X-WP-TotalPages`` header, error objects), and logs every request (``site.log``)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..fakesite import FakeSite, respond

HOST = "https://newsroom.example"
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

PARAS = [
    "The city council delayed its budget vote again on Monday after residents packed the hall "
    "to protest cuts to parks, libraries and the bus service that many of them depend on.",
    "Council members said they needed two more weeks to study a proposal from the finance "
    "committee that would close the gap without closing the east side branch library.",
    "Residents who spoke at the meeting said the cuts would fall hardest on families without "
    "cars, and several asked the council to look again at the police overtime budget.",
    "The mayor, who proposed the cuts in September, said she would meet with the committee "
    "this week and expected a vote before the end of the month, when the fiscal year closes.",
]


def body_of(n: int) -> str:
    return "".join(f"<p>Story {n}. {p}</p>" for p in PARAS)


def _wp_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S")


class FakeWordPress:
    """``/wp-json/wp/v2/posts`` (paged, ``modified_after``, ``_fields``) and one route per post."""

    def __init__(self, site: FakeSite, per_page: int = 3) -> None:
        self.site = site
        self.per_page = per_page  # a server-side cap, as rest_post_collection_params allows
        self.posts: dict[int, dict[str, Any]] = {}
        self.hidden: dict[int, int] = {}  # post id → status its own URL answers (404, 401)
        self.clock = START
        #: called when a later page is asked for (a test changes the site mid-poll)
        self.between_pages: Any = None
        site.route("/wp-json/wp/v2/posts", self._list)
        site.route("/", respond(200, b"<!doctype html><html><head></head><body>Home</body></html>",
                                headers={"Link": f'<{site.url}/wp-json/>; rel="https://api.w.org/"'}))  # fmt: skip

    @property
    def url(self) -> str:
        return self.site.url + "/"

    def tick(self) -> datetime:
        self.clock += timedelta(minutes=7)
        return self.clock

    def add(
        self,
        n: int,
        *,
        title: str | None = None,
        authors: list[tuple[str, str]] | None = None,
        coauthors: list[tuple[str, str]] | None = None,
        credit: str = "Drew Angerer/Getty Images",
        category: str = "Local",
        status: str = "publish",
        date: datetime | None = None,
    ) -> dict[str, Any]:
        when = date or self.tick()
        authors = [("Grace Nakamura", "grace-nakamura")] if authors is None else authors
        post: dict[str, Any] = {
            "id": n,
            "date": _wp_time(when),
            "date_gmt": _wp_time(when),
            "modified": _wp_time(self.clock),
            "modified_gmt": _wp_time(self.clock),
            "slug": f"story-{n}",
            "status": status,
            "type": "post",
            "link": f"{HOST}/2026/11/story-{n}/",
            "title": {
                "rendered": title
                if title is not None
                else f"Council &#8216;Budget&#8217; Story {n}"
            },
            "content": {"rendered": body_of(n), "protected": False},
            "excerpt": {
                "rendered": f"<p>Story {n}. {PARAS[0][:80]}&hellip;</p>\n",
                "protected": False,
            },
            "author": 3,
            "featured_media": 500 + n,
            "categories": [4],
            "tags": [9],
            "_embedded": {
                "author": [
                    {"id": 3 + i, "name": name, "link": f"{HOST}/author/{slug}/", "slug": slug}
                    for i, (name, slug) in enumerate(authors)
                ],
                "wp:featuredmedia": [
                    {
                        "id": 500 + n,
                        "source_url": f"{HOST}/wp-content/uploads/2026/11/photo-{n}.jpg",
                        "caption": {"rendered": f"<p>Residents at the meeting, story {n}.</p>\n"},
                        "alt_text": "Residents in the council chamber",
                        "media_details": {"image_meta": {"credit": credit, "copyright": ""}},
                    }
                ],
                "wp:term": [
                    [{"id": 4, "name": category, "taxonomy": "category"}],
                    [{"id": 9, "name": "budget", "taxonomy": "post_tag"}],
                ],
            },
        }
        if coauthors:
            post["coauthors"] = [
                {"display_name": name, "user_nicename": slug, "link": f"{HOST}/author/{slug}/"}
                for name, slug in coauthors
            ]
        if not authors:
            post["_embedded"]["author"] = [
                {
                    "code": "rest_user_invalid_id",
                    "message": "Invalid user ID.",
                    "data": {"status": 404},
                }
            ]
        self.posts[n] = post
        self.site.route(f"/wp-json/wp/v2/posts/{n}", lambda h, n=n: self._one(h, n))
        return post

    def edit(self, n: int, **changes: Any) -> None:
        """Change a post as an editor in WordPress would (its modified time moves on)."""
        post = self.posts[n]
        for key, value in changes.items():
            if key == "body":
                post["content"]["rendered"] = value
            elif key == "caption":
                post["_embedded"]["wp:featuredmedia"][0]["caption"]["rendered"] = value
            else:
                post[key] = value
        now = self.tick()
        post["modified"] = post["modified_gmt"] = _wp_time(now)

    def remove(self, n: int, status: int) -> None:
        """Delete (404) or unpublish (401: WordPress hides drafts and trash from the public)."""
        self.posts.pop(n)
        self.hidden[n] = status

    def _one(self, h: BaseHTTPRequestHandler, n: int) -> None:
        if n in self.posts:
            self._json(h, 200, self.posts[n])
            return
        status = self.hidden.get(n, 404)
        code = "rest_post_invalid_id" if status == 404 else "rest_forbidden"
        self._json(h, status, {"code": code, "message": "Sorry.", "data": {"status": status}})

    def _list(self, h: BaseHTTPRequestHandler) -> None:
        q = {k: v[0] for k, v in parse_qs(urlsplit(h.path).query).items()}
        posts = [p for p in self.posts.values() if p["status"] == "publish"]
        if "modified_after" in q:
            posts = [p for p in posts if p["modified_gmt"] > q["modified_after"]]
        if "include" in q:
            wanted = {int(i) for i in q["include"].split(",") if i}
            posts = [p for p in posts if p["id"] in wanted]
        if q.get("orderby") == "id":
            posts.sort(key=lambda p: p["id"], reverse=q.get("order") != "asc")
        else:
            posts.sort(key=lambda p: (p["modified_gmt"], p["id"]))
        per = min(int(q.get("per_page", 10)), self.per_page)
        pages = max(1, -(-len(posts) // per))
        page = int(q.get("page", 1))
        if self.between_pages is not None and (page > 1 or int(q.get("offset", 0)) > 0):
            self.between_pages(self)  # something changes on the site while a poll pages
        if "offset" in q:  # as WP_Query: an offset overrides the page
            offset = int(q["offset"])
            chosen = copy.deepcopy(posts[offset : offset + per])
            self._send(h, q, chosen, posts, pages)
            return
        if page > pages:
            self._json(h, 400, {"code": "rest_post_invalid_page_number",
                                       "message": "The page number requested is larger than the number of pages available.",
                                       "data": {"status": 400}})  # fmt: skip
            return
        chosen = copy.deepcopy(posts[(page - 1) * per : page * per])
        self._send(h, q, chosen, posts, pages)

    def _send(self, h: BaseHTTPRequestHandler, q: dict[str, str], chosen: list[Any],
              posts: list[Any], pages: int) -> None:  # fmt: skip
        if "_fields" in q:
            keep = q["_fields"].split(",")
            chosen = [{k: p[k] for k in keep if k in p} for p in chosen]
        elif "_embed" not in q:
            for p in chosen:
                p.pop("_embedded", None)
        self._json(h, 200, chosen, {"X-WP-Total": str(len(posts)), "X-WP-TotalPages": str(pages)})

    @staticmethod
    def _json(
        h: BaseHTTPRequestHandler, status: int, data: Any, headers: dict[str, str] | None = None
    ) -> None:
        respond(status, json.dumps(data).encode(), "application/json; charset=UTF-8", headers)(h)


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>The Newsroom</title><link>{host}</link><description>News</description>
{items}
</channel></rss>"""

RSS_ITEM = """<item><title>{title}</title><link>{host}/news/{n}/</link>
<guid isPermaLink="false">{host}/?p={n}</guid><dc:creator><![CDATA[{author}]]></dc:creator>
<pubDate>Fri, 20 Nov 2026 1{n}:00:00 +0000</pubDate><category><![CDATA[Politics]]></category>
<description><![CDATA[Story {n} in short.]]></description>
<content:encoded><![CDATA[{body}]]></content:encoded>
<media:content url="{host}/photos/{n}.jpg" medium="image"><media:credit>{credit}</media:credit></media:content>
</item>"""


def rss(items: list[dict[str, Any]]) -> bytes:
    parts = [
        RSS_ITEM.format(
            host=HOST,
            n=i["n"],
            title=i.get("title", f"Transit Story {i['n']}"),
            author=i.get("author", "Kwame Thornbury"),
            body=i.get("body", body_of(i["n"])),
            credit=i.get("credit", "Newsroom staff"),
        )
        for i in items
    ]
    return RSS.format(host=HOST, items="\n".join(parts)).encode()


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Newsroom (Atom)</title><id>{host}/atom</id>
<updated>2026-11-20T12:00:00Z</updated>{next}
{entries}
</feed>"""

ATOM_ENTRY = """<entry><title>Atom Story {n}</title><id>tag:newsroom.example,2026:{n}</id>
<link rel="alternate" href="{host}/atom/{n}/"/><updated>2026-11-20T1{n}:00:00Z</updated>
<author><name>{author}</name><uri>{host}/people/{slug}/</uri></author>
<category term="Environment"/>
<content type="html"><![CDATA[{body}]]></content></entry>"""


def atom(
    ns: list[int], next_url: str = "", author: str = "Tomás Oduya", slug: str = "toduya"
) -> bytes:
    entries = "\n".join(
        ATOM_ENTRY.format(host=HOST, n=n, author=author, slug=slug, body=body_of(n)) for n in ns
    )
    link = f'<link rel="next" href="{next_url}"/>' if next_url else ""
    return ATOM.format(host=HOST, next=link, entries=entries).encode()


def ninjs_item(n: int, **extra: Any) -> dict[str, Any]:
    item = {
        "uri": f"urn:newsroom:{n}",
        "type": "text",
        "version": "1",
        "pubstatus": "usable",
        "firstcreated": "2026-11-20T10:00:00Z",
        "headlines": [{"role": "main", "value": f"Ninjs Story {n}"}],
        "by": "Amara Lindqvist, Science Reporter",
        "people": [{"name": "Amara Lindqvist", "rel": "author"}],
        "subjects": [{"name": "Science"}],
        "bodies": [{"role": "main", "contenttype": "text/html", "value": body_of(n)}],
        "renditions": [{"name": "web", "href": f"{HOST}/science/{n}/", "contenttype": "text/html"}],
    }
    item.update(extra)
    return item
