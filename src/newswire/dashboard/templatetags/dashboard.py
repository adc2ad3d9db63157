from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html

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


@register.filter
def num(value: Any) -> str:
    """515000 -> "515,000" (counts are read at a glance)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "" if value is None else str(value)


@register.filter
def when(value: Any, with_time: str = "") -> str:
    """A date (with ``"time"``: and its minute) in a ``<time>`` element that never wraps,
    in the site's time zone; "" for none."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        shown = value.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
    else:
        shown = value.strftime("%Y-%m-%d")
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), shown)


@register.filter
def stated_time(value: str) -> str:
    """The page's own publication time as it states it ("2024-05-03 10:00 +00:00")."""
    if not value:
        return ""
    day, _, clock = value.partition("T")
    if not clock:
        return day
    zone = clock[8:] if len(clock) > 8 else ""
    return f"{day} {clock[:5]}" + (f" {zone}" if zone else "")
