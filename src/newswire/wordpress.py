"""One client of WordPress's REST API (``/wp-json/wp/v2``) for both ways newswire talks to a
WordPress: reading a newsroom's posts (``cms.poll``) and pushing stories to a partner's
(``distribution.wordpress``).

- Every request goes through the one safe fetcher (:class:`~newswire.fetch.SafeClient`:
  public addresses only, size and time caps), given by the caller with the limits its
  work needs.
- An application password (:func:`basic_auth`) goes to the site's own origin only: a
  redirect to another origin is not followed, and the error says where it pointed.
- :meth:`RestClient.call` is for the push's calls (create, update, take down, upload): it
  gives the JSON answer or raises :class:`WordPressError` in words for the partner's log.
  :meth:`RestClient.pages` reads a list (the newsroom's posts) page by page in a total
  order, each page starting a little before the last one ended, until WordPress's own
  count (``X-WP-Total``) is reached; :meth:`RestClient.read` gets one list page or post.

Written by hand on httpx through the safe fetcher, not with a WordPress client library:
the few calls needed are plain REST, and every request must go through the one fetcher.
Pure Python (no Django): the import-linter contract that holds the engine and the fetcher
holds this module too.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .fetch import Fetched, FetchError, SafeClient

#: of the list a page asks for, how many posts overlap the page before (a post deleted or
#: unpublished between two requests moves the rest back by one, and none is skipped for it)
OVERLAP = 10

_NOT_JSON = object()


class WordPressError(Exception):
    """A request WordPress refused or could not answer, in words for whoever reads the log
    (an editor for a source, a partner for a push)."""


@dataclass
class Answer:
    status: int
    data: Any


def basic_auth(user: str, password: str) -> dict[str, str]:
    """The Authorization header of a WordPress user's application password."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


_TAG = re.compile(r"<[^>]+>")


def plain(rendered: Any) -> str:
    """WordPress's ``{"rendered": "<p>…</p>"}`` (or a string) as plain text."""
    if isinstance(rendered, dict):
        rendered = rendered.get("rendered", "")
    return " ".join(html.unescape(_TAG.sub(" ", str(rendered or ""))).split())


def error_message(data: Any) -> str:
    """The message of a WordPress error object (``{"code", "message", "data"}``), or ""."""
    if isinstance(data, dict) and "code" in data and "message" in data:
        return f"WordPress error {data.get('code')}: {plain(data.get('message'))}"
    return ""


def refusal(url: str, got: Fetched) -> str:
    """What an answer that is not 2xx says: "URL: HTTP status", with WordPress's own words
    when its body is a WordPress error object (a feed or ninjs endpoint's too)."""
    detail = ""
    with contextlib.suppress(ValueError, RecursionError):  # not JSON: the status says it all
        detail = error_message(json.loads(got.body[:65536]))
    return f"{url}: HTTP {got.status}" + (f" ({detail})" if detail else "")


FETCH_WORDS = {
    "unresolvable": "the site's address was not found",
    "unreachable": "no answer from the site",
    "timeout": "the site took too long to answer",
    "blocked_address": "the address is not a public one",
    "bad_url": "not an address newswire can reach",
    "too_large": "the answer was too large",
}


def http_words(status: int, said: str) -> str:
    what = {
        401: "WordPress refused the user name or application password",
        403: "the user may not do this on the site (its role needs to edit and publish posts)",
        404: "no WordPress REST API at this address (or the post is gone)",
        413: "the site refused the file as too large",
    }.get(status, f"the site answered HTTP {status}")
    return f"{what}{f' ({said})' if said else ''}"


