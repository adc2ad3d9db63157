"""Who is asking: the partner's API key from a request, and its rate limit."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from .models import ApiKey, KeyRejected, RateWindow

KEY_HEADERS = ("Authorization", "X-Api-Key")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. REMOTE_ADDR only: X-Forwarded-For is the client's to forge,
    unless a proxy we trust set it (``BEHIND_TLS_PROXY`` with a proxy that overwrites it)."""
    return request.META.get("REMOTE_ADDR") or None


def presented_keys(request: HttpRequest, *, allow_query: bool = True) -> set[str]:
    """Every key the request carries: Bearer header, X-Api-Key header, ?key= (feed readers)."""
    keys = set()
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        keys.add(auth[7:].strip())
    if request.headers.get("X-Api-Key"):
        keys.add(request.headers["X-Api-Key"].strip())
    if allow_query:
        keys.update(k.strip() for k in request.GET.getlist("key") if k.strip())
    return keys


def raw_key(request: HttpRequest, *, allow_query: bool = True) -> str | None:
    """The request's key; :class:`KeyRejected` if it carries two different ones."""
    keys = presented_keys(request, allow_query=allow_query)
    if len(keys) > 1:
        raise KeyRejected(401, "Conflicting API keys: send one key, in one place.")
    return keys.pop() if keys else None


def check_rate(key: ApiKey) -> None:
    """Count this request in the key's minute; raise 429 past the limit.

    One statement in the common case (``UPDATE … RETURNING``, SQLite 3.35+ and
    PostgreSQL), in the database so that every web worker shares the count.
    """
    limit = settings.NEWSWIRE_API_RATE_PER_MINUTE
    window = timezone.now().replace(second=0, microsecond=0)
    table = RateWindow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" SET "count" = "count" + 1 '
            'WHERE "prefix" = %s AND "window" = %s RETURNING "count"',
            [key.prefix, connection.ops.adapt_datetimefield_value(window)],
        )
        row = cursor.fetchone()
    if row is None:
        try:
            with transaction.atomic():
                RateWindow.objects.create(prefix=key.prefix, window=window, count=1)
        except IntegrityError:  # another worker made the row first
            RateWindow.objects.filter(prefix=key.prefix, window=window).update(count=F("count") + 1)
        # now and then, forget old windows
        RateWindow.objects.filter(
            prefix=key.prefix, window__lt=window - timedelta(minutes=10)
        ).delete()
        count = 1
    else:
        count = int(row[0])
    if count > limit:
        raise KeyRejected(
            429, f"Rate limit: {limit} requests a minute per key. Try again in a minute."
        )


def authenticate(request: HttpRequest, *, allow_query: bool = True) -> ApiKey:
    key = ApiKey.verify(raw_key(request, allow_query=allow_query))
    check_rate(key)
    return key


def private(response: HttpResponse) -> HttpResponse:
    """A keyed response: never cached for anyone else."""
    response["Cache-Control"] = "private, max-age=0, must-revalidate"
    patch_vary_headers(response, KEY_HEADERS)
    return response


def rejection(exc: KeyRejected) -> JsonResponse:
    response = JsonResponse({"detail": exc.message}, status=exc.status)
    if exc.status == 429:
        response["Retry-After"] = "60"
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="newswire"'
    return response  # made private by PrivateKeyedResponses, like every keyed response
