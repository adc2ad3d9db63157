"""The scan: read → extract → fingerprint → index → align → check, in that order.

:class:`Scanner` holds what a scan needs (stories, terms, the index, the
config) and turns one page into its matches. A page goes through the stages
twice, cheaply and then carefully: its text sifted from the raw bytes is
fingerprinted and looked up; only a page that may hold a story is parsed,
looked up again on the parsed text, extracted, aligned and checked.
:func:`.pool.scan` runs a scanner over inputs, in this process or in worker
processes, and counts what it read, matched and skipped in a :class:`Summary`.
Nothing here is global: a Django task, the CLI and the Spark job each build
their own scanner.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from .align import PageText, StoryText, align
from .check import normalize_url, run_checks, verdict
from .config import ScanConfig
from .dates import iso_time
from .decoding import parse
from .embedded import JSON_LD, Embedded, embedded, page_marks
from .errors import PageError
from .extract import extract
from .fingerprint import signature
from .index import LayeredIndex, StoryIndex
from .photos import Looks
from .saved import SavedStories, open_wire
from .sifting import sift_signature
from .styles import page_styles
from .types import Block, Extracted, Match, Page, Signature, Skip, Story, Terms

#: Skip reasons that are not failures: what a crawl holds besides pages (images, PDFs, error
#: pages), pages over the budget, and warnings about the terms. Every other reason means
#: something that should have been read could not be (a corrupt or truncated record, a bad
#: story line, a missing or unreadable input): a failure, and exit status 1.
COUNTED_NOT_FAILED = frozenset(
    {"not_html", "too_large", "too_deep", "http_status", "empty_input", "terms_field_missing"}
)


def failures(skipped: Mapping[str, int]) -> int:
    """How many skips, counted by reason, are failures (see :data:`COUNTED_NOT_FAILED`)."""
    return sum(n for reason, n in skipped.items() if reason not in COUNTED_NOT_FAILED)


@dataclass
class Summary:
    """What a scan did, for the closing line and the exit code."""

    pages: int = 0
    candidates: int = 0
    matched_pages: int = 0
    matches: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def failures(self) -> int:
        """Skips that mean something could not be read (see :data:`COUNTED_NOT_FAILED`)."""
        return failures(self.skipped)

    def add(self, other: Summary) -> None:
        self.pages += other.pages
        self.candidates += other.candidates
        self.matched_pages += other.matched_pages
        self.matches += other.matches
        self.skipped.update(other.skipped)

    def line(self) -> str:
        rate = self.pages / self.seconds if self.seconds else 0.0
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(self.skipped.items())) or "none"
        return (
            f"{self.pages} pages read, {self.matched_pages} with a story "
            f"({self.matches} matches), skipped {self.skipped_total} ({skipped}), "
            f"{self.failures} of them failures; {self.seconds:.1f} s, {rate:.0f} pages/s"
        )


def found_in(blocks: tuple[Block, ...], held: tuple[int, ...]) -> str:
    """Where a copy's text is: "visible", or the one place the page carries it otherwise
    ("noscript", "json-ld", "next-data", "nuxt", "arc")."""
    origins = {blocks[i].origin for i in held}
    return (origins.pop() or "visible") if len(origins) == 1 else "visible"


def with_data(ex: Extracted, data: Embedded) -> tuple[Extracted, PageText]:
    """The page with the text it carries as data after what it shows, and that text's words.

    The data blocks have no enclosing element (an empty path), so a copy found in them
    has the whole page as its region: the logo, the links and a byline are looked for in
    what the page shows. A JSON-LD ``author`` counts as the page's byline only when the
    page shows none.
    """
    base = len(ex.blocks)
    extra = [Block(base + i, text, "p", (), -1, "", where)
             for i, (where, text) in enumerate(data.paragraphs)]  # fmt: skip
    bylines = ex.bylines
    if not bylines and data.authors:
        names = " and ".join(data.authors)
        extra.append(Block(base + len(extra), f"By {names}", "p", (), -1, "author", JSON_LD))
        bylines = (base + len(extra) - 1,)
    shown = replace(ex, blocks=ex.blocks + tuple(extra), bylines=bylines)
    return shown, PageText.of(tuple(b for b in extra if b.hint != "author"))


def copy_text(blocks: tuple[Block, ...], held: tuple[int, ...]) -> tuple[str, ...]:
    """The text of a copy: every block from its first to its last, chrome left out."""
    if not held:
        return ()
    return tuple(
        b.text for b in blocks[min(held) : max(held) + 1] if b.chrome < 0 and b.tag != "title"
    )


def copy_headline(blocks: tuple[Block, ...], held: tuple[int, ...]) -> str:
    """The heading a copy is shown under: the last h1-h3 before its text (else the title)."""
    if not held:
        return ""
    for b in reversed(blocks[: min(held)]):
        if b.tag in ("h1", "h2", "h3") and b.chrome < 0:
            return b.text
    return next((b.text for b in blocks if b.tag == "title"), "")


class LayeredStories(Mapping[str, Story]):
    """A saved wire's stories (read-only, each decoded when first asked for) with the
    stories changed since it was written over them: :class:`LayeredIndex`'s companion."""

    def __init__(self, base: Mapping[str, Story]) -> None:
        self.base = base
        self.top: dict[str, Story] = {}
        self.hidden: set[str] = set()  # uris whose story in ``base`` is out of date

    def put(self, story: Story) -> None:
        self.hidden.add(story.uri)
        self.top[story.uri] = story

    def drop(self, uri: str) -> None:
        self.hidden.add(uri)
        self.top.pop(uri, None)

    def __getitem__(self, uri: str) -> Story:
        found = self.top.get(uri)
        if found is not None:
            return found
        if uri in self.hidden:
            raise KeyError(uri)
        return self.base[uri]

    def __contains__(self, uri: object) -> bool:
        return uri in self.top or (uri not in self.hidden and uri in self.base)

    def __iter__(self) -> Iterator[str]:
        yield from (uri for uri in self.base if uri not in self.hidden)
        yield from list(self.top)

    def __len__(self) -> int:
        return len(self.base) - sum(1 for uri in self.hidden if uri in self.base) + len(self.top)

    def each(self) -> Iterator[Story]:
        """Every story, the saved ones decoded without being kept (a writer's pass over the
        whole wire, which would otherwise keep every story it read in memory)."""
        base = self.base
        every = base.every() if isinstance(base, SavedStories) else iter(base.values())
        yield from (story for story in every if story.uri not in self.hidden)
        yield from list(self.top.values())

    def frozen(self) -> LayeredStories:
        """A copy that later changes to this one do not touch (the base is shared: it
        never changes), for a writer that reads every story while checks go on."""
        copy = LayeredStories(self.base)
        copy.top, copy.hidden = dict(self.top), set(self.hidden)
        return copy


