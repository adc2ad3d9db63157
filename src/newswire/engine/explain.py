""" "Why was this copy (not) found?": what each stage of the scan did with one page.

:func:`explain` runs the same stages as :meth:`~.pipeline.Scanner.scan_page`, with the same
scanner, and keeps what each one saw instead of stopping at the first that lets the page
go: the bytes and charsets, the sift's text and its hits per story, the parse's, the
blocks extraction kept and where the page carries them (shown, ``<noscript>``, JSON-LD,
framework data), the alignment of each candidate story (or of the one asked about), each
check with its evidence, and a verdict in words. ``newswire explain`` prints it; the
dashboard can show it for a submitted URL.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .align import PageText, align
from .check import run_checks, verdict
from .decoding import declared_charset, decode_with, parse
from .embedded import embedded
from .extract import extract
from .pipeline import Scanner, copy_headline, found_in, with_data
from .sifting import sift
from .styles import page_styles
from .types import Page


def charset_used(page: Page) -> str:
    """The charset the engine decodes the page with (:func:`.extract.decode_with`)."""
    codec = decode_with(page.body, declared_charset(page))[1]
    return codec.replace("cp1252", "windows-1252").replace(
        "(replaced)", "(undecodable bytes replaced)"
    )


def _hits(scanner: Scanner, text: str, story: str | None) -> list[dict[str, Any]]:
    """Every story sharing at least one sampled window with ``text`` (best first, 5 at most,
    and the story asked about wherever it ranks)."""
    found = scanner.index.query(scanner.signature(text), min_hits=1, min_share=0.0)
    top = found[:5] + [c for c in found[5:] if c.story == story]
    return [{"story": c.story, "hits": c.hits, "share": round(c.share, 4)} for c in top]


def _passes(hits: list[dict[str, Any]], story: str, min_hits: int, min_share: float) -> bool:
    return any(h["story"] == story and h["hits"] >= min_hits and h["share"] >= min_share
               for h in hits)  # fmt: skip


def explain(scanner: Scanner, page: Page, story: str | None = None) -> dict[str, Any]:
    """What each stage did with ``page``; with ``story`` (a uri) that story is followed
    through every stage even where the scan would have stopped."""
    cfg = scanner.config
    out: dict[str, Any] = {"url": page.url, "source": page.source, "where": page.where,
                           "bytes": len(page.body), "content_type": page.content_type,
                           "charset": {"declared": declared_charset(page),
                                       "used": charset_used(page)}}  # fmt: skip
    if story is not None and story not in scanner.stories:
        out["verdict"] = f"{story} is not one of the wire's stories"
        return out
    try:
        text, doubt = sift(page, max_depth=cfg.max_depth)
    except Exception as exc:  # PageError and what a hostile page may raise: the verdict says
        out["verdict"] = f"not read: {exc}"
        return out
    sift_hits = _hits(scanner, text, story)
    passed = [h["story"] for h in sift_hits
              if _passes(sift_hits, h["story"], cfg.sift_hits, cfg.sift_share)]  # fmt: skip
    out["sift"] = {"chars": len(text), "in_doubt": doubt, "hits": sift_hits,
                   "candidates": passed,
                   "thresholds": {"hits": cfg.sift_hits, "share": cfg.sift_share}}  # fmt: skip
    tree, parsed = parse(page, max_depth=cfg.max_depth, screened=True)
    data = embedded(page.body)
    looked_up = f"{parsed} {data.text()}" if data else parsed
    parse_hits = _hits(scanner, looked_up, story)
    candidates = [h["story"] for h in parse_hits
                  if _passes(parse_hits, h["story"], cfg.min_hits, cfg.min_share)]  # fmt: skip
    out["parse"] = {
        "chars": len(parsed), "data": dict(Counter(w for w, _ in data.paragraphs)),
        "data_authors": list(data.authors), "hits": parse_hits, "candidates": candidates,
        "thresholds": {"hits": cfg.min_hits, "share": cfg.min_share},
    }  # fmt: skip
    ex = extract(tree, page_styles(page), styles_taken=True)
    shown = with_data(ex, data) if data else None
    out["blocks"] = {
        "kept": len(ex.blocks),
        "by_origin": dict(Counter(b.origin or "visible" for b in ex.blocks)),
        "chrome": sum(b.chrome >= 0 for b in ex.blocks),
        "data": len(shown[0].blocks) - len(ex.blocks) if shown else 0,
        "bylines": [ex.blocks[i].text[:120] for i in ex.bylines],
        "images": len(ex.images), "links": len(ex.links), "title": ex.title,
    }  # fmt: skip
    follow = [story] if story else [s for s in candidates if s in scanner.stories]
    page_text = PageText.of(ex.blocks)
    stories = []
    for uri in follow:
        st = scanner.story_text(uri)
        a, on = align(st, page_text), ex
        if cfg.kind(a.coverage) is None and shown is not None:
            other = align(st, shown[1])
            if other.coverage > a.coverage:
                a, on = other, shown[0]
        kind = cfg.kind(a.coverage)
        entry: dict[str, Any] = {
            "story": uri, "headline": st.story.headline, "kind": kind,
            "coverage": round(a.coverage, 4), "found_in": found_in(on.blocks, a.blocks),
            "story_words": len(st.words), "passages": len(a.runs),
            "edits": {"dropped_start": a.dropped_start, "dropped_end": a.dropped_end,
                      "changed": a.changed, "inserted": a.inserted,
                      "paragraphs_kept": a.paragraphs_kept,
                      "paragraphs_total": a.paragraphs_total},
            "copy_heading": copy_headline(on.blocks, a.blocks),
            "longest_passage_words": max((r.length for r in a.runs), default=0),
        }  # fmt: skip
        if kind is not None:
            checks, _ = run_checks(st, on, a, scanner.terms, page.url, (), page.robots)
            entry["compliant"], advisory = verdict(checks, scanner.terms)
            entry["checks"] = [{"name": c.name, "passed": c.passed, "evidence": c.evidence,
                                "required": c.name not in advisory} for c in checks]  # fmt: skip
        stories.append(entry)
    out["stories"] = stories
    out["verdict"] = _verdict(out, story, cfg.report_coverage)
    out["plain"] = plain_words(out, story, cfg.report_coverage)
    return out


#: where a copy's text was found, as an editor would say it
WHERE = {
    "visible": "in the text the page shows",
    "noscript": "in the page's <noscript> text (shown when scripts do not run)",
    "json-ld": "only in the page's data for search engines (JSON-LD), not in what it shows",
    "next-data": "only in data the page's scripts draw (Next.js), not in its markup",
    "nuxt": "only in data the page's scripts draw (Nuxt), not in its markup",
    "arc": "only in data the page's scripts draw (Arc XP), not in its markup",
}


def plain_words(out: dict[str, Any], story: str | None, floor: float) -> list[str]:
    """The report's verdict for an editor: sentences naming stories by headline, with no
    term of the engine's ("sift", "sampled windows")."""
    if "sift" not in out:  # not read, or not one of the wire's stories
        return [out["verdict"][:1].upper() + out["verdict"][1:] + "."]
    lines = []
    for s in out["stories"]:
        if s["kind"]:
            what = "republishes" if s["kind"] == "pickup" else "quotes an excerpt of"
            lines.append(
                f"This page {what} “{s['headline']}”: {s['coverage']:.0%} of its "
                f"{s['story_words']:,} words, {WHERE.get(s['found_in'], s['found_in'])}."
            )
            if "compliant" in s:
                failed = [c["name"] for c in s["checks"] if c["required"] and c["passed"] is False]
                lines.append(
                    "It carries everything the terms require." if s["compliant"] else
                    f"It misses what the terms require: {', '.join(failed)}."
                )  # fmt: skip
        elif story is not None:
            longest = s["longest_passage_words"]
            lines.append(
                f"This page is not a copy of “{s['headline']}”: it has {s['coverage']:.0%} of "
                f"the story's words (a copy needs {floor:.0%})"
                + (f"; the longest passage they share is {longest} words, as a quotation "
                   "or a shared phrase would be." if longest else "; they share no passage.")
            )  # fmt: skip
    if not lines:
        if not out["parse"]["candidates"] and not out["sift"]["candidates"]:
            lines.append("This page carries none of our stories: its text shares too little "
                         "with every one of them to be a copy or an excerpt.")  # fmt: skip
        else:
            lines.append("This page shares some words with our stories, but too few, or "
                         "too scattered, to be a copy or an excerpt of any.")  # fmt: skip
    return lines


