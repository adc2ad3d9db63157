# ruff: noqa: E501  (the page templates below are HTML, kept readable as one line a tag)
"""Make the demo's one-wire sample (run once, by hand, when the sources change).

    python scripts/make_demo_sample.py ../shared/corpus/dev ../shared/seed/story.txt src/newswire/demo

The demo wire is the seed story's wire: its name, affiliation, logo text and
terms come from the seed scrape. The labelled corpus lends it stories and a
crawl: its fictional wire's name, host, logo and photo file names are replaced
by the seed wire's everywhere (stories, pages, truth), so that every story the
demo site shows belongs to the wire whose logo, name and terms it shows, and a
scan with ``terms dump`` + ``export`` finds what the demo finds.

The crawl also gets three copies of the seed story itself, on fictional
republishers' hosts: the page as scraped (with the agency photo), a copy made
from newswire's own "republish this story" snippet, and that copy without the
logo. The snippet is rendered by the product, in a throwaway database.

Writes ``stories.jsonl``, ``terms.json``, ``pages.warc.gz`` (gzipped record by
record) and ``truth.jsonl`` into the output folder.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import os
import re
import sys
import tempfile
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newswire.demo.seed import parse_seed

PER_KIND = {"full": 4, "trimmed": 3, "retitled": 2, "edited": 3, "restyled": 2, "roundup": 1,
            "excerpt": 2, "quote": 2, "offwire": 2, "unrelated": 14}  # fmt: skip
MAX_RECORD = 250_000
SEED_URI = "urn:newswire:seed:dcnf-iraq-hmc"  # = newswire.demo.load.SEED_URI
WIRE_HOST = "dailycallernewsfoundation.org"
SEED_CANONICAL = (
    f"https://{WIRE_HOST}/stories/2024/09/"
    "us-holding-talks-with-iraqi-govt-to-reevaluate-anti-isis-partnership"
)
# The scrape kept the photo's credit, not its file: an illustrative agency file name.
SEED_PHOTO = f"https://{WIRE_HOST}/media/2024/09/GettyImages-iraq-hmc-briefing.jpg"
DATE = "2024-10-01T00:00:00Z"


def rebrand_pairs(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    """What to replace, longest first: names, host, logo file, photo and id prefixes."""
    old_host = old["site"].split("//", 1)[1].strip("/")
    pairs = [
        (old["logo"]["url"], new["logo"]["url"]),
        (Path(old["logo"]["url"]).stem, Path(new["logo"]["url"]).stem),
        (old["logo"]["alt"], new["logo"]["alt"]),
        (old["wire"], new["wire"]),
        (old_host, WIRE_HOST),
        ("urn:newswire:pns:", "urn:newswire:dcnf:"),
        ("/pns-", "/dcnf-"),
    ]
    return [(a.encode(), b.encode()) for a, b in pairs]


def rebrand(data: bytes, pairs: list[tuple[bytes, bytes]]) -> bytes:
    for a, b in pairs:
        data = data.replace(a, b)
    return data


def demo_terms(seed_terms: dict[str, Any], corpus_terms: dict[str, Any]) -> dict[str, Any]:
    """The seed's terms, plus what the scrape does not say (site, logo file, other agencies)."""
    terms = dict(seed_terms)
    terms["site"] = f"https://{WIRE_HOST}"
    terms["logo"] = {"url": f"https://{WIRE_HOST}/static/brand/dcnf-logo.png",
                     "alt": seed_terms["logo"]["alt"]}  # fmt: skip
    credits = list(seed_terms["restricted_credits"])
    credits += [c for c in corpus_terms["restricted_credits"] if c not in credits]
    terms["restricted_credits"] = credits
    # the scrape lost the address after "please contact": an address that is plainly an example
    terms["contact"] = terms["contact"] or "syndication@dcnf-demo.example"
    return terms


def seed_item(text: str) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    item, terms = parse_seed(text, uri=SEED_URI)
    item["renditions"] = [{"name": "web", "href": SEED_CANONICAL, "contenttype": "text/html"}]
    photo = item["associations"][0]
    photo["uri"] = SEED_PHOTO
    photo["renditions"] = [{"name": "original", "href": SEED_PHOTO}]
    photo["descriptions"] = [{"role": "caption", "value": f"(Photo by {photo['by']})"}]
    paragraphs = re.findall(r"<p>(.*?)</p>", item["bodies"][0]["value"])
    return item, terms, paragraphs


