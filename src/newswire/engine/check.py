"""Stage 6 — check: the terms, turned into checks with evidence.

Every check looks at the story's *region* of the page: the blocks of the
smallest element that holds all of the story's copied paragraphs (a round-up's
``<section>``, an article's body), widened to take in the headline and byline
above them, and cut where another story's copy begins. A logo or a byline that
belongs to the next story of a round-up is not this story's.

Each check returns a :class:`~.types.Check` whose ``evidence`` is the HTML or
text that satisfied or failed it, so that an editor can see why.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from urllib.parse import SplitResult, parse_qsl, unquote, urlencode, urljoin, urlsplit

from .align import StoryText, headline_changed
from .extract import BYLINE_HINT, CREDIT_VERB
from .photos import HASH_DISTANCE, MAX_LOOKED, Looks, distance
from .types import Alignment, Block, Check, Extracted, Image, Story, StoryImage, Terms

_SIZE_SUFFIX = re.compile(r"-\d{2,5}x\d{2,5}$")  # WordPress and other CMSes: name-300x75.png
# an href whose resolved path may not hold its own last segment: no path of
# its own ("?q", "#top", "https:", "//"), dot segments at its end, or control
# characters (urlsplit strips them at the ends and drops tabs and newlines)
_MAY_RESOLVE_ELSEWHERE = re.compile(
    r"^([A-Za-z][A-Za-z0-9+.-]*:)?(//[^/?#]*)?([?#]|$)|(^|[/:])\.\.?/*([?#]|$)|[\x00-\x1f]"
)
# its three branches apart, so that a link pays for the dot segments' branch only when it
# has a "." where that branch needs one (one search of all three cost more per link than
# the rest of the link check)
_NO_PATH_OF_ITS_OWN = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*:)?(//[^/?#]*)?([?#]|$)")
_DOT_SEGMENT = re.compile(r"(^|[/:])\.\.?/*([?#]|$)")
_CONTROL = re.compile(r"[\x00-\x1f]")


def _may_resolve_elsewhere(href: str, controls: bool = True) -> bool:
    """``_MAY_RESOLVE_ELSEWHERE.search(href)``, branch by branch (``controls``: whether the
    href may hold a control character; a page's links are asked that once, together)."""
    if _NO_PATH_OF_ITS_OWN.match(href):
        return True
    if (href.startswith(".") or "/." in href or ":." in href) and _DOT_SEGMENT.search(href):
        return True
    return controls and _CONTROL.search(href) is not None


_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_|ref$|source$|cmp$|ito$|ncid$)")
_CREDIT_VERB = re.compile(r"^\s*" + CREDIT_VERB, re.DOTALL)


@lru_cache(maxsize=1 << 12)
def fold(text: str) -> str:
    """Case-, accent- and space-insensitive form of a name or phrase."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


@lru_cache(maxsize=1 << 14)  # a page's links are checked once per story it holds
def normalize_url(url: str, base: str = "") -> str:
    """Return a URL in a form where scheme, ``www.``, tracking parameters and a
    trailing slash do not matter."""
    try:
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().removeprefix("www.")
        if host in _AMP_HOSTS or host.endswith(".cdn.ampproject.org"):
            parts = _amp_original(parts) or parts
            host = (parts.hostname or "").lower().removeprefix("www.")
    except ValueError:  # "http://[::1/": not a URL at all, so equal to no other
        return url.strip()
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k.lower()))
    )
    path = parts.path.rstrip("/") or ""
    return f"{host}{path}" + (f"?{query}" if query else "")


#: hosts that serve other sites' AMP pages under their own URL
_AMP_HOSTS = frozenset({"google.com", "bing-amp.com"})  # and any *.cdn.ampproject.org
_AMP_PATH = re.compile(r"^/(?:amp/|[cvi]/)(s/)?([^/]+)(/.*)?$")


def _amp_original(parts: SplitResult) -> SplitResult | None:
    """The page an AMP cache URL serves: ``https://example-com.cdn.ampproject.org/c/s/
    example.com/a`` and ``https://www.google.com/amp/s/example.com/a`` are
    ``https://example.com/a``; None for any other URL of those hosts."""
    m = _AMP_PATH.match(parts.path)
    if m is None:
        return None
    scheme = "https" if m.group(1) else "http"
    return urlsplit(
        f"{scheme}://{m.group(2)}{m.group(3) or ''}" + (f"?{parts.query}" if parts.query else "")
    )


