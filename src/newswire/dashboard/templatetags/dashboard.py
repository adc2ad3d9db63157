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
