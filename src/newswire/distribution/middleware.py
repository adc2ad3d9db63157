from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .access import private

KEYED_PREFIXES = ("/api/v1/stories", "/feeds/")


class PrivateKeyedResponses:
    """Responses to keyed requests are never cached for anyone else (Cache-Control, Vary)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(KEYED_PREFIXES):
            private(response)
        return response
