"""The wire's syndication terms as data: load and validate ``terms.json``.

A terms file that is not JSON cannot be used (:class:`TermsError`). A file
that lacks a field still loads: :func:`load_terms` returns the terms with the
checks that need the missing field marked ``unavailable`` (reported as
``null``), and the problems as :class:`~.types.Skip` records to report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import TermsError
from .types import CANONICAL_MODES, CHECK_NAMES, Logo, Skip, Terms

EDIT_NAMES = ("trim_end", "headline")

# field -> checks that cannot be evaluated without it
_NEEDS: dict[str, tuple[str, ...]] = {
    "wire": ("affiliation",),
    "logo": ("logo",),
    "restricted_credits": ("restricted_media",),
}


def terms_from_dict(data: Any, *, source: str = "terms") -> tuple[Terms, list[Skip]]:
    """Build :class:`Terms` from parsed JSON; return them with the problems found."""
    if not isinstance(data, dict):
        raise TermsError("the terms must be a JSON object", source=source)
    problems: list[Skip] = []
    unavailable: list[str] = []

    def missing(field: str, consequence: str) -> None:
        problems.append(
            Skip(source, f"field '{field}'", "terms_field_missing", f"missing: {consequence}")
        )

    wire = str(data.get("wire") or "").strip()
    if not wire:
        missing("wire", "the affiliation check is not evaluated")
        unavailable += _NEEDS["wire"]
    logo_data = data.get("logo")
    logo = Logo()
    if isinstance(logo_data, dict) and (logo_data.get("url") or logo_data.get("alt")):
        logo = Logo(str(logo_data.get("url") or ""), str(logo_data.get("alt") or ""))
    elif isinstance(logo_data, str) and logo_data:
        logo = Logo(logo_data, "")
    else:
        missing("logo", "the logo check is not evaluated")
        unavailable += _NEEDS["logo"]
    credits = data.get("restricted_credits")
    if not isinstance(credits, list):
        missing("restricted_credits", "the restricted_media check is not evaluated")
        unavailable += _NEEDS["restricted_credits"]
        credits = []
    required = data.get("required")
    if not isinstance(required, list):
        always = [c for c in CHECK_NAMES if c != "canonical"]
        missing("required", f"every check counts: {', '.join(always)}")
        required = always
    unknown = [r for r in required if r not in CHECK_NAMES]
    for name in unknown:
        problems.append(
            Skip(source, "field 'required'", "terms_bad_value", f"unknown check {name!r}: ignored")
        )
    allowed = data.get("allowed_edits")
    if not isinstance(allowed, list):
        missing("allowed_edits", "no edits are allowed")
        allowed = []
    for name in allowed:
        if name not in EDIT_NAMES:
            problems.append(
                Skip(
                    source,
                    "field 'allowed_edits'",
                    "terms_bad_value",
                    f"unknown edit {name!r}: ignored",
                )
            )
    canonical = data.get("canonical") or ""
    if canonical not in ("", *CANONICAL_MODES):
        problems.append(Skip(source, "field 'canonical'", "terms_bad_value",
                             f"unknown value {canonical!r}: one of {', '.join(CANONICAL_MODES)}; "
                             "the canonical check is not run"))  # fmt: skip
        canonical = ""
        required = [r for r in required if r != "canonical"]
    if not canonical and "canonical" in required:
        canonical = "either"  # required without saying which: either sign will do
    terms = Terms(
        wire=wire,
        affiliation=str(data.get("affiliation") or wire),
        site=str(data.get("site") or ""),
        logo=logo,
        restricted_credits=tuple(str(c) for c in credits if c),
        required=tuple(r for r in required if r in CHECK_NAMES),
        allowed_edits=tuple(a for a in allowed if a in EDIT_NAMES),
        contact=str(data.get("contact") or ""),
        canonical=str(canonical),
        unavailable=tuple(unavailable),
    )
    return terms, problems


def load_terms(path: str | Path) -> tuple[Terms, list[Skip]]:
    """Read a ``terms.json`` file; raise :class:`TermsError` if it is not usable at all."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise TermsError(f"cannot read: {exc.strerror or exc}", source=source) from exc
    except UnicodeDecodeError as exc:
        raise TermsError(f"not UTF-8 text ({exc.reason})", source=source) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TermsError(
            f"not valid JSON: {exc.msg}", source=source, where=f"line {exc.lineno}"
        ) from exc
    return terms_from_dict(data, source=source)


def terms_to_dict(terms: Terms) -> dict[str, Any]:
    """Return the terms as the JSON object :func:`terms_from_dict` reads."""
    return {
        "wire": terms.wire,
        "affiliation": terms.affiliation,
        "site": terms.site,
        "logo": {"url": terms.logo.url, "alt": terms.logo.alt},
        "restricted_credits": list(terms.restricted_credits),
        "required": list(terms.required),
        "allowed_edits": list(terms.allowed_edits),
        "contact": terms.contact,
        **({"canonical": terms.canonical} if terms.canonical else {}),
    }
