"""Evidence an editor can forward: a copy as a reader saw it, taken in Chromium, with the
elements the checks looked at outlined (the logo in green, the byline in blue, the link
back in purple, a restricted photo in red).

Chromium (Debian's ``chromium``, driven by Playwright; never a downloaded browser) loads
the page, but every request it makes is answered by newswire's safe fetcher: public
addresses only, at most :data:`MAX_REQUESTS` requests and :data:`MAX_BYTES` in all, no
other scheme than http(s); what the fetcher refuses is not loaded, and the screenshot
says how many. No script of the page reaches the network by itself.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile

from ..fetch import FetchError, FetchPolicy, SafeClient
from ..wire.models import Terms
from .models import CopyScreenshot, Pickup

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

MAX_REQUESTS = 150
MAX_BYTES = 30 * 1024 * 1024
#: the page as a desktop reader sees it (the reader view reads pages at the same width)
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
#: a screenshot no taller than this (px): the story, not an endless page
MAX_HEIGHT = 6000
COLOURS = {"logo": "#0a7d28", "byline": "#1f4fd1", "link": "#7a1fa2",
           "restricted photo": "#c00000"}  # fmt: skip


class ScreenshotError(Exception):
    """A screenshot that could not be taken, in words."""


def chromium_path() -> str:
    return str(getattr(settings, "NEWSWIRE_CHROMIUM", "") or os.environ.get(
        "NEWSWIRE_CHROMIUM", "/usr/bin/chromium"))  # fmt: skip


def unavailable() -> str | None:
    """Why screenshots cannot be taken on this machine (None: they can)."""
    if importlib.util.find_spec("playwright") is None:
        return ("screenshots need Playwright: pip install 'newswire[browser]' "
                "(it drives Debian's chromium; no browser is downloaded)")  # fmt: skip
    if not Path(chromium_path()).exists():
        return (f"screenshots need Chromium at {chromium_path()} (apt install chromium, "
                "or set NEWSWIRE_CHROMIUM)")  # fmt: skip
    return None


_SRC = re.compile(r"""\bsrc=["']?([^"'\s>]+)""")
_HREF = re.compile(r"""\bhref=["']?([^"'\s>]+)""")


def targets(pickup: Pickup) -> dict[str, Any]:
    """What to outline, from the copy's evidence and the terms."""
    from ..engine.check import file_stem

    terms = Terms.current()
    logo = {"url": terms.logo_src(), "alt": terms.logo_alt}
    evidence = pickup.evidence or {}
    photos = []
    if pickup.checks.get("restricted_media") is False:
        photos = _SRC.findall(evidence.get("restricted_media") or "")
    byline = evidence.get("byline", "") if pickup.checks.get("byline") else ""
    links = _HREF.findall(evidence.get("link") or "") if pickup.checks.get("link") else []
    return {
        "logo_stem": file_stem(logo.get("url") or ""),
        "logo_alt": (logo.get("alt") or "").lower(),
        "byline": " ".join(byline.split())[:300],
        "photos": [p for p in photos if p],
        "links": [h for h in links if h],
    }


#: the script that outlines what the checks looked at (``outline.js``, beside this module)
OUTLINE = Path(__file__).with_name("outline.js")


def take(pickup: Pickup) -> CopyScreenshot:
    """Take and keep a screenshot of the copy; raise :class:`ScreenshotError` in words."""
    why = unavailable()
    if why:
        raise ScreenshotError(why)
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    # read from the database before Playwright runs its event loop in this thread (Django
    # refuses a query from inside one)
    wanted = {**targets(pickup), "colours": COLOURS}
    url_to_load = pickup.url
    client = SafeClient(FetchPolicy.from_settings(settings))
    counts = {"requests": 0, "refused": 0, "bytes": 0}

    def answer(route: Any) -> None:
        url = route.request.url
        if not url.startswith(("http://", "https://")) or route.request.method != "GET":
            counts["refused"] += 1
            route.abort()
            return
        if counts["requests"] >= MAX_REQUESTS or counts["bytes"] >= MAX_BYTES:
            counts["refused"] += 1
            route.abort()
            return
        try:
            fetched = client.get(url)
        except FetchError:
            counts["refused"] += 1
            route.abort()
            return
        counts["requests"] += 1
        counts["bytes"] += len(fetched.body)
        route.fulfill(status=fetched.status, body=fetched.body,
                      content_type=fetched.headers.get("content-type") or "")  # fmt: skip

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
            try:
                page = browser.new_page(viewport=VIEWPORT, java_script_enabled=True)
                page.route("**/*", answer)
                page.goto(url_to_load, wait_until="load", timeout=45_000)
                page.wait_for_timeout(500)  # lazy images a script swaps in
                marks = page.evaluate(_script(), wanted)
                height = page.evaluate("() => document.documentElement.scrollHeight")
                shot = page.screenshot(
                    full_page=True, animations="disabled",
                    clip={"x": 0, "y": 0, "width": VIEWPORT["width"],
                          "height": max(1, min(int(height), MAX_HEIGHT))},
                )  # fmt: skip
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise ScreenshotError(f"Chromium could not show {pickup.url}: "
                              f"{str(exc).splitlines()[0]}") from None  # fmt: skip
    finally:
        client.close()
    kept = CopyScreenshot(pickup=pickup, url=pickup.url[:2000],
                          outlined=[{"what": m, "colour": COLOURS[m]} for m in marks],
                          requests=counts["requests"], refused=counts["refused"])  # fmt: skip
    kept.image.save(f"copy-{pickup.pk}.png", ContentFile(shot), save=True)
    return kept


def _script() -> str:
    """``outline.js`` without its comment lines (Playwright takes the text as a function)."""
    lines = OUTLINE.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("//"))