def republisher_page(host: str, title: str, article: str) -> str:
    """A plain news-site template around one article (nav, sidebar, footer)."""
    name = host.split(".")[1].replace("-", " ").title()
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | {name}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="https://{host}/wp-content/themes/ledger/style.css"></head>
<body class="single-post">
<header class="site-header"><a class="site-title" href="https://{host}/">{name}</a>
<nav><ul><li><a href="https://{host}/news/">News</a></li><li><a href="https://{host}/politics/">Politics</a></li>
<li><a href="https://{host}/world/">World</a></li><li><a href="https://{host}/opinion/">Opinion</a></li>
<li><a href="https://{host}/subscribe/">Subscribe</a></li></ul></nav></header>
<main id="main"><article class="post type-post">
{article}
</article>
<aside class="widget-area"><h2 class="widget-title">Most read</h2><ul>
<li><a href="https://{host}/news/county-board-approves-budget/">County board approves budget after long night</a></li>
<li><a href="https://{host}/news/high-school-football-roundup/">Friday night football: scores from around the region</a></li>
<li><a href="https://{host}/news/new-bridge-opens/">New bridge opens to traffic a month early</a></li></ul>
<h2 class="widget-title">Newsletter</h2><p>Get the day's headlines in your inbox every morning.</p></aside></main>
<footer class="site-footer"><p>&copy; 2024 {name}. All rights reserved.
<a href="https://{host}/privacy/">Privacy policy</a> &middot; <a href="https://{host}/contact/">Contact us</a></p></footer>
</body></html>
"""


def scraped_seed_page(
    text: str, item: dict[str, Any], terms: dict[str, Any], paras: list[str]
) -> str:
    """The seed page as the scrape saw it: agency photo, logo above the byline, terms below."""
    related = re.search(r"\(RELATED: ([^)]*)\)", text)
    body = []
    for p in paras:
        if related and p.endswith("the defense official said Thursday."):
            p += (f' (RELATED: <a href="https://{WIRE_HOST}/stories/2024/01/'
                  f'us-airstrike-kills-militia-leader">{html.escape(related.group(1))}</a>)')  # fmt: skip
        body.append(f"<p>{p}</p>")
    name, _, title = item["by"].partition(", ")
    headline = item["headlines"][0]["value"]
    photo = item["associations"][0]
    getty = Path(SEED_PHOTO).name.replace(".jpg", "-1024x683.jpg")
    return republisher_page(
        "www.lakeshore-ledger.example",
        headline,
        f"""<h1 class="entry-title">{html.escape(headline)}</h1>
