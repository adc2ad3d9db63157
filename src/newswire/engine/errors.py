"""The engine's exceptions, one tree so a caller can catch them all.

::

    EngineError
    ├── InputError            bad input: carries where (source, record offset or line)
    │   ├── ArchiveError      a WARC record or gzip member that cannot be read
    │   ├── PageError         a page the engine will not process (not HTML, too big, …)
    │   ├── StoryError        a story line that is not valid ninjs or lacks what a story needs
    │   ├── TermsError        a terms file that is not valid
    │   └── ResultError       a scan result (a JSON line) that is not the scan's record
    └── IndexFormatError      a saved story index that cannot be loaded

An :class:`InputError` is never fatal to a scan: the scan records it as a
:class:`~newswire.engine.types.Skip`, counts it by ``reason`` and goes on.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base class of every error the engine raises on purpose."""


class InputError(EngineError):
    """Bad input, with the place it was found.

    ``source`` is a file name or URL, ``where`` a record offset (``"offset 1234"``)
    or a line (``"line 7"``), and ``reason`` a short machine-readable key that
    summaries count by (``"not_html"``, ``"too_large"``, ``"bad_json"`` …).
    """

    reason = "bad_input"

    def __init__(
        self, message: str, *, source: str = "", where: str = "", reason: str | None = None
    ) -> None:
        self.message = message
        self.source = source
        self.where = where
        if reason is not None:
            self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        place = ", ".join(part for part in (self.source, self.where) if part)
        return f"{place}: {self.message}" if place else self.message


class ArchiveError(InputError):
    """A WARC/ARC record or compressed member that cannot be read."""

    reason = "corrupt_record"


class PageError(InputError):
    """A record the engine will not treat as a page (not HTML, too large, …)."""

    reason = "bad_page"


class StoryError(InputError):
    """A story that is not valid ninjs or lacks a field a story needs."""

    reason = "bad_story"


class TermsError(InputError):
    """A terms file that cannot be used as it is."""

    reason = "bad_terms"


class ResultError(InputError):
    """A scan result that is not :class:`~newswire.engine.types.MatchRecord`'s form."""

    reason = "bad_result"


class IndexFormatError(EngineError):
    """A saved story index that is missing, corrupt or of another version."""
