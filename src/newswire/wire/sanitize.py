"""Story bodies are HTML from editors, CMS feeds and imports: clean them on the way in.

nh3 (Rust's ammonia) keeps the text-level and structural tags a story uses
and drops ``<script>``, ``<style>``, ``<iframe>``, event attributes
(``onclick``…) and ``javascript:`` URLs.
"""

from __future__ import annotations

import html as _html
import re

import nh3

_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|div|blockquote|td|th|figcaption)\s*>|<br\s*/?>", re.I)

TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "blockquote", "q", "cite",
    "ul", "ol", "li", "dl", "dt", "dd", "strong", "b", "em", "i", "u", "s",
    "sub", "sup", "small", "mark", "abbr", "code", "pre", "a", "figure",
    "figcaption", "img", "table", "thead", "tbody", "tr", "th", "td", "caption",
    "span", "div", "time",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "time": {"datetime"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "blockquote": {"cite"},
    "q": {"cite"},
}


def clean_html(html: str) -> str:
    """Return ``html`` with everything but safe story markup removed."""
    return nh3.clean(
        html or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
        strip_comments=True,
        # dropped with what they hold: an <iframe>'s fallback is raw text to an HTML parser
        # ("&lt;b&gt;" shown as written), and no reader of the page sees it anyway
        clean_content_tags={"script", "style", "iframe", "template"},
    ).strip()


def text_of(html: str) -> str:
    """Return the plain text of an HTML fragment (for summaries and search)."""
    spaced = _BLOCK_END.sub(" ", html or "")
    return " ".join(_html.unescape(nh3.clean(spaced, tags=set())).split())


_CONTROLS = dict.fromkeys([*range(32), 127, *range(128, 160)])
_CONTROLS.update({ord(c): " " for c in "\t\n\r\v\f\x85\u2028\u2029"})


def holds_breaks(text: str) -> bool:
    """Whether ``text`` holds a line break or another control character (not one line)."""
    return str(text).translate(_CONTROLS) != str(text)


def one_line(text: str) -> str:
    """A headline (or a subject) as one line: line breaks and tabs become spaces, other
    control characters go, runs of spaces are one. An e-mail subject that carries it cannot
    be refused for a line break, and no page shows a character it cannot draw."""
    return " ".join(str(text).translate(_CONTROLS).split())
