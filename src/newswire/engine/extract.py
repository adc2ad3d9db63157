"""Stage 2 — extract: from a page's bytes to text, blocks, images and links.

Two speeds, as the pipeline needs them:

* :func:`parse` decodes the bytes (declared charset, ``<meta>`` charset, UTF-8,
  then windows-1252), refuses pages that would cost too much (markup nested
  thousands deep makes lexbor quadratic), and parses once with selectolax's
  lexbor backend. :func:`quick_text` takes the visible text for fingerprinting.
* :func:`extract` walks the same tree once more, only for pages that the
  index says may hold a story, and returns :class:`~.types.Extracted`: blocks
  in reading order (with their enclosing elements, so that a story's region
  of the page can be found), images and links with the HTML that carries them.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .errors import PageError
from .types import Block, Extracted, Image, Link, Page

#: Nesting deeper than this is refused before parsing (lexbor is quadratic in depth).
MAX_DEPTH = 2000

_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "head", "select"})
_BLOCK = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "td", "th",
        "pre", "dd", "dt", "div", "section", "article", "header", "footer", "aside", "nav",
        "main", "ul", "ol", "table", "tr", "figure", "form", "br", "hr", "address", "caption",
        "details", "summary", "dl", "title", "body", "center",
    }
)  # fmt: skip
_CHROME_TAGS = frozenset({"nav", "aside", "form", "menu", "button"})
# A class or id token that names one of these marks page chrome. The list is
# short on purpose: article bodies carry classes such as "entry share" or
# "has-sidebar", and treating a body as chrome loses the whole copy.
_CHROME_WORDS = re.compile(
    r"(?:^|\s)(related|related-\S*|\S*-related|comments?|comment-\S*|sidebar|breadcrumbs?|"
    r"more-from\S*)(?:\s|$)"
)
_NEVER_CHROME = frozenset({"html", "body", "main", "article"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_TAG = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9]*)[^>]*?(/?)>")
_VOID = frozenset(
    b"area base br col embed hr img input link meta source track wbr p li td th tr option "
    b"dt dd".split()
)


_UTF8 = frozenset({"utf-8", "utf8", "unicode-1-1-utf-8"})
_LATIN = frozenset(
    {"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii"}
)


def declared_charset(page: Page) -> str | None:
    """Return the charset the HTTP header or the page's ``<meta>`` declares, lower-cased."""
    if page.charset:
        return page.charset.lower()
    meta = _META_CHARSET.search(page.body[:4096])
    return meta.group(1).decode("ascii", "ignore").lower() if meta else None


def decode(page: Page) -> str:
    """Return the page's text, trusting a declared charset only if the bytes agree with it.

    UTF-8 bytes under a Latin label are UTF-8 (cp1252 text is almost never
    valid UTF-8); undeclared or lying pages fall back to windows-1252, which
    is what undeclared Western pages most often are (WHATWG treats latin-1 as
    an alias of it); undefined bytes become U+FFFD.
    """
    body = page.body
    declared = declared_charset(page)
    order = ["utf-8"] if declared in _UTF8 or declared in _LATIN or not declared else []
    order += [declared] if declared and declared not in _UTF8 else []
    for name in order:
        try:
            return body.decode(name or "utf-8").replace("\x00", "")
        except (LookupError, UnicodeDecodeError):
            continue  # a lying or unknown charset: try the next
    return body.decode("cp1252", errors="replace").replace("\x00", "")


def nesting_depth(body: bytes) -> int:
    """Estimate how deep the page's elements nest (only paid for pages with many tags)."""
    depth = deepest = 0
    for m in _TAG.finditer(body):
        closing, name, self_closing = m.groups()
        if self_closing or name.lower() in _VOID:
            continue
        depth += -1 if closing else 1
        deepest = max(deepest, depth)
    return deepest


