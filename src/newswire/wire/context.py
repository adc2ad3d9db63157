from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .cache import current_terms


def wire(request: HttpRequest) -> dict[str, Any]:
    """Put the wire's terms (name, logo) in every template."""
    return {"terms": current_terms()}