def _verdict(out: dict[str, Any], story: str | None, floor: float) -> str:
    sift_ = out["sift"]
    if story is None:
        found = [s for s in out["stories"] if s["kind"]]
        if found:
            return "; ".join(f"a {s['kind']} of {s['story']} ({s['coverage']:.0%}, "
                             f"{s['found_in']})" for s in found)  # fmt: skip
        if not sift_["candidates"] and not sift_["in_doubt"]:
            return "no story shares enough with the page's text: not parsed (the sift)"
        if not out["parse"]["candidates"]:
            return "no story shares enough with the parsed text: not a copy"
        return "candidates were aligned, none reproduces enough of a story: not a copy"
    entry = out["stories"][0]
    if entry["kind"]:
        share = f"{entry['coverage']:.0%}"
        return f"a {entry['kind']} of {story}: {share} of its words ({entry['found_in']})"
    why = []
    if story not in sift_["candidates"] and not sift_["in_doubt"]:
        why.append("the sift would not have parsed the page for it")
    if story not in out["parse"]["candidates"]:
        why.append("after the parse it shares too few sampled windows with the page")
    words = entry["longest_passage_words"]
    shares = ": quotes or a shared phrase, not a copy" if entry["coverage"] else ""
    why.append(f"the page reproduces {entry['coverage']:.0%} of its words (a copy needs "
               f"{floor:.0%}), in {entry['passages']} passage(s), the longest {words} "
               f"words{shares}")  # fmt: skip
    return f"not a copy of {story}: " + "; ".join(why)


__all__ = ["charset_used", "explain"]
