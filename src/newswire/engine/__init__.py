"""newswire's pickup engine: find the wire's stories on pages and check each copy.

Pure Python with no Django import (an import-linter contract enforces it), one
module per stage: :mod:`.read` → :mod:`.extract` → :mod:`.fingerprint` →
:mod:`.index` → :mod:`.align` → :mod:`.check`, run in order by
:mod:`.pipeline`. Example::

    from newswire.engine import Scanner, load_terms, read_stories, scan_inputs

    terms, _ = load_terms("terms.json")
    stories = [s for s in read_stories("stories.jsonl", terms) if isinstance(s, Story)]
    for item in scan_inputs(Scanner(stories, terms), ["crawl.warc.gz"]):
        print(item)
"""

from __future__ import annotations

import logging

from .align import PageText, StoryText
from .check import run_checks
from .config import ScanConfig
from .decoding import parse
from .errors import (
    ArchiveError,
    EngineError,
    IndexFormatError,
    InputError,
    PageError,
    StoryError,
    TermsError,
)
from .fingerprint import signature, words
from .index import StoryIndex
from .ninjs import read_stories, story_from_ninjs
from .pipeline import Scanner, Summary
from .pool import scan as scan_inputs
from .saved import SavedWire, open_wire, write_wire
from .terms import load_terms, terms_from_dict
from .types import (
    Alignment,
    Candidate,
    Check,
    Extracted,
    Match,
    Page,
    Signature,
    Skip,
    Story,
    StoryImage,
    Terms,
)

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "Alignment",
    "ArchiveError",
    "Candidate",
    "Check",
    "EngineError",
    "Extracted",
    "IndexFormatError",
    "InputError",
    "Match",
    "Page",
    "PageError",
    "PageText",
    "SavedWire",
    "ScanConfig",
    "Scanner",
    "Signature",
    "Skip",
    "Story",
    "StoryError",
    "StoryImage",
    "StoryIndex",
    "StoryText",
    "Summary",
    "Terms",
    "TermsError",
    "load_terms",
    "open_wire",
    "parse",
    "read_stories",
    "run_checks",
    "scan_inputs",
    "signature",
    "story_from_ninjs",
    "terms_from_dict",
    "words",
    "write_wire",
]
