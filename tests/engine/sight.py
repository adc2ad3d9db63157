"""A generated corpus of pages, and Chromium as the judge of what a reader sees on them.

Each principle of ``docs/checks.md`` ("What a reader sees") has its forms here, at least
ten each: the logo, the byline or a photo hidden by each mechanism (and near misses that
stay in sight), the logo shown by each image form, the story's restricted photo
re-hosted under a neutral name and identified by its credit in each way, or by the
picture alone (resized, re-encoded, cropped). Every form is placed once on a bare page
and once inside a real page of the dev corpus (its markup and its own CSS, scripts
removed), when ``../shared`` is here.

The judge: Chromium (Debian's, driven by Playwright, every request answered in process,
nothing from the network) loads the page at 1280x800 and, for each judged element, the
pixels of its box are taken with the element drawn and with it made transparent; it is
seen when they differ (a box off the page has no pixels: not seen). What the browser
shows is the truth; the static reader view and the checks are measured against it.
"""

from __future__ import annotations

import base64
import contextlib
import io
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from PIL import Image as Picture
from PIL import ImageDraw, ImageEnhance

WIRE = "Plainfield News Service"
LOGO = "https://plainfieldnews.org/static/brand/pns-logo-2x.png"
PHOTO = "https://plainfieldnews.org/media/GettyImages-111.jpg"  # the story's restricted photo
CREDIT = "Photo by Ana Ruiz/Getty Images"
BYLINE_TEXT = f"By Grace Nakamura, Education Reporter, {WIRE}"
REHOSTED = "https://copy.example/uploads/2024/05/img_4821.jpg"
VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM = Path("/usr/bin/chromium")


# --- pictures ---------------------------------------------------------------------------


def _photo(seed: int, size: tuple[int, int] = (640, 400)) -> Picture.Image:
    """A photo-like picture (gradients and shapes), different for each seed."""
    rng = random.Random(seed)
    w, h = size
    img = Picture.new("RGB", size)
    draw = ImageDraw.Draw(img)
    top = tuple(rng.randrange(256) for _ in range(3))
    bottom = tuple(rng.randrange(256) for _ in range(3))
    for y in range(h):
        t = y / h
        draw.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    for _ in range(14):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        x1, y1 = x0 + rng.randrange(40, 260), y0 + rng.randrange(40, 200)
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)([x0, y0, x1, y1], fill=colour)
    return img


def _encode(img: Picture.Image, fmt: str = "PNG", **kw: Any) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **kw)
    return out.getvalue()


def _logo() -> bytes:
    img = Picture.new("RGB", (200, 50), (12, 60, 140))
    draw = ImageDraw.Draw(img)
    draw.rectangle([8, 8, 42, 42], fill=(250, 200, 20))
    draw.text((52, 18), "PLAINFIELD NEWS", fill=(255, 255, 255))
    return _encode(img)


ORIGINAL = _photo(111)
PICTURES: dict[str, bytes] = {
    "logo": _logo(),
    "photo": _encode(ORIGINAL, "JPEG", quality=90),
    "grey": _encode(Picture.new("RGB", (40, 30), (200, 200, 200))),
}


