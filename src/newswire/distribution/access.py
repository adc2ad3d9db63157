"""Who is asking: the partner's API key from a request, and its rate limit."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from ..runtime import this_process
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


# Requests counted in this process and not yet added to the database's count, per
# (key prefix, minute); and the database's count when this process last added to it
# (newswire.runtime: api_counted, api_written). Written by hand because the rate-limit
# libraries count in the cache, which is per process unless a shared one is configured;
# this keeps one count in the database for every worker while writing it once every
# FLUSH_EVERY requests, not on every one.
FLUSH_EVERY = 16
MARGIN = 4 * FLUSH_EVERY  # what up to four web workers may hold unwritten between them


def check_rate(key: ApiKey) -> None:
    """Count this request in the key's minute; raise 429 past the limit.

    Far from the limit, requests are added to the shared count in the database 16 at
    a time; within ``MARGIN`` of it, every request is, so the limit itself is exact.
    """
    limit = settings.NEWSWIRE_API_RATE_PER_MINUTE
    window = timezone.now().replace(second=0, microsecond=0)
    slot = (key.prefix, window)
    state = this_process()
    _counted, _written = state.api_counted, state.api_written
    with state.api_lock:
        pending = _counted.get(slot, 0) + 1
        known = _written.get(slot, 0)
        if pending < FLUSH_EVERY and known + pending + MARGIN <= limit:
            _counted[slot] = pending
            return
        _counted.pop(slot, None)
        for old in [s for s in _written if s[1] < window]:  # forget past minutes
            _written.pop(old, None)
            _counted.pop(old, None)
    count = _add_to_window(key.prefix, window, pending)
    with state.api_lock:
        _written[slot] = count
    if count > limit:
        raise KeyRejected(
            429, f"Rate limit: {limit} requests a minute per key. Try again in a minute."
        )


def _add_to_window(prefix: str, window: datetime, n: int) -> int:
    """Add ``n`` to the key's count for the minute; return the new count (all workers')."""
    table = RateWindow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" SET "count" = "count" + %s '
            'WHERE "prefix" = %s AND "window" = %s RETURNING "count"',
            [n, prefix, connection.ops.adapt_datetimefield_value(window)],
        )
        row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    try:
        with transaction.atomic():
            RateWindow.objects.create(prefix=prefix, window=window, count=n)
    except IntegrityError:  # another worker made the row first
        RateWindow.objects.filter(prefix=prefix, window=window).update(count=F("count") + n)
        return int(
            RateWindow.objects.filter(prefix=prefix, window=window)
            .values_list("count", flat=True)
            .get()
        )
    # now and then, forget old windows
    RateWindow.objects.filter(prefix=prefix, window__lt=window - timedelta(minutes=10)).delete()
    return n


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