def parse(page: Page, *, max_depth: int = MAX_DEPTH) -> tuple[LexborHTMLParser, str]:
    """Decode and parse a page; return the tree and its visible text.

    Raise :class:`PageError` for pages the engine will not parse. The common
    case costs one parse: bytes that are (or claim to be) UTF-8 go to lexbor as
    they are, and only a page whose text comes out with U+FFFD, or that
    declares another charset, is decoded here first.
    """
    body = page.body
    if b"\x00" in body[:1024] and body.count(b"\x00") > len(body) // 10:
        raise PageError("binary data, not HTML", reason="not_html")
    # 10,000 tags take at least 30 kB; only a page that large can nest deep enough to matter
    if len(body) > 30_000 and body.count(b"<") > 10_000:
        depth = nesting_depth(body)
        if depth > max_depth:
            raise PageError(
                f"markup nested {depth} levels deep (limit {max_depth})", reason="too_deep"
            )
    head = body[:4096].lstrip()
    if head and not head.startswith((b"<", b"\xef\xbb\xbf<")):
        # only a page that does not open with markup pays for this look
        start = body[:65536].lower()
        if b"<html" not in start and b"<p" not in start and b"<div" not in start:
            raise PageError("no HTML markup", reason="not_html")
    declared = declared_charset(page)
    if declared is None or declared in _UTF8:
        tree = LexborHTMLParser(body.replace(b"\x00", b"") if b"\x00" in body else body)
        text = quick_text(tree)
        if "\ufffd" not in text:
            return tree, text
    tree = LexborHTMLParser(decode(page).encode("utf-8"))
    return tree, quick_text(tree)


def quick_text(tree: LexborHTMLParser) -> str:
    """Return the page's visible text, fast: scripts, styles and templates removed."""
    tree.strip_tags(["script", "style", "noscript", "template", "svg"])
    root = tree.body or tree.root
    return root.text(separator=" ") if root is not None else ""


def _image_src(attrs: dict[str, str | None]) -> str:
    for key in ("src", "data-src", "data-lazy-src", "data-original"):
        value = attrs.get(key) or ""
        if value and not value.startswith("data:"):
            return value.strip()
    return ""


def _is_chrome(tag: str, words: str) -> bool:
    if tag in _CHROME_TAGS:
        return True
    return bool(words) and tag not in _NEVER_CHROME and _CHROME_WORDS.search(words) is not None


def extract(tree: LexborHTMLParser) -> Extracted:
    """Walk the parsed page once and return its blocks, images and links in reading order."""
    blocks: list[Block] = []
    images: list[Image] = []
    links: list[Link] = []
    buf: list[str] = []
    path: list[int] = []  # ids of open elements
    tags: list[str] = []
    hints: list[str] = []
    chrome: list[int] = []  # path depths of the open chrome elements
    next_id = 0

    def flush() -> None:
        if not buf:
            return
        text = " ".join("".join(buf).split())
        buf.clear()
        if text:
            tag = next((t for t in reversed(tags) if t in _BLOCK), "")
            hint = next((h for h in reversed(hints) if h), "")
            depth = chrome[-1] if chrome else -1
            blocks.append(Block(len(blocks), text, tag, tuple(path), depth, hint))

    root = tree.body or tree.root
    if root is None:
        return Extracted("", (), (), ())
    # explicit stack of (node, entering): pages nest deeper than Python recursion allows
    stack: list[tuple[LexborNode, bool]] = [(root, True)]
    while stack:
        node, entering = stack.pop()
        tag = node.tag or ""
        if not entering:
            if tag in _BLOCK:
                flush()
            hints.pop()
            tags.pop()
            path.pop()
            if chrome and chrome[-1] == len(path):
                chrome.pop()
            continue
        if tag == "-text":
            buf.append(node.text_content or "")
            continue
        if tag.startswith(("-", "_")) or tag in _SKIP:
            continue
        if tag in _BLOCK:
            flush()
        attrs = node.attributes
        if tag == "img":
            src = _image_src(attrs)
            if src:
                alt = attrs.get("alt") or ""
                images.append(Image(src, alt, len(blocks), tuple(path), node.html or ""))
            continue
        if tag == "a":
            href = (attrs.get("href") or "").strip()
            if href:
                text = " ".join(node.text(separator=" ").split())
                links.append(Link(href, text, len(blocks), (node.html or "")[:500]))
        words = " ".join(v for k, v in attrs.items() if k in ("class", "id") and v).lower()
        if _is_chrome(tag, words):
            chrome.append(len(path))
        next_id += 1
        path.append(next_id)
        tags.append(tag)
        hints.append(words)
        stack.append((node, False))
        kids = []
        child = node.child
        while child is not None:
            kids.append((child, True))
            child = child.next
        kids.reverse()
        stack.extend(kids)
    flush()
    title_node = tree.css_first("title")
    title = " ".join(title_node.text().split()) if title_node is not None else ""
    canonical = ""
    for link in tree.css("link[rel]"):
        if "canonical" in (link.attributes.get("rel") or "").lower().split():
            canonical = (link.attributes.get("href") or "").strip()
            break
    return Extracted(title, tuple(blocks), tuple(images), tuple(links), canonical)