def _variant(name: str) -> bytes:
    """The restricted photo changed as a republisher's CMS changes it."""
    w, h = ORIGINAL.size
    changes = {
        "half": lambda: _encode(ORIGINAL.resize((w // 2, h // 2)), "JPEG", quality=80),
        "quarter": lambda: _encode(ORIGINAL.resize((w // 4, h // 4)), "JPEG", quality=75),
        "larger": lambda: _encode(ORIGINAL.resize((w * 3 // 2, h * 3 // 2)), "JPEG"),
        "q40": lambda: _encode(ORIGINAL, "JPEG", quality=40),
        "webp": lambda: _encode(ORIGINAL, "WEBP", quality=70),
        "png": lambda: _encode(ORIGINAL, "PNG"),
        "crop": lambda: _encode(ORIGINAL.crop((8, 5, w - 8, h - 5)), "JPEG"),
        "bright": lambda: _encode(ImageEnhance.Brightness(ORIGINAL).enhance(1.1), "JPEG"),
        "contrast": lambda: _encode(ImageEnhance.Contrast(ORIGINAL).enhance(0.9), "JPEG"),
        "thumb": lambda: _encode(ORIGINAL.resize((320, 200)), "WEBP", quality=60),
        "sharper": lambda: _encode(ImageEnhance.Sharpness(ORIGINAL).enhance(2.0), "JPEG"),
    }
    return changes[name]()


def picture_for(url: str) -> bytes | None:
    """The bytes served for an image URL of the corpus (None: not an image of it)."""
    plain = unquote(url)
    for segment in plain.split("/"):  # imgproxy's base64 source URL
        stem = segment.split(".", 1)[0]
        if len(stem) > 16 and re.fullmatch(r"[A-Za-z0-9_-]+", stem):
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                plain += " " + base64.urlsafe_b64decode(stem + "=" * (-len(stem) % 4)).decode()
    if "pns-logo" in plain:
        return PICTURES["logo"]
    if "GettyImages-111" in plain or "img_4821" in plain:
        return PICTURES["photo"]
    m = re.search(r"rehost-(\w+)\.", plain)
    if m:
        key = f"variant-{m.group(1)}"
        if key not in PICTURES:
            PICTURES[key] = _variant(m.group(1))
        return PICTURES[key]
    m = re.search(r"other-(\d+)\.", plain)
    if m:
        key = f"other-{m.group(1)}"
        if key not in PICTURES:
            PICTURES[key] = _encode(_photo(int(m.group(1))), "JPEG")
        return PICTURES[key]
    if re.search(r"\.(png|jpe?g|gif|webp|svg)(\?|$)", plain, re.I):
        return PICTURES["grey"]
    return None


# --- the forms ----------------------------------------------------------------------------

LOGO_IMG = f'<img data-judge="logo" src="{LOGO}" alt="" width="200" height="50">'
BYLINE = f'<p class="byline" data-judge="byline">{BYLINE_TEXT}</p>'
LAZY = (
    "<script>document.addEventListener('DOMContentLoaded',function(){document.querySelectorAll"
    "('img[data-src]').forEach(function(i){i.src=i.dataset.src})})</script>"
)
# what a theme's scroll script does: images fade in as they come into view
REVEAL = (
    "<script>document.addEventListener('DOMContentLoaded',function(){document.querySelectorAll"
    "('.w img').forEach(function(i){i.classList.add('visible')})})</script>"
)
# what the AMP runtime does to an <amp-img> (the runtime is on a CDN: not reachable here)
AMP = (
    "<script>document.addEventListener('DOMContentLoaded',function(){document.querySelectorAll"
    "('amp-img').forEach(function(a){var i=document.createElement('img');i.src=a.getAttribute"
    "('src');i.width=a.getAttribute('width');i.height=a.getAttribute('height');"
    "a.appendChild(i)})})</script><style>amp-img{display:inline-block}</style>"
)


@dataclass(frozen=True)
class Form:
    """One way of showing or hiding: the page's CSS, its attribution markup, and what a
    reader sees of it as the form is built (the browser has the last word)."""

    principle: str
    name: str
    css: str = ""
    attribution: str = f"<div class=\"brand\">{LOGO_IMG}</div>{BYLINE}"
    photo: str = ""
    script: str = ""
    restricted: bool = True  # the photo on the page is the story's restricted one
    judged: tuple[str, ...] = field(default=("logo", "byline"))


def _wrap_logo(principle: str, name: str, css: str, wrapper: str = '<div class="w">{}</div>',
               **kw: Any) -> Form:  # fmt: skip
    return Form(principle, name, css, wrapper.format(LOGO_IMG) + BYLINE, **kw)


def _wrap_byline(principle: str, name: str, css: str, wrapper: str = "{}") -> Form:
    return Form(principle, name, css, f'<div class="brand">{LOGO_IMG}</div>'
                + wrapper.format(BYLINE))  # fmt: skip


HIDDEN = "hidden by its styles"
SHOWN = "shown despite look-alike styles"
IMAGE = "logo shown by each image form"
CREDITED = "restricted photo known by its credit"
PICTURED = "restricted photo known by the picture"


def forms() -> list[Form]:
    h, s = HIDDEN, SHOWN
    out = [
        _wrap_logo(h, "class hidden by a <style> rule", ".w{display:none}"),
        _wrap_logo(h, "id with visibility:hidden", "#brand-w{visibility:hidden}",
                   '<div id="brand-w">{}</div>'),
        _wrap_logo(h, "descendant rule opacity:0", ".story .w{opacity:0}"),
        _wrap_logo(h, "closed <details>", "", "<details><summary>About us</summary>{}</details>"),
        _wrap_logo(h, "absolute left:-9999px", ".w{position:absolute;left:-9999px}"),
        _wrap_logo(h, "fixed top:-10000px", ".w{position:fixed;top:-10000px}"),
        _wrap_logo(h, "visually-hidden clip rect", ".w{position:absolute;width:1px;height:1px;"
                   "overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}"),
        _wrap_logo(h, "clip-path inset(50%)", ".w{clip-path:inset(50%)}"),
        _wrap_logo(h, "transform scale(0)", ".w{transform:scale(0)}"),
        _wrap_logo(h, "zero box, overflow hidden", ".w{width:0;height:0;overflow:hidden}"),
        _wrap_logo(h, "hidden attribute", "", "<div hidden>{}</div>"),
        _wrap_logo(h, "<template>", "", "<template>{}</template>"),
        _wrap_logo(h, "margin-left:-9999px", ".w{margin-left:-9999px}"),
        _wrap_logo(h, "translateX(-9999px)", ".w{transform:translateX(-9999px)}"),
        _wrap_logo(h, "max-height:0 accordion", ".w{max-height:0;overflow:hidden}"),
        _wrap_logo(h, "@media for wide screens", "@media (min-width: 900px){.w{display:none}}"),
        _wrap_logo(h, "inline display:none", "", '<div style="display: none">{}</div>'),
        _wrap_logo(h, "closed <dialog>", "", "<dialog>{}</dialog>"),
        _wrap_logo(h, "attribute selector", '[data-slot="brand"]{display:none}',
                   '<div data-slot="brand">{}</div>'),
        _wrap_logo(h, ":not() selector, visibility:collapse",
                   ".story div:not(.keep):not(.brand){visibility:collapse}"),
        _wrap_logo(h, "the image itself width:0", ".w img{width:0}"),
        _wrap_logo(h, "!important beats a later rule", ".w{opacity:0!important}.w{opacity:1}"),
        _wrap_logo(h, "left:-100vw", ".w{position:absolute;left:-100vw}"),
        _wrap_logo(h, "matrix to nothing", ".w{transform:matrix(0,0,0,0,0,0)}"),
        _wrap_logo(h, "clip-path circle(0)", ".w{clip-path:circle(0)}"),
        Form(h, "img width=0 attribute", "", LOGO_IMG.replace('width="200"', 'width="0"')
             + BYLINE),
        _wrap_byline(h, "byline display:none", ".byline{display:none}"),
        _wrap_byline(h, "byline text-indent", ".byline{text-indent:-9999px;overflow:hidden;"
                     "white-space:nowrap}"),
        _wrap_byline(h, "byline font-size:0", ".byline{font-size:0}"),
        _wrap_byline(h, "byline visibility:hidden", "p.byline{visibility:hidden}"),
        _wrap_byline(h, "byline off screen", ".byline{position:absolute;left:-9999px}"),
        _wrap_byline(h, "byline clipped", ".byline{position:absolute;clip:rect(0,0,0,0)}"),
        _wrap_byline(h, "byline in a closed <details>", "",
                     "<details><summary>Credits</summary>{}</details>"),
        _wrap_byline(h, "byline in a zero-height box", ".meta{height:0;overflow:hidden}",
                     '<div class="meta">{}</div>'),
        _wrap_byline(h, "byline hidden by a wide-screen @media",
                     "@media screen and (min-width: 1024px){.byline{display:none}}"),
        _wrap_byline(h, "byline opacity:0 inline", "",
                     '<div style="opacity:0">{}</div>'),
        # look-alikes that a reader still sees
        _wrap_logo(s, "@media for phones only", "@media (max-width: 600px){.w{display:none}}"),
        _wrap_logo(s, ":hover rule", ".w:hover{display:none}"),
        _wrap_logo(s, "opacity .6", ".w{opacity:.6}"),
        _wrap_logo(s, "relative left:-20px", ".w{position:relative;left:-20px}"),
        _wrap_logo(s, "height:0 without overflow hidden", ".w{height:0}"),
        _wrap_logo(s, "overridden by a more specific rule", ".w{display:none}#brand-w.w"
                   "{display:block}", '<div id="brand-w" class="w">{}</div>'),
        _wrap_logo(s, "open <details>", "", "<details open><summary>About</summary>{}</details>"),
        _wrap_logo(s, "visibility:visible inside hidden", ".w{visibility:hidden}"
                   ".w img{visibility:visible}"),
        _wrap_logo(s, "scale(.5)", ".w{transform:scale(.5)}"),
        _wrap_logo(s, "a pseudo-element's rule", ".w::before{display:none}.w:after{display:none}"),
        _wrap_logo(s, "[hidden] shown by an author rule", "div.w[hidden]{display:block}",
                   '<div class="w" hidden>{}</div>'),
        _wrap_logo(s, "clip without position", ".w{clip:rect(0 0 0 0)}"),
        _wrap_logo(s, "text-indent on an inline span", ".w{text-indent:-9999px}",
                   '<span class="w">{}</span>'),
        Form(s, "print-only style sheet", "", '<style media="print">.w{display:none}</style>'
             f'<div class="w">{LOGO_IMG}</div>{BYLINE}'),
        _wrap_logo(s, "left without position", ".w{left:-9999px}"),
        _wrap_logo(s, "an entrance animation a script plays",
                   ".story .w img{opacity:0;transform:scale(.5)}.story .w img.visible"
                   "{opacity:1;transform:none}", script=REVEAL),
        _wrap_logo(h, "a toggle that waits for a click", ".w{display:none}.w.open{display:block}"),
        Form(s, "byline visibility:visible name",
             ".byline{visibility:hidden}.byline b{visibility:visible}",
             f'<div class="brand">{LOGO_IMG}</div>'
             + BYLINE.replace("Grace Nakamura", "<b>Grace Nakamura</b>")),
        _wrap_byline(s, "byline opacity .99", ".byline{opacity:.99}"),
        _wrap_byline(s, "byline small text-indent", ".byline{text-indent:-20px}"),
    ]
    out += image_forms() + credit_forms() + picture_forms()
    return out


def _logo_form(name: str, markup: str, css: str = "", script: str = "") -> Form:
    return Form(IMAGE, name, css, f'<div class="brand">{markup}</div>{BYLINE}', script=script)


def image_forms() -> list[Form]:
    enc = quote(LOGO, safe="")
    b64 = base64.urlsafe_b64encode(LOGO.encode()).decode().rstrip("=")
    j = 'data-judge="logo"'
    return [
        _logo_form("img src", f'<img {j} src="{LOGO}" alt="">'),
        _logo_form("srcset alone", f'<img {j} srcset="{LOGO} 1x" alt="">'),
        _logo_form("<picture> source", f'<picture {j}><source srcset="https://plainfieldnews'
                   '.org/up/pns-logo-2x.webp" type="image/webp"><img src="/img/lazy.gif" '
                   'alt=""></picture>'),
        _logo_form("lazy data-src", f'<img {j} src="/img/blank.gif" data-src="{LOGO}" alt="">',
                   script=LAZY),
        _logo_form("<object> of an image", f'<object {j} data="{LOGO}" type="image/png" '
                   'width="200" height="50"></object>'),
        _logo_form("<embed> of an image", f'<embed {j} src="{LOGO}" type="image/png" '
                   'width="200" height="50">'),
        _logo_form("<svg><image>", f'<svg {j} width="200" height="50"><image href="{LOGO}" '
                   'width="200" height="50"/></svg>'),
        _logo_form("<input type=image>", f'<input {j} type="image" src="{LOGO}" alt="Home">'),
        _logo_form("inline background", f'<div {j} style="background:url(\'{LOGO}\') '
                   'no-repeat;width:200px;height:50px"></div>'),
        _logo_form("background from a rule", f'<div {j} class="brand-mark"></div>',
                   f".brand-mark{{background-image:url({LOGO});width:200px;height:50px}}"),
        _logo_form("image replacement", f'<a {j} class="brand-link" href="/">{WIRE}</a>',
                   f".brand-link{{display:block;width:200px;height:50px;background:url({LOGO})"
                   " no-repeat;text-indent:-9999px;overflow:hidden}"),
        _logo_form("Next.js image URL", f'<img {j} src="/_next/image?url={enc}&w=256" alt="">'),
        _logo_form("imgproxy base64 URL", f'<img {j} src="https://img.copy.example/rs:fit:200/'
                   f'{b64}.png" alt="">'),
        _logo_form("Jetpack Photon URL", f'<img {j} src="https://i0.wp.com/plainfieldnews.org'
                   '/static/brand/pns-logo-2x.png?w=200" alt="">'),
        _logo_form("<amp-img>", f'<amp-img {j} src="{LOGO}" width="200" height="50" '
                   'layout="fixed"></amp-img>', script=AMP),
        _logo_form("noscript fallback of a lazy image", f'<img {j} class="lazy" src="/img/grey'
                   f'.gif" data-src="{LOGO}"><noscript><img src="{LOGO}"></noscript>',
                   script=LAZY),
        _logo_form("svg wordmark", f'<svg {j} role="img" aria-label="{WIRE}" width="200" '
                   'height="50"><rect width="200" height="50" fill="#0c3c8c"/></svg>'),
    ]


def _photo_form(principle: str, name: str, markup: str, css: str = "",
                restricted: bool = True, script: str = "") -> Form:  # fmt: skip
    return Form(principle, name, css, f'<div class="brand">{LOGO_IMG}</div>{BYLINE}',
                photo=markup, restricted=restricted, script=script,
                judged=("logo", "byline", "photo"))  # fmt: skip


def credit_forms() -> list[Form]:
    img = f'<img data-judge="photo" src="{REHOSTED}" alt="" width="640" height="400">'
    c = CREDITED
    return [
        _photo_form(c, "figcaption", f"<figure>{img}<figcaption>Students at the meeting. "
                    f"{CREDIT}</figcaption></figure>"),
        _photo_form(c, "credit line under a wrapper", f'<div class="img-wrap">{img}</div>'
                    '<p class="photo-credit">(Photo by Ana Ruiz/Getty Images)</p>'),
        _photo_form(c, "credit span beside", f'<div class="media">{img}<span class="credit">'
                    "Ana Ruiz/Getty Images</span></div>"),
        _photo_form(c, "credit line above", '<p class="credit">Photo: Ana Ruiz / Getty Images'
                    f'</p><div class="media">{img}</div>'),
        _photo_form(c, "alt text", img.replace('alt=""', f'alt="{CREDIT}"')),
        _photo_form(c, "title attribute", img.replace('alt=""', f'alt="" title="{CREDIT}"')),
        _photo_form(c, "wp-caption", f'<div class="wp-caption">{img}<p class="wp-caption-text">'
                    f"A meeting. {CREDIT}</p></div>"),
        _photo_form(c, "small after a break", f"<p>{img}<br><small>({CREDIT})</small></p>"),
        _photo_form(c, "table caption row", f"<table><tr><td>{img}</td></tr><tr><td>"
                    "ANA RUIZ/GETTY IMAGES</td></tr></table>"),
        _photo_form(c, "overlay credit", f'<div class="ph" style="position:relative">{img}'
                    '<span class="ov" style="position:absolute;right:8px;bottom:8px;color:#fff">'
                    "Ana Ruiz/Getty Images</span></div>"),
        _photo_form(c, "figcaption with cite", f"<figure>{img}<figcaption>The meeting. <cite>"
                    "Credit: Ana Ruiz (Getty Images)</cite></figcaption></figure>"),
        _photo_form(c, "picture in a figure", f'<figure><picture data-judge="photo"><source '
                    f'srcset="{REHOSTED}" type="image/jpeg"><img src="/img/lazy.gif" alt="">'
                    f"</picture><figcaption>{CREDIT}</figcaption></figure>"),
        _photo_form(c, "the credit hidden (the picture tells)", f"<figure>{img}<figcaption "
                    f'style="display:none">{CREDIT}</figcaption></figure>'),
        _photo_form(c, "another photo, the same agency", "<figure><img data-judge=\"photo\" "
                    'src="https://copy.example/uploads/other-7.jpg" alt="" width="640" '
                    'height="400"><figcaption>Photo by Ben Osei/Getty Images</figcaption>'
                    "</figure>", restricted=False),
        _photo_form(c, "the photo hidden, its credit shown", f'<figure><div style="display:'
                    f'none">{img}</div><figcaption>{CREDIT}</figcaption></figure>'),
    ]


def picture_forms() -> list[Form]:
    p = PICTURED
    out = []
    for n, change in enumerate(["half", "quarter", "larger", "q40", "webp", "png", "crop",
                                "bright", "contrast", "thumb", "sharper"]):  # fmt: skip
        ext = {"webp": "webp", "png": "png", "thumb": "webp"}.get(change, "jpg")
        url = f"https://cdn{n % 3}.copy.example/a/rehost-{change}.{ext}"
        out.append(_photo_form(p, f"re-encoded: {change}", f'<figure><img data-judge="photo" '
                               f'src="{url}" alt=""><figcaption>The meeting.</figcaption>'
                               "</figure>"))
    for seed in (3, 5, 8, 13):
        out.append(_photo_form(p, f"another photo ({seed})", f'<img data-judge="photo" '
                               f'src="https://copy.example/a/other-{seed}.jpg" alt="">',
                               restricted=False))
    return out


# --- pages ------------------------------------------------------------------------------


def story_paragraphs() -> list[str]:
    from ..factories import paragraphs

    return paragraphs(1)


def shells(shared: Path | None, n: int = 3) -> list[tuple[str, str, str]]:
    """(name, CSS, body markup) of real pages of the dev corpus, scripts removed."""
    out: list[tuple[str, str, str]] = [("bare", "", "")]
    warc = shared / "corpus" / "dev" / "pages.warc.gz" if shared else None
    if warc is None or not warc.exists():
        return out
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    with open(warc, "rb") as f:
        for record in ArchiveIterator(f, record_types=WarcRecordType.response):
            raw = record.reader.read()
            html = raw[raw.find(b"\r\n\r\n") + 4:].decode("utf-8", "replace")
            if len(html) < 40_000 or "<style" not in html:
                continue
            styles = "".join(re.findall(r"<style[^>]*>.*?</style>", html, re.S | re.I))
            body = re.search(r"<body[^>]*>(.*)</body>", html, re.S | re.I)
            if body is None:
                continue
            markup = re.sub(r"<script\b.*?</script>|<link\b[^>]*>|<iframe\b.*?</iframe>", "",
                            body.group(1), flags=re.S | re.I)[:60_000]  # fmt: skip
            # the dev corpus's pages are copies of this wire's stories: their own logo,
            # bylines and photos of it go, so that what is judged is the form's alone
            markup = re.sub(r"<(?:img|source|amp-img)\b[^>]*(?:pns-logo|plainfield|Getty)[^>]*>",
                            "", markup, flags=re.I)  # fmt: skip
            markup = re.sub(r"Grace Nakamura|Plainfield News Service", "a reporter", markup)
            markup = markup.rsplit("<", 1)[0] + "<!-- -->"  # not cut inside a tag
            out.append((record.headers.get("WARC-Target-URI", "dev"), styles, markup))
            if len(out) > n:
                break
    return out


def page(form: Form, shell: tuple[str, str, str]) -> str:
    _, shell_css, shell_body = shell
    paras = "".join(f"<p>{p}</p>" for p in story_paragraphs())
    return (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Council Weighs New Budget"
        f"</title>{shell_css}<style>html,body{{display:block!important;opacity:1!important;"
        "visibility:visible!important;margin:0}body{background:#fff;color:#000;font:16px/1.4 "
        "sans-serif}.story{display:block;position:relative;max-width:900px;margin:0 auto;"
        f"padding:20px;background:#fff;color:#000}}</style><style>{form.css}</style>{form.script}"
        f'</head><body><article class="story"><h1>Council Weighs New Budget</h1>'
        f"{form.attribution}{form.photo}{paras}</article>{shell_body}</body></html>"
    )


@dataclass
class Case:
    form: Form
    shell: str
    html: str
    url: str


def corpus(shared: Path | None) -> Iterator[Case]:
    real = shells(shared)
    for n, form in enumerate(forms()):
        yield Case(form, "bare", page(form, real[0]), f"https://copy.example/p/{n}/bare")
        if len(real) > 1:
            shell = real[1 + n % (len(real) - 1)]
            yield Case(form, shell[0], page(form, shell), f"https://copy.example/p/{n}/real")


# --- the judge ----------------------------------------------------------------------------

_BOX = """(sel) => { const el = document.querySelector(sel); if (!el) return null;
  const r = el.getBoundingClientRect(); const d = document.documentElement;
  return {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height,
          W: Math.max(d.scrollWidth, d.clientWidth), H: Math.max(d.scrollHeight, d.clientHeight)}; }"""
_WAIT = """() => Promise.race([new Promise(r => setTimeout(r, 3000)),
  Promise.all([...document.images].map(i => i.complete || i.loading === "lazy" ? 1 :
  new Promise(r => { i.onload = i.onerror = r; })))])"""


class Judge:
    """Chromium, asked what a reader sees of the judged elements of each page."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=str(CHROMIUM),
                                                args=["--no-sandbox"])  # fmt: skip
        self.page = self.browser.new_page(viewport=VIEWPORT)
        self.html = ""
        self.page.route("**/*", self._answer)

    def _answer(self, route: Any) -> None:
        url = route.request.url
        if route.request.resource_type == "document":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self.html)
            return
        data = picture_for(url)
        if data is None:
            route.abort()
            return
        route.fulfill(status=200, content_type="image/png" if data[:4] == b"\x89PNG"
                      else "image/webp" if data[8:12] == b"WEBP" else "image/jpeg",
                      body=data)  # fmt: skip

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()

    def seen(self, case: Case) -> dict[str, bool]:
        """What a reader sees: each judged element's pixels drawn, or not."""
        self.html = case.html
        self.page.goto(case.url, wait_until="load", timeout=20_000)
        self.page.evaluate(_WAIT)
        out = {}
        for name in case.form.judged:
            out[name] = self._drawn(f'[data-judge="{name}"]')
        return out

    def _drawn(self, selector: str) -> bool:
        box = self.page.evaluate(_BOX, selector)
        if box is None:
            return False
        x0, y0 = max(box["x"], 0), max(box["y"], 0)
        x1, y1 = min(box["x"] + box["w"], box["W"]), min(box["y"] + box["h"], box["H"])
        if x1 - x0 < 1 or y1 - y0 < 1:
            return False
        clip = {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}
        before = self.page.screenshot(clip=clip, full_page=True, animations="disabled")
        self.page.evaluate("(sel) => document.querySelector(sel).style.setProperty("
                           "'opacity', '0', 'important')", selector)  # fmt: skip
        after = self.page.screenshot(clip=clip, full_page=True, animations="disabled")
        self.page.evaluate("(sel) => document.querySelector(sel).style.removeProperty("
                           "'opacity')", selector)  # fmt: skip
        return _pixels(before) != _pixels(after)


def _pixels(png: bytes) -> bytes:
    with Picture.open(io.BytesIO(png)) as img:
        return img.convert("RGB").tobytes()


# --- the static side ------------------------------------------------------------------------


class CorpusLooks:
    """The pictures of the corpus, as the apps' fetcher would give them (pHash)."""

    def __init__(self) -> None:
        self.kept: dict[str, int | None] = {}

    def stylesheets(self) -> tuple[str, ...]:
        return ()  # the corpus's pages carry their CSS in <style> blocks

    def photo_hash(self, url: str) -> int | None:
        from newswire.engine.photos import photo_hash

        if url not in self.kept:
            data = picture_for(url)
            self.kept[url] = photo_hash(data) if data is not None else None
        return self.kept[url]


def static_view(case: Case, terms: Any) -> dict[str, bool]:
    """What the reader view says a reader sees of the judged elements."""
    from newswire.engine.check import _is_logo, _urls
    from newswire.engine.decoding import parse
    from newswire.engine.extract import extract
    from newswire.engine.styles import page_styles
    from newswire.engine.types import Page

    page_ = Page(case.url, case.html.encode())
    tree, _ = parse(page_)
    ex = extract(tree, page_styles(page_))
    found = {
        "logo": any(_is_logo(i, terms) for i in ex.images),
        "byline": any("Grace Nakamura" in b.text for b in ex.blocks),
        "photo": any(
            any(k in u for u in _urls(i) for k in ("img_4821", "rehost-", "other-"))
            for i in ex.images
        ),
    }
    return {name: found[name] for name in case.form.judged}


@dataclass
class Outcome:
    case: Case
    browser: dict[str, bool]
    static: dict[str, bool]
    checks: dict[str, bool | None]  # passed, per check (fetched: with the pictures)
    crawled: dict[str, bool | None]  # the same page as a crawl reads it (no pictures)

    def truth(self) -> dict[str, bool]:
        """What each check should say, from what the browser showed."""
        b = self.browser
        return {
            "logo": b.get("logo", False),
            "byline": b.get("byline", False),
            "restricted_media": not (b.get("photo", False) and self.case.form.restricted),
        }


def run(shared: Path | None, scanner: Any, terms: Any, progress: Any = None) -> list[Outcome]:
    """Judge every page of the corpus in Chromium and read it with the engine."""
    from newswire.engine.types import Page

    judge = Judge()
    looks = CorpusLooks()
    outcomes = []
    try:
        for case in corpus(shared):
            if progress:
                progress(case)
            browser = judge.seen(case)
            static = static_view(case, terms)
            page_ = Page(case.url, case.html.encode())
            fetched = [m for m in scanner.scan_page(page_, looks) if m.story == "urn:test:a"]
            crawled = [m for m in scanner.scan_page(page_) if m.story == "urn:test:a"]
            checks = {c.name: c.passed for c in fetched[0].checks} if fetched else {}
            plain = {c.name: c.passed for c in crawled[0].checks} if crawled else {}
            outcomes.append(Outcome(case, browser, static, checks, plain))
    finally:
        judge.close()
    return outcomes


def summary(outcomes: list[Outcome]) -> dict[str, dict[str, tuple[int, int]]]:
    """(right, of) per principle: agreement of the reader view with Chromium per element,
    and each check's verdict against the browser's truth, fetched and crawled."""
    table: dict[str, dict[str, list[int]]] = {}
    for o in outcomes:
        row = table.setdefault(o.case.form.principle, {})
        for name, seen in o.browser.items():
            cell = row.setdefault("elements agree", [0, 0])
            cell[0] += o.static.get(name) == seen
            cell[1] += 1
        truth = o.truth()
        for check in ("logo", "byline", "restricted_media"):
            for label, said in ((check, o.checks), (f"{check} (crawled)", o.crawled)):
                cell = row.setdefault(label, [0, 0])
                cell[0] += said.get(check) == truth[check]
                cell[1] += 1
    return {p: {k: (v[0], v[1]) for k, v in row.items()} for p, row in table.items()}


def disagreements(outcomes: list[Outcome]) -> list[str]:
    out = []
    for o in outcomes:
        for name, seen in o.browser.items():
            if o.static.get(name) != seen:
                out.append(f"{o.case.form.principle} / {o.case.form.name} / {o.case.shell}: "
                           f"{name} browser={seen} static={o.static.get(name)}")  # fmt: skip
        truth = o.truth()
        for check, want in truth.items():
            if o.checks.get(check) != want:
                out.append(f"{o.case.form.principle} / {o.case.form.name} / {o.case.shell}: "
                           f"check {check} said {o.checks.get(check)}, truth {want}")
    return out
