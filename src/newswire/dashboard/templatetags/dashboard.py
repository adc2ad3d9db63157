from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def pct(value: Any, of: Any = None) -> str:
    """0.873 -> "87%"; with an argument, value/of as a percentage ("" when of is 0)."""
    try:
        share = float(value) / float(of) if of is not None else float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return ""
    return f"{share:.0%}"


@register.filter
def advisory_in(name: str, terms: Any) -> bool:
    """Whether check ``name`` is advisory under ``terms``: run and shown, never required."""
    return name not in (getattr(terms, "required", None) or ())


@register.filter
def required_failures(copy: Any, terms: Any) -> list[str]:
    """The checks ``copy`` failed that ``terms`` require (why it is not compliant)."""
    return list(copy.failed_under(getattr(terms, "required", None) or ()))


@register.filter
def advisory_failures(copy: Any, terms: Any) -> list[str]:
    """The checks ``copy`` failed that ``terms`` do not require (advisory, never a failure)."""
    return list(copy.advisory_under(getattr(terms, "required", None) or ()))