<figure class="wp-block-image"><img src="https://www.lakeshore-ledger.example/wp-content/uploads/2024/09/{getty}" width="1024" height="683" alt="">
<figcaption>(Photo by {html.escape(photo["by"])})</figcaption></figure>
<div class="dcnf-attribution"><img src="https://www.lakeshore-ledger.example/wp-content/uploads/2024/09/dcnf-logo.png" alt="{html.escape(terms["logo"]["alt"])}" width="180">
<p class="author">{html.escape(name)} {html.escape(title)}</p>
<div class="font-size">Font Size: <button>A</button><button>A+</button></div></div>
<div class="entry-content">
{chr(10).join(body)}
<p><em>{html.escape(terms["text"])}</em></p>
</div>""",
    )


def snippet_pages(item: dict[str, Any], terms_path: Path, stories_path: Path) -> tuple[str, str]:
    """The seed story as newswire's snippet gives it, in a partner's page; and without the logo.

    Rendered by the product in a throwaway database, so the copy is what a
    partner really pastes.
    """
    with tempfile.TemporaryDirectory() as data:
        os.environ.update(NEWSWIRE_DATA=data, DJANGO_SETTINGS_MODULE="newswire.settings")
        os.environ.pop("DATABASE_URL", None)
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        from newswire.demo.load import load_demo_wire
        from newswire.distribution.snippet import snippet_html

        story, terms, _ = load_demo_wire(terms_path, stories_path)
        snippet = snippet_html(story, terms)
    host = "www.riverbend-courier.example"
    headline = item["headlines"][0]["value"]
    compliant = republisher_page(host, headline, f'<div class="entry-content">\n{snippet}</div>')
    no_logo = re.sub(r'<img [^>]*src="[^"]*/brand/[^"]*"[^>]*>', "", snippet)  # every logo
    if no_logo == snippet:
        raise SystemExit("the snippet's logo was not found: update make_demo_sample.py")
    without = republisher_page(
        "news.prairie-gazette.example", headline, f'<div class="entry-content">\n{no_logo}</div>'
    )
    return compliant, without


def write_record(stream: io.BufferedWriter, url: str, http_block: bytes) -> None:
    """One WARC record, as its own gzip member (as crawlers write them)."""
    record = WarcRecord()
    record.init_headers(WarcRecordType.response, uuid.uuid4().urn[4:].encode())
    record.headers["WARC-Date"] = DATE
    record.headers["WARC-Target-URI"] = url
    record.headers["Content-Type"] = "application/http; msgtype=response"
    record.set_bytes_content(http_block)
    buffer = io.BytesIO()
    record.write(buffer, checksum_data=True)
    stream.write(gzip.compress(buffer.getvalue(), mtime=0))


def http_response(body: bytes, content_type: bytes = b"text/html; charset=utf-8") -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type + b"\r\nContent-Length: "
        + str(len(body)).encode() + b"\r\n\r\n" + body
    )  # fmt: skip


def rewrite_http(block: bytes, pairs: list[tuple[bytes, bytes]]) -> bytes:
    head, sep, body = block.partition(b"\r\n\r\n")
    body = rebrand(body, pairs)
    head = re.sub(rb"(?im)^content-length:\s*\d+", b"Content-Length: %d" % len(body), head)
    return head + sep + body


def main() -> None:
    corpus, seed_path, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    corpus_terms = json.loads((corpus / "terms.json").read_text())
    seed_text = seed_path.read_text("utf-8")
    item, seed_terms, paras = seed_item(seed_text)
    terms = demo_terms(seed_terms, corpus_terms)
    pairs = rebrand_pairs(corpus_terms, terms)
    (out / "terms.json").write_text(json.dumps(terms, indent=2, ensure_ascii=False) + "\n")
    with (out / "stories.jsonl").open("wb") as fh:
        fh.write(json.dumps(item, ensure_ascii=False).encode() + b"\n")
        for line in (corpus / "stories.jsonl").open("rb"):
            fh.write(rebrand(line.rstrip(b"\n"), pairs) + b"\n")
    compliant, no_logo = snippet_pages(item, out / "terms.json", out / "stories.jsonl")

    truth = {}
    for line in (corpus / "truth.jsonl").open("rb"):
        t = json.loads(rebrand(line, pairs))
        truth[t["url"]] = t
    taken: Counter[str] = Counter()
    kept_truth = []
    stream = (out / "pages.warc.gz").open("wb")
    with (corpus / "pages.warc.gz").open("rb") as src:
        for record in ArchiveIterator(src, record_types=WarcRecordType.response, parse_http=False):
            url = record.headers.get("WARC-Target-URI")
            t = truth.get(rebrand(url.encode(), pairs).decode())
            if t is None or record.content_length > MAX_RECORD:
                continue
            if taken[t["kind"]] >= PER_KIND.get(t["kind"], 0):
                continue
            taken[t["kind"]] += 1
            write_record(stream, t["url"], rewrite_http(record.reader.read(), pairs))
            kept_truth.append(t)

    def seed_truth(url: str, checks: dict[str, bool]) -> dict[str, Any]:
        return {"url": url, "kind": "full",
                "stories": [{"story": SEED_URI, "coverage": 1.0, "checks": checks}]}  # fmt: skip

    seed_pages = [
        ("https://www.lakeshore-ledger.example/2024/09/27/us-iraq-talks-anti-isis-partnership/",
         scraped_seed_page(seed_text, item, terms, paras),
         {"logo": True, "byline": True, "affiliation": True, "link": False, "restricted_media": False,
              "unedited": False}),  # the inline "(RELATED: …)" link is inserted text
        ("https://www.riverbend-courier.example/news/2024/09/us-iraq-military-commission/",
         compliant,
         {"logo": True, "byline": True, "affiliation": True, "link": True, "restricted_media": True,
              "unedited": True}),
        ("https://news.prairie-gazette.example/world/us-iraq-talks-troop-drawdown",
         no_logo,
         {"logo": False, "byline": True, "affiliation": True, "link": True, "restricted_media": True,
              "unedited": True}),
    ]  # fmt: skip
    for url, page, checks in seed_pages:
        write_record(stream, url, http_response(page.encode()))
        kept_truth.append(seed_truth(url, checks))
    stream.close()
    with (out / "truth.jsonl").open("w") as fh:
        for t in kept_truth:
            fh.write(json.dumps(t, ensure_ascii=False) + "\n")
    stories = len((out / "stories.jsonl").read_bytes().splitlines())
    sys.stdout.write(
        f"{len(kept_truth)} pages ({dict(taken)} + 3 seed copies), {stories} stories\n"
    )


if __name__ == "__main__":
    main()
