"""A partner's WordPress on 127.0.0.1, as newswire's push sees it: the REST API's posts and
media routes with application-password (Basic) auth, WordPress's shapes (``{"raw",
"rendered"}`` titles, ``modified_gmt``, error objects with ``code`` and ``message``), and
a log of every request (``site.log``).

Helpers act as the partner or the network would: ``edit`` (the partner changes a post on
its side), ``fail_next`` (the next post creation answers 500, having made the post or
not)."""

from __future__ import annotations

import base64
import json
import re
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..fakesite import FakeSite

USER, PASSWORD = "desk", "abcd EFGH 1234 ijkl MNOP 5678"


class _Routes(dict):
    """Every path under /wp-json/wp/v2/ goes to the fake; the rest as the site was told."""

    def __init__(self, wp: FakeWP) -> None:
        super().__init__()
        self.wp = wp

    def get(self, path: str, default: Any = None) -> Any:
        if path.startswith("/wp-json/wp/v2/"):
            return self.wp.handle
        return super().get(path, default)


class FakeWP:
    def __init__(self, site: FakeSite) -> None:
        self.site = site
        self.posts: dict[int, dict[str, Any]] = {}
        self.media: dict[int, dict[str, Any]] = {}
        self.next_id = 100
        self.clock = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        self.fail: list[str] = []  # "after" (make the post, answer 500) or "before"
        self.lock = threading.Lock()
        routes = _Routes(self)
        routes.update(site.routes)  # (the routes the test set before)
        routes["/"] = self.page
        site.routes = routes

    @property
    def url(self) -> str:
        return self.site.url

    def _tick(self) -> str:
        self.clock += timedelta(minutes=1)
        return self.clock.strftime("%Y-%m-%dT%H:%M:%S")

    def edit(self, post_id: int, content: str) -> None:
        """The partner edits the post on its side (WordPress moves its modified time)."""
        with self.lock:
            post = self.posts[post_id]
            post["content"] = {"raw": content, "rendered": content}
            post["modified_gmt"] = self._tick()

    def fail_next(self, when: str = "after") -> None:
        self.fail.append(when)

    def page(self, h: BaseHTTPRequestHandler) -> None:
        """A published post's page, as the site shows it to readers (``/?p=ID``)."""
        n = (parse_qs(urlsplit(h.path).query).get("p") or ["0"])[0]
        post = self.posts.get(int(n)) if n.isdigit() else None
        if post is None or post["status"] != "publish":
            raw, status = b"<html><body>Not found</body></html>", 404
        else:
            raw = (
                f"<!doctype html><html><body><article><h1>{post['title']['rendered']}</h1>"
                f"{post['content']['rendered']}</article></body></html>"
            ).encode()
            status = 200
        h.send_response(status)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(raw)))
        h.end_headers()
        h.wfile.write(raw)

    # --- the REST API ------------------------------------------------------------

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        method, body = h.command, getattr(h, "body", b"")
        parts = urlsplit(h.path)
        path, query = parts.path.removeprefix("/wp-json/wp/v2"), parse_qs(parts.query)
        if not self._authorised(h):
            self._send(h, 401, {"code": "incorrect_password", "message":
                                "The provided password is an invalid application password.",
                                "data": {"status": 401}})  # fmt: skip
            return
        with self.lock:
            status, data = self._route(method, path, query, body, h)
        self._send(h, status, data)

    def _authorised(self, h: BaseHTTPRequestHandler) -> bool:
        given = h.headers.get("Authorization", "")
        want = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        return given == want

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: bytes,
               h: BaseHTTPRequestHandler) -> tuple[int, Any]:  # fmt: skip
        if path == "/users/me":
            return 200, {"id": 3, "name": "Partner Desk", "slug": USER,
                         "capabilities": {"edit_posts": True, "publish_posts": True,
                                          "upload_files": True}}  # fmt: skip
        if path == "/media" and method == "POST":
            n = self._new_id()
            name = re.search(r'filename="([^"]+)"', h.headers.get("Content-Disposition", ""))
            self.media[n] = {"id": n, "source_url": f"{self.url}/wp-content/uploads/{n}.jpg",
                             "filename": name.group(1) if name else "", "bytes": len(body),
                             "mime_type": h.headers.get("Content-Type", "")}  # fmt: skip
            return 201, self.media[n]
        m = re.fullmatch(r"/media/(\d+)", path)
        if m and method == "POST":
            self.media[int(m.group(1))].update(json.loads(body or b"{}"))
            return 200, self.media[int(m.group(1))]
        if path == "/posts" and method == "GET":
            slug = (query.get("slug") or [""])[0]
            return 200, [p for p in self.posts.values() if p["slug"] == slug]
        if path == "/posts" and method == "POST":
            if self.fail and self.fail[0] == "before":
                self.fail.pop(0)
                return 500, {"code": "internal_server_error", "message": "Database gone away"}
            data = json.loads(body or b"{}")
            n = self._new_id()
            post = {"id": n, "slug": data.get("slug", f"post-{n}"), "status": data.get("status",
                    "draft"), "link": f"{self.url}/?p={n}", "meta": data.get("meta", {}),
                    "featured_media": data.get("featured_media", 0)}  # fmt: skip
            self._write(post, data)
            self.posts[n] = post
            if self.fail and self.fail[0] == "after":  # made, but the answer is lost
                self.fail.pop(0)
                return 500, {"code": "internal_server_error", "message": "Timed out writing"}
            return 201, post
        m = re.fullmatch(r"/posts/(\d+)", path)
        if m:
            post = self.posts.get(int(m.group(1)))
            if post is None:
                return 404, {"code": "rest_post_invalid_id", "message": "Invalid post ID."}
            if method == "GET":
                return 200, post
            if method == "POST":
                data = json.loads(body or b"{}")
                self._write(post, data)
                return 200, post
            if method == "DELETE":
                post["status"] = "trash"
                post["modified_gmt"] = self._tick()
                return 200, post
        return 404, {"code": "rest_no_route", "message": "No route was found."}

    def _write(self, post: dict[str, Any], data: dict[str, Any]) -> None:
        for key in ("title", "content"):
            if key in data:
                post[key] = {"raw": data[key], "rendered": data[key]}
        for key in ("status", "meta", "featured_media"):
            if key in data:
                post[key] = data[key]
        post["modified_gmt"] = self._tick()

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, data: Any) -> None:
        raw = json.dumps(data).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=UTF-8")
        h.send_header("Content-Length", str(len(raw)))
        h.end_headers()
        h.wfile.write(raw)
