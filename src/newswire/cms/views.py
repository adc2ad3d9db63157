"""The one public door of the cms app: a source's ping, which the newsroom's CMS calls when
a post changed, so that the change reaches the wire (and the partners' posts) in seconds,
not at the next poll."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import StorySource

#: a ping's queued poll that has not started after this long (a worker stopped) no longer
#: keeps the next ping from queueing one
STALE = timedelta(minutes=10)


@csrf_exempt  # called by a CMS, not a browser: the signed address is the credential
@require_POST
def ping(request: HttpRequest, source_id: int, token: str) -> HttpResponse:
    """Poll the source at once (202), unless a poll it asked for is still waiting (202 too:
    that poll will see this change). A wrong signature or an unknown or paused source is
    404, as any address that is not there."""
    source = StorySource.objects.filter(pk=source_id, active=True).first()
    if source is None or not constant_time_compare(token, source.ping_token()):
        return JsonResponse({"error": "no such ping address"}, status=404)
    from .tasks import poll_source

    now = timezone.now()
    claimed = (
        StorySource.objects.filter(pk=source.pk)
        .filter(Q(ping_queued_at__isnull=True) | Q(ping_queued_at__lt=now - STALE))
        .update(ping_queued_at=now)
    )
    if claimed:
        poll_source.enqueue(source.pk, pinged=True)
    return JsonResponse({"source": source.pk, "poll": "queued" if claimed else "already queued"},
                        status=202)  # fmt: skip