@lru_cache(maxsize=1 << 12)
def file_stem(url: str) -> str:
    """Return an image's file name without its endings (``photo.jpg.webp``), a CMS's size
    or density suffix (``-300x75``, ``@2x``, ``-scaled``) or percent-encoding."""
    try:
        name = unquote(PurePosixPath(urlsplit(url).path).name).lower()
    except ValueError:  # not a URL ("http://[::1/"): no file to name
        return ""
    while "." in name and name.rsplit(".", 1)[1] in _IMAGE_ENDINGS:
        name = name.rsplit(".", 1)[0]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    previous = None
    while previous != stem:
        previous, stem = stem, _SIZE_SUFFIX.sub("", _DENSITY.sub("", stem))
    return stem


_IMAGE_ENDINGS = frozenset(
    {"jpg", "jpeg", "png", "gif", "webp", "avif", "svg", "bmp", "jfif", "tif", "tiff", "heic"}
)
#: a density, scaling or width suffix an image CDN or CMS adds to a file's stem
_DENSITY = re.compile(r"(?:@\d(?:\.\d+)?x|-scaled|[-_]w\d{2,5}|[-_]\d{2,5}w|-e\d{10,13})$")
#: a URL carried inside another: after a scheme, or a path beginning with a host name
_CARRIED_IN_PATH = re.compile(
    r"/((?:https?:)?/{1,2}[^/?#]+\.[a-z]{2,}/[^?#]*|(?:[a-z0-9-]+\.)+[a-z]{2,}(?<!\.png)"
    r"(?<!\.jpg)(?<!\.gif)(?<!\.svg)(?<!\.webp)(?<!\.jpeg)/[^?#]+)",
    re.I,
)
_BASE64ISH = re.compile(r"^[A-Za-z0-9_-]{16,}={0,2}$")


@lru_cache(maxsize=1 << 12)
def carried_urls(url: str) -> tuple[str, ...]:
    """The URLs of the original image an image CDN or resizer carries inside its own URL:
    a query value that is a URL or an image path (``/_next/image?url=%2Fa.png``,
    ``?src=https://…``), a URL in the path (``/fetch/w_300/https://wire.org/a.png``), or a
    path segment that is a URL in base64 (imgproxy). Pages serve the same photo, and the
    wire's logo, through these under any name; the file's stem is read as well."""
    out: list[str] = []
    try:
        parts = urlsplit(url)
    except ValueError:
        return ()
    for _, value in parse_qsl(parts.query):
        value = value.strip()
        if value.startswith(("http://", "https://", "//", "/")) or _IMAGE_FILE.search(value):
            out.append(value)
    path = unquote(parts.path)
    for m in _CARRIED_IN_PATH.finditer(path):
        carried = m.group(1)
        out.append(carried if carried.startswith(("http", "//")) else f"//{carried}")
    for segment in parts.path.split("/"):
        stem = segment.split(".", 1)[0]
        if _BASE64ISH.match(stem):
            try:
                decoded = base64.urlsafe_b64decode(stem + "=" * (-len(stem) % 4)).decode()
            except (ValueError, UnicodeDecodeError):
                continue
            if decoded.startswith(("http://", "https://", "/")):
                out.append(decoded)
    return tuple(dict.fromkeys(u for u in out if u != url))