class RestClient:
    """WordPress's REST API at ``api_root`` (``https://site/wp-json/``), through ``http``,
    as the user whose ``auth`` header is given (none: what anyone may read)."""

    def __init__(self, api_root: str, http: SafeClient,
                 auth: Mapping[str, str] | None = None) -> None:  # fmt: skip
        self.root = api_root.rstrip("/") + "/"
        self.base = self.root + "wp/v2"
        self.http = http
        self.auth = dict(auth or {})
        #: the URL of the last page :meth:`pages` read before it stopped at its limit
        self.stopped_at = ""

    def url(self, path: str, params: Mapping[str, str] | None = None) -> str:
        return f"{self.base}/{path.lstrip('/')}" + (f"?{urlencode(params)}" if params else "")

    def get(self, url: str) -> Fetched:
        """GET ``url`` as JSON, whatever the status (the caller reads it)."""
        headers = {"Accept": "application/json", **self.auth}
        # the password goes to the site's own origin only: a redirect elsewhere stops here
        return self.http.request("GET", url, headers=headers, same_origin=bool(self.auth))

    def read(self, url: str) -> Fetched:
        """GET ``url``; raise :class:`WordPressError` ("URL: HTTP status (WordPress's
        words)") unless it answered 2xx."""
        got = self.get(url)
        if 200 <= got.status < 300:
            return got
        raise WordPressError(refusal(url, got))

    def pages(self, path: str, query: Mapping[str, str], *,
              max_pages: int) -> Iterator[tuple[str, Fetched]]:  # fmt: skip
        """The list at ``path``, page by page, in a total order (by id: WordPress orders by
        ``modified`` with ties in no set order, and posts that share a second moved between
        pages and were never seen), each page starting :data:`OVERLAP` posts before the last
        one ended (``offset``), until WordPress's count (``X-WP-Total``) is reached or
        ``max_pages`` were read (then :attr:`stopped_at` says where)."""
        offset, pages, per_page = 0, 0, int(query.get("per_page", "10"))
        self.stopped_at = ""
        while True:
            url = self.url(path, {**query, "orderby": "id", "order": "asc",
                                  "offset": str(offset)})  # fmt: skip
            got = self.read(url)
            yield url, got
            pages += 1
            count = _listed_count(got.body)
            total = got.headers.get("x-wp-total", "")
            if count == 0 or (offset + count >= int(total) if total.isdigit()
                              else count < per_page):  # fmt: skip
                return
            offset += count - min(OVERLAP, count // 3)
            if pages >= max_pages:
                self.stopped_at = url
                return

    def call(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
             headers: dict[str, str] | None = None) -> Answer:  # fmt: skip
        """One call (``path`` under ``/wp/v2``, e.g. ``/posts``); the JSON answer, or
        :class:`WordPressError` in words for the partner's log."""
        sent = {"Accept": "application/json", **self.auth, **(headers or {})}
        content = raw
        if body is not None:
            sent["Content-Type"] = "application/json"
            content = json.dumps(body).encode()
        try:
            got = self.http.request(method, self.base + path, headers=sent, content=content,
                                    same_origin=True)  # fmt: skip
        except FetchError as exc:
            if exc.reason == "cross_origin":
                target = exc.message.removeprefix("it redirects to ")
                root = target.split("/wp-json", 1)[0].split("?", 1)[0].rstrip("/")
                raise WordPressError(
                    f"the site redirects to {root or target}, another address than the one "
                    f"connected; connect that address (nothing was sent there)"
                ) from None
            said = FETCH_WORDS.get(exc.reason, exc.reason)
            raise WordPressError(f"{said}: {exc.message}") from None
        try:
            data = json.loads(got.body or b"null")
        except ValueError:
            data = _NOT_JSON
        if got.status >= 400:
            message = data.get("message") if isinstance(data, dict) else ""
            raise WordPressError(http_words(got.status, str(message or "")[:300]))
        if data is _NOT_JSON:
            raise WordPressError(
                f"the site answered HTTP {got.status} with something that is not JSON "
                f"({got.content_type or 'no content type'}): not as WordPress's REST API does"
            )
        return Answer(got.status, data)


def _listed_count(body: bytes) -> int:
    try:
        data = json.loads(body or b"[]")
    except (ValueError, RecursionError):
        return 0
    return len(data) if isinstance(data, list) else 0