class Scanner:
    """Finds the wire's stories on pages and checks each copy against the terms."""

    def __init__(
        self,
        stories: Iterable[Story] | Mapping[str, Story],
        terms: Terms,
        config: ScanConfig | None = None,
        index: StoryIndex | LayeredIndex | None = None,
    ) -> None:
        self.config = config or ScanConfig()
        self.terms = terms
        # stories by uri: a saved wire's mapping reads each only when a page may hold it
        self.stories: Mapping[str, Story] | LayeredStories = (
            stories if isinstance(stories, Mapping) else {s.uri: s for s in stories}
        )
        # A story's words and 4-grams are prepared the first time a page may
        # hold it: most of a large wire's stories are never a candidate, and
        # preparing each up front cost about 1 ms a story.
        self._texts: dict[str, StoryText] = {}
        if index is None:
            index = StoryIndex(
                max_df_share=self.config.max_df_share, min_df_ceiling=self.config.min_df_ceiling
            )
            for uri, story in self.stories.items():
                index.add(uri, self.signature(" ".join(story.paragraphs)))
        index.build()
        self.index: StoryIndex | LayeredIndex = index

    def update(self, stories: Iterable[Story] = (), removed: Iterable[str] = ()) -> int:
        """Take changed stories (a new story, a correction) and drop ``removed`` uris, in
        place: only their fingerprints are made, and the index is merged once. Returns how
        many stories changed. A scanner over a saved wire, which is read-only, keeps the
        changes over it (:class:`LayeredIndex`, :class:`LayeredStories`); one built in
        memory takes them into its own index."""
        stories = list(stories)
        removed = list(removed)
        if not stories and not removed:
            return 0
        if not isinstance(self.stories, dict | LayeredStories):  # a saved wire's, first change
            self.stories = LayeredStories(self.stories)
            assert isinstance(self.index, StoryIndex)
            self.index = LayeredIndex(self.index)
        n = 0
        for uri in removed:
            if isinstance(self.stories, LayeredStories):
                self.stories.drop(uri)  # (without asking the saved wire whether it holds it)
            elif uri in self.stories:
                del self.stories[uri]
            else:
                continue
            self._texts.pop(uri, None)
            if isinstance(self.index, LayeredIndex) or uri in self.index:
                self.index.remove(uri)
            n += 1
        for story in stories:
            if isinstance(self.stories, LayeredStories):
                self.stories.put(story)
            else:
                self.stories[story.uri] = story
            self._texts.pop(story.uri, None)
            self.index.add(story.uri, self.signature(" ".join(story.paragraphs)))
            n += 1
        self.index.build()
        return n

    @property
    def changed_since_saved(self) -> int:
        """How many stories this scanner holds apart from the saved wire it was opened
        over (0 for one built in memory, or a saved wire not changed since)."""
        return len(self.stories.hidden) if isinstance(self.stories, LayeredStories) else 0

    @classmethod
    def saved(cls, path: str | Path, config: ScanConfig | None = None) -> Scanner:
        """A scanner over a saved wire (``newswire index build``): opened, not built."""
        wire = open_wire(path, config)
        return cls(wire.stories, wire.terms, wire.config, index=wire.index)

    def story_text(self, uri: str) -> StoryText:
        """Return the story's prepared text (made on first use, then kept)."""
        st = self._texts.get(uri)
        if st is None:
            st = self._texts[uri] = StoryText.of(self.stories[uri])
        return st

    def signature(self, text: str) -> Signature:
        """Return the fingerprint of ``text`` with this scan's settings."""
        return signature(text, window=self.config.window, sample=self.config.sample)

    def may_hold_a_story(self, page: Page) -> bool:
        """The sift: whether the page is worth a parse. Most pages of a crawl share too
        little with every story (see ScanConfig.sift_hits); a page the sift is in doubt
        about (a script or comment that never closed) is parsed whatever it found."""
        cfg = self.config
        sig, doubt = sift_signature(
            page, window=cfg.window, sample=cfg.sample, max_depth=cfg.max_depth
        )
        sifted = self.index.query(sig, min_hits=cfg.sift_hits, min_share=cfg.sift_share)
        return doubt or any(c.story in self.stories for c in sifted)

    def scan_page(self, page: Page, looks: Looks | None = None) -> list[Match]:
        """Return the page's matches; raise :class:`PageError` for a page it will not read.
        ``looks`` gives the page's pictures, for a page the caller fetched (:mod:`.photos`)."""
        cfg = self.config
        if not self.may_hold_a_story(page):
            return []
        tree, text = parse(page, max_depth=cfg.max_depth, screened=True)
        marks = page_marks(page.body)  # where its data scripts and style blocks are
        data = embedded(page.body, marks)  # text the page carries as data (JSON-LD, Next.js …)
        if data:
            text = f"{text} {data.text()}"
        found = self.index.query(
            self.signature(text), min_hits=cfg.min_hits, min_share=cfg.min_share
        )
        candidates = [c for c in found if c.story in self.stories]  # a loaded index may hold more
        if not candidates:
            return []
        linked = looks.stylesheets() if looks is not None else ()
        own = page_styles(page, marks.styles if marks is not None else None)
        ex = extract(tree, (*linked, *own), styles_taken=True)
        page_text = PageText.of(ex.blocks)
        shown: tuple[Extracted, PageText] | None = None
        reported = []
        for c in candidates:
            st = self.story_text(c.story)
            a, on = align(st, page_text), ex
            kind = cfg.kind(a.coverage)
            if kind is None and data:
                # not in what the page shows: in what it carries as data?
                shown = shown or with_data(ex, data)
                a = align(st, shown[1])
                kind, on = cfg.kind(a.coverage), shown[0]
            if kind is not None:
                reported.append((st, a, kind, on))
        matches: list[Match] = []
        canonical = normalize_url(ex.canonical, page.url) if ex.canonical else ""
        published = ex.published or iso_time(data.published) or ex.time
        for st, a, kind, on in reported:
            others = tuple(o for _, o, _, e in reported if e is on)
            checks, retitled = run_checks(
                st, on, a, self.terms, page.url, others, page.robots, looks
            )
            a = replace(a, headline_changed=retitled)
            compliant, advisory = verdict(checks, self.terms)
            matches.append(
                Match(
                    url=page.url,
                    story=st.story.uri,
                    kind=kind,
                    coverage=a.coverage,
                    checks=checks,
                    compliant=compliant,
                    canonical=bool(canonical)
                    and canonical == normalize_url(st.story.canonical_url),
                    alignment=a,
                    source=page.source,
                    where=page.where,
                    headline=copy_headline(on.blocks, a.blocks),
                    text=copy_text(on.blocks, a.blocks),
                    found_in=found_in(on.blocks, a.blocks),
                    advisory=advisory,
                    published=published,
                )
            )
        return matches

    def scan_items(self, items: Iterable[Page | Skip], summary: Summary) -> Iterator[Match | Skip]:
        """Scan pages as they come, yielding matches and skips, counting into ``summary``."""
        for item in items:
            if isinstance(item, Skip):
                summary.skipped[item.reason] += 1
                yield item
                continue
            summary.pages += 1
            try:
                matches = self.scan_page(item)
            except PageError as exc:
                summary.skipped[exc.reason] += 1
                yield Skip(item.source, item.where, exc.reason, f"{item.url}: {exc.message}")
                continue
            except (RecursionError, MemoryError, ValueError, UnicodeError) as exc:
                # a page the parser could not survive must not end the scan
                summary.skipped["page_error"] += 1
                yield Skip(item.source, item.where, "page_error", f"{item.url}: {exc!r}")
                continue
            if matches:
                summary.matched_pages += 1
                summary.matches += len(matches)
                yield from matches