_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg)(?:$|[?#])", re.I)


# --- the story's region --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Region:
    """The blocks ``lo``..``hi`` of a page that belong to one story."""

    lo: int
    hi: int
    container: tuple[int, ...]  # path of the element that holds the region

    def __contains__(self, index: object) -> bool:
        return isinstance(index, int) and self.lo <= index <= self.hi

    def holds_image(self, image: Image) -> bool:
        return (
            self.lo <= image.position <= self.hi + 1
            and image.path[: len(self.container)] == self.container
        )

    @property
    def blocks(self) -> range:
        return range(self.lo, self.hi + 1)


def _common_prefix(paths: list[tuple[int, ...]]) -> tuple[int, ...]:
    first = paths[0]
    n = len(first)
    for p in paths[1:]:
        n = min(n, len(p))
        for k in range(n):
            if p[k] != first[k]:
                n = k
                break
    return first[:n]


def _span(blocks: tuple[Block, ...], container: tuple[int, ...]) -> tuple[int, int]:
    inside = [b.index for b in blocks if b.path[: len(container)] == container]
    return (inside[0], inside[-1]) if inside else (0, len(blocks) - 1)


_HEADINGS = ("h1", "h2", "h3")


def story_region(
    ex: Extracted, alignment: Alignment, others: list[Alignment] | tuple[Alignment, ...] = ()
) -> Region:
    """Return the region of the page that belongs to the aligned story."""
    blocks = ex.blocks
    matched = list(alignment.blocks)
    if not matched:
        return Region(0, len(blocks) - 1, ())
    first, last = matched[0], matched[-1]
    foreign = sorted(b for o in others if o.story != alignment.story for b in o.blocks)
    container = _common_prefix([blocks[b].path for b in matched])
    lo, hi = _span(blocks, container)
    # widen to take in the heading above the copy (headline, byline) when the
    # copy's container holds only the body, but never over another story's copy
    for _ in range(3):
        if any(blocks[b].tag in _HEADINGS for b in range(lo, first + 1)) or not container:
            break
        wider = container[:-1]
        wlo, whi = _span(blocks, wider)
        if any(wlo <= f <= whi for f in foreign):
            break
        container, lo, hi = wider, wlo, whi
    # cut where another story's copy begins (a round-up without sections)
    before = [f for f in foreign if lo <= f < first]
    after = [f for f in foreign if last < f <= hi]
    if after:
        nxt = after[0]
        heads = [b for b in range(last + 1, nxt) if blocks[b].tag in _HEADINGS]
        hi = heads[-1] - 1 if heads else (last + nxt) // 2
    if before:
        prv = before[-1]
        heads = [b for b in range(prv + 1, first + 1) if blocks[b].tag in _HEADINGS]
        lo = heads[-1] if heads else (prv + first) // 2 + 1
    return Region(lo, max(hi, lo), container)


# --- the checks ----------------------------------------------------------------


def shown_as(image: Image) -> str:
    """An image's HTML as evidence, naming the form it was found in when it is not a
    plain ``<img src>`` (an editor must be able to find it on the page)."""
    return image.html if image.form == "img" else f"{image.html} (shown as {image.form})"


def _urls(image: Image) -> tuple[str, ...]:
    """Every URL an image is shown from, with the originals a CDN's URLs carry."""
    urls = image.urls or (image.src,)
    return urls + tuple(c for u in urls for c in carried_urls(u))


def _is_logo(image: Image, terms: Terms) -> bool:
    logo = terms.logo
    if logo.url:
        target, stem = normalize_url(logo.url), file_stem(logo.url)
        for url in _urls(image):
            if normalize_url(url) == target:
                return True
            if stem and file_stem(url) == stem:
                return True
    alt = fold(image.alt)
    if alt:
        if logo.alt and fold(logo.alt) in alt:
            return True
        if terms.wire and fold(terms.wire) in alt and "logo" in alt:
            return True
        if image.form == "svg" and terms.wire and alt == fold(terms.wire):
            return True  # an SVG wordmark titled with the wire's name: drawn, not a photo
    return False


def check_logo(ex: Extracted, region: Region, terms: Terms) -> Check:
    for image in ex.images:
        if region.holds_image(image) and _is_logo(image, terms):
            return Check("logo", True, shown_as(image))
    return Check("logo", False, "no image of the wire's logo near the story")


def _credits_name(block: Block, names: list[str]) -> str | None:
    """Return the name a block credits as the story's author, if it does."""
    text = fold(block.text)
    for name in names:
        if not name or name not in text:
            continue
        if len(text) > 300:
            continue  # a paragraph that mentions the name, not a credit line
        at = text.find(name)
        before, after = text[:at].strip(), text[at + len(name) :]
        if after.startswith(":"):
            continue  # "NAME: headline" in a list of stories
        if before in ("by", "von", "par", "por", "door", "di", "written by", "words by"):
            return name
        if before == "" and (len(text) < 160 or _CREDIT_VERB.match(after)):
            return name
        if _CREDIT_VERB.match(after) and len(before.split()) <= 3:
            return name
        if BYLINE_HINT.search(block.hint):
            return name
    return None


def find_byline(ex: Extracted, region: Region, story: Story, alignment: Alignment) -> Block | None:
    """Return the block that credits the story's reporter as its author."""
    names = [fold(n) for n in story.reporters if n.strip()]
    copied = set(alignment.blocks)
    for b in region.blocks:
        block = ex.blocks[b]
        if block.chrome >= len(region.container) or b in copied:
            continue  # a related-stories box inside the story's region, or the copy itself
        if _credits_name(block, names):
            return block
    return None


def check_byline(byline: Block | None, ex: Extracted, region: Region) -> Check:
    if byline is not None:
        return Check("byline", True, byline.text)
    # what the page credits instead, if a line in the story's region reads as a byline
    other = next((ex.blocks[b].text for b in ex.bylines if b in region), None)
    if other is not None:
        return Check("byline", False, f"the reporter is not credited; the byline reads: {other}")
    return Check("byline", False, "the reporter is not credited as the author")


def check_affiliation(ex: Extracted, byline: Block | None, terms: Terms) -> Check:
    if "affiliation" in terms.unavailable:
        return Check("affiliation", None, "the terms name no wire")
    if byline is None:
        return Check("affiliation", False, "no byline to carry the affiliation")
    text = fold(byline.text)
    for name in {terms.wire, terms.affiliation}:
        if name and fold(name) in text:
            return Check("affiliation", True, byline.text)
    # the wire's logo directly beside the byline, as in the seed story
    for image in ex.images:
        if image.position in (byline.index, byline.index + 1) and _is_logo(image, terms):
            shared = _common_prefix([image.path, byline.path])
            if len(shared) >= len(byline.path) - 2:
                return Check("affiliation", True, f"{shown_as(image)} {byline.text}")
    return Check("affiliation", False, f"byline without the wire: {byline.text}")


def check_link(ex: Extracted, story: Story, page_url: str) -> Check:
    if not story.canonical_url:
        return Check("link", None, "the story has no canonical URL")
    target = normalize_url(story.canonical_url)
    # Resolving and normalising each of a page's 100-200 links cost more than
    # all the other checks together. A link can only resolve to the target if
    # its href holds the target path's last segment, unless the href takes its
    # path from the page's own URL ("?q", "#top", "..") or carries the tabs and
    # newlines that urlsplit drops: those are never skipped.
    tail = target.split("?", 1)[0].rsplit("/", 1)[-1] if "/" in target else ""
    # whether any of the page's links holds a control character: one search, not one a link
    controls = bool(tail) and _CONTROL.search("".join(link.href for link in ex.links)) is not None
    for link in ex.links:
        href = link.href
        if tail and tail not in href and not _may_resolve_elsewhere(href, controls):
            continue
        if normalize_url(href, page_url) == target:
            return Check("link", True, link.html)
    return Check("link", False, f"no link to {story.canonical_url}")


def check_restricted_media(
    ex: Extracted, story: Story, terms: Terms, looks: Looks | None = None, page_url: str = ""
) -> Check:
    """Whether the page shows one of the story's restricted photos: by its URL or file
    name (through an image CDN's URL too), by the story's credit shown beside an image,
    and, where ``looks`` gives the pictures (pages newswire fetches), by the picture
    itself (:mod:`.photos`)."""
    if "restricted_media" in terms.unavailable:
        return Check("restricted_media", None, "the terms list no restricted credits")
    restricted = [img for img in story.images if img.restricted]
    if not restricted:
        return Check("restricted_media", True, "the story has no restricted photo")
    urls = {normalize_url(img.url) for img in restricted}
    stems = {file_stem(img.url) for img in restricted} - {""}
    credits = [c for img in restricted if (c := _credit_key(img.credit, terms))]
    for n, image in enumerate(ex.images):
        if any(normalize_url(u) in urls or file_stem(u) in stems for u in _urls(image)):
            return Check("restricted_media", False, shown_as(image))
        if credits:
            shown = _credit_near(ex, n)
            said = fold(shown)
            if any(c in said for c in credits):
                return Check("restricted_media", False,
                             f"{shown_as(image)} credited \u201c{shown}\u201d")  # fmt: skip
    if looks is not None:
        found = _looks_like(ex, restricted, terms, looks, page_url)
        if found is not None:
            return found
    return Check(
        "restricted_media", True, f"none of the {len(restricted)} restricted photo(s) used"
    )


def _looks_like(ex: Extracted, restricted: list[StoryImage], terms: Terms, looks: Looks,
                page_url: str) -> Check | None:  # fmt: skip
    """The failing check when one of the page's pictures is one of the restricted photos
    (at most ``MAX_LOOKED`` of the page's images are looked at: not the logo)."""
    wanted = [(img, h) for img in restricted if (h := looks.photo_hash(img.url)) is not None]
    if not wanted:
        return None
    looked = 0
    for image in ex.images:
        if looked >= MAX_LOOKED:
            break
        if image.form == "svg" or _is_logo(image, terms) or not image.src:
            continue
        try:
            url = urljoin(page_url, image.src) if page_url else image.src
        except ValueError:
            continue
        looked += 1
        seen = looks.photo_hash(url)
        if seen is None:
            continue
        for photo, want in wanted:
            bits = distance(seen, want)
            if bits <= HASH_DISTANCE:
                return Check("restricted_media", False,
                             f"{shown_as(image)} is the story's photo {photo.url} "
                             f"(the pictures differ in {bits} of 64 bits of their "
                             f"perceptual hashes)")  # fmt: skip
    return None


_CREDIT_LEAD = re.compile(
    r"^\W*(?:photo(?:graph)?s?|image|picture|foto|credit)?\s*(?:by|:)?\s*", re.I
)


def _credit_key(credit: str, terms: Terms) -> str:
    """What a page's caption must say to name this restricted photo: its credit without
    "Photo by", folded ("samuel brennan getty images"), when it names a photographer as
    well as a restricted source; "" for a credit that is only the agency's name, which a
    republisher's own licensed photo from that agency carries too."""
    key = fold(_CREDIT_LEAD.sub("", credit))
    for source in terms.restricted_credits:
        agency = fold(source)
        if agency and agency in key and key.replace(agency, "").strip():
            return key
    return ""


def credit_lines(ex: Extracted, n: int) -> tuple[int, ...]:
    """The blocks of ``ex`` that are image ``n``'s credit line, as :func:`_credit_near`
    reads them (the short line right after it, or right before it, beside it, with no
    other image between), where a line between two images is the first one's (a credit
    stands under its photo): what the wire reads in its own stories' text to leave a
    restricted photo out with its credit (``wire.partner_copy.partner_body``)."""
    return _lines_beside(ex, n, shared_with_previous=False)


def image_urls(image: Image) -> tuple[str, ...]:
    """Every URL an image is shown from, with the originals a CDN's URLs carry."""
    return _urls(image)


def _credit_near(ex: Extracted, n: int) -> str:
    """The credit text a reader sees with image ``n``: its caption (the figure's
    figcaption), alt and title, and the short line (at most 300 characters) right after
    it or right before it, when that line is beside the image (:func:`_beside`: a credit
    line under a wrapped photo, a "wp-caption-text", a credit above the photo, the next
    row of a table), with no other image between."""
    image = ex.images[n]
    parts = [image.caption, image.alt, image.title]
    parts += [ex.blocks[at].text for at in _lines_beside(ex, n, shared_with_previous=True)]
    return " ".join(p for p in parts if p)


def _lines_beside(ex: Extracted, n: int, *, shared_with_previous: bool) -> tuple[int, ...]:
    """The short lines (at most 300 characters) right after image ``n`` and right before
    it that are beside it (:func:`_beside`), with no other image between. A line right
    after the image before is that image's too when ``shared_with_previous``; otherwise
    it is that image's only."""
    image = ex.images[n]
    previous = ex.images[n - 1].position if n else -1
    following = ex.images[n + 1].position if n + 1 < len(ex.images) else len(ex.blocks) + 1
    out = []
    for at in (image.position, image.position - 1):
        if not 0 <= at < len(ex.blocks):
            continue
        if at < image.position and (
            previous == image.position if shared_with_previous else previous >= at
        ):
            continue  # another image stands between (or, not shared: the line is its own)
        if at >= image.position and following == image.position:
            continue
        block = ex.blocks[at]
        if len(block.text) <= 300 and _beside(block.path, image.path):
            out.append(at)
    return tuple(out)


def _beside(block: tuple[int, ...], image: tuple[int, ...]) -> bool:
    """Whether a block is beside an image: within the element that holds the image or the
    two around it (a credit under a wrapped photo; a table's next row: cell, row, table
    body)."""
    shared = len(_common_prefix([block, image]))
    return shared >= max(len(image) - 2, 1)


def check_unedited(
    st: StoryText, ex: Extracted, region: Region, alignment: Alignment, terms: Terms
) -> tuple[Check, bool]:
    """Return the ``unedited`` check and whether the headline was changed."""
    a = alignment
    retitled = headline_changed(st, ex.blocks, region.blocks)
    problems: list[str] = []
    if a.dropped_start:
        problems.append(f"{a.dropped_start} words dropped from the start")
    if a.changed or a.inserted:
        problems.append(f"{a.changed} story words changed or cut, {a.inserted} words inserted")
    if a.dropped_end and not (a.trimmed_end_only and "trim_end" in terms.allowed_edits):
        problems.append(f"{a.dropped_end} words cut from the end mid-paragraph")
    if retitled and "headline" not in terms.allowed_edits:
        problems.append("headline changed")
    if problems:
        return Check("unedited", False, "; ".join(problems)), retitled
    note = "verbatim"
    if a.dropped_end:
        note = f"trimmed to {a.paragraphs_kept} of {a.paragraphs_total} paragraphs"
    if retitled:
        note += ", new headline"
    return Check("unedited", True, note), retitled


def check_canonical(ex: Extracted, story: Story, page_url: str, terms: Terms,
                    robots_header: str = "") -> Check:  # fmt: skip
    """The copy points search engines at the original, as the terms ask (``terms.canonical``):

    ``link``: its ``<link rel="canonical">`` is the story's URL; ``noindex``: it is kept
    out of search engines (a robots meta tag, or an ``X-Robots-Tag`` header where the
    headers are at hand); ``either``. Google's advice for syndicated copies moved from
    the first to the second in 2023; the terms choose. A canonical link cannot travel in
    pasted body HTML: the partner's CMS must set it (see the republish page).
    """
    mode = terms.canonical
    if not story.canonical_url and mode == "link":
        return Check("canonical", None, "the story has no canonical URL")
    said: list[str] = []
    if mode in ("link", "either") and story.canonical_url:
        if ex.canonical and normalize_url(ex.canonical, page_url) == normalize_url(
            story.canonical_url
        ):
            return Check("canonical", True, f'<link rel="canonical" href="{ex.canonical}">')
        said.append(f'its canonical link points to {ex.canonical}' if ex.canonical
                    else "it has no canonical link")  # fmt: skip
    if mode in ("noindex", "either"):
        for where, value in (("robots meta tag", ex.robots), ("X-Robots-Tag", robots_header)):
            if "noindex" in value.lower().replace(" ", "").split(",") or "none" in value.lower():
                return Check("canonical", True, f"{where}: {value}")
        said.append("it is not marked noindex")
    want = {"link": f"a canonical link to {story.canonical_url}", "noindex": "noindex",
            "either": f"a canonical link to {story.canonical_url} or noindex"}[mode]  # fmt: skip
    return Check("canonical", False, f"the terms ask for {want}; {' and '.join(said)}")


def verdict(checks: tuple[Check, ...], terms: Terms) -> tuple[bool, tuple[str, ...]]:
    """(whether the copy is compliant, the names of the checks that are advisory): the
    checks the terms require decide; one the terms lack what it needs (None) does not
    count against the copy, and the others are reported, never held against it."""
    compliant = all(c.passed for c in checks if c.name in terms.required and c.passed is not None)
    return compliant, tuple(c.name for c in checks if c.name not in terms.required)


def run_checks(
    st: StoryText,
    ex: Extracted,
    alignment: Alignment,
    terms: Terms,
    page_url: str,
    others: list[Alignment] | tuple[Alignment, ...] = (),
    robots_header: str = "",
    looks: Looks | None = None,
) -> tuple[tuple[Check, ...], bool]:
    """Run every check for one story on one page; return the checks and the headline change."""
    story = st.story
    region = story_region(ex, alignment, others)
    if "logo" in terms.unavailable:
        logo = Check("logo", None, "the terms give no logo")
    else:
        logo = check_logo(ex, region, terms)
    byline_block = find_byline(ex, region, story, alignment)
    unedited, retitled = check_unedited(st, ex, region, alignment, terms)
    checks: tuple[Check, ...] = (
        logo,
        check_byline(byline_block, ex, region),
        check_affiliation(ex, byline_block, terms),
        check_link(ex, story, page_url),
        check_restricted_media(ex, story, terms, looks, page_url),
        unedited,
    )
    if terms.canonical:
        checks += (check_canonical(ex, story, page_url, terms, robots_header),)
    return checks, retitled
