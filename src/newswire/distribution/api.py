"""The partner API (django-ninja): stories as IPTC ninjs 2.2, keyed, rate limited.

OpenAPI at /api/v1/openapi.json, browsable docs at /api/v1/docs.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Annotated, Any

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, NinjaAPI, Query, Schema
from ninja import Path as PathStr
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyHeader, APIKeyQuery, HttpBearer
from pydantic import BaseModel, ConfigDict, StringConstraints

from ..engine.ninjs import SCHEMA_URIS
from ..wire.cache import current_terms
from ..wire.models import Story, StoryVersion, Terms
from ..wire.ninjs import VERSIONS, in_version
from ..wire.partner_copy import partner_body
from .access import authenticate, rejection
from .feeds import feed_validators
from .models import ApiKey, Delivery, KeyRejected
from .ninjs_ext import canceled_ninjs, partner_ninjs


def _check(request: HttpRequest) -> ApiKey:
    # whichever scheme ninja saw, the request's one key (header or ?key=) is what counts;
    # checked (and counted) once, even when the cached list below asked first
    known: ApiKey | None = getattr(request, "newswire_key", None)
    if known is not None:
        return known
    try:
        return authenticate(request)
    except KeyRejected as exc:
        raise HttpError(exc.status, exc.message) from None


class BearerKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiKey:
        return _check(request)


class HeaderKey(APIKeyHeader):
    param_name = "X-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return _check(request) if key else None


class QueryKey(APIKeyQuery):
    param_name = "key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return _check(request) if key else None


api = NinjaAPI(
    title="newswire partner API",
    version="1",
    description="The wire's stories as IPTC ninjs for approved partners: ninjs 2.2 unless "
    "you ask for 3.1, with `Accept: application/json; version=3.1` (or a `profile` naming "
    "IPTC's 3.1 schema, `http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json`) or the query "
    "parameter `?ninjs=3.1`; every object is valid against IPTC's schema for its version. "
    "Send your key as `Authorization: Bearer KEY` or `X-Api-Key: KEY`.",
    urls_namespace="api",
    auth=[BearerKey(), HeaderKey(), QueryKey()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


class Error(Schema):
    detail: Any = Field(..., description="What was wrong.")


class NinjsItem(BaseModel):
    """An IPTC ninjs 2.2 news item (see the profile at /api/v1/schemas/newswire-ninjs-1.json)."""

    model_config = ConfigDict(extra="allow")
    uri: str
    standard: dict[str, str]
    version: str
    pubstatus: str
    headlines: list[dict[str, str]]
    by: str
    bodies: list[dict[str, str]]


class NinjsItem31(BaseModel):
    """An IPTC ninjs 3.1 news item: the same story in 3.1's camelCase fields (asked for with
    ``Accept: application/json; version=3.1`` or ``?ninjs=3.1``)."""

    model_config = ConfigDict(extra="allow")
    uri: str
    standard: dict[str, str]
    version: str
    pubStatus: str
    headlines: list[dict[str, str]]
    by: str
    bodies: list[dict[str, str]]


AnyNinjs = NinjsItem | NinjsItem31


class StoryPage(Schema):
    items: list[AnyNinjs]
    next: str | None = Field(
        None, description="Pass as ?cursor= for the next page; null at the end."
    )


class Correction(Schema):
    version: int
    date: datetime
    note: str
    headline: str
    body: str


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A cursor is "MICROSECONDS-ID" of the last story on the page (its time since the
# epoch, and its id). Its pattern in the OpenAPI document admits only values
# that decode, so a well-formed cursor always gives a page (perhaps empty).
CURSOR = r"^[0-9]{1,17}-[0-9]{1,18}$"
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL; refuse it as a bad request
SLUG = r"^[-a-zA-Z0-9_]{1,200}$"
RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"


class StoryFilters(Schema):
    cursor: str | None = Field(None, description="From the previous page's `next`.", pattern=CURSOR)
    since: str | None = Field(
        None,
        description="Only stories published or corrected since then (RFC 3339, with its offset).",
        pattern=RFC3339,
        json_schema_extra={"format": "date-time"},
    )
    desk: str | None = Field(None, max_length=100, pattern=NO_NUL)
    reporter: str | None = Field(
        None, description="A reporter's name, exactly.", max_length=200, pattern=NO_NUL
    )
    limit: int = Field(20, ge=1, le=100)
    ninjs: str | None = Field(
        None, description="The ninjs version to answer in: 2.2 (the default) or 3.1; the "
        "`Accept` header's `version` or `profile` says the same.", pattern=r"^(2\.2|3\.1)$"
    )


_ACCEPT_VERSION = re.compile(r"""(?:version\s*=\s*"?|ninjs-schema_)(\d+\.\d+)""", re.I)


def wanted_version(request: HttpRequest) -> str:
    """The ninjs version a partner asks for: ``?ninjs=`` or, in ``Accept``, a ``version``
    parameter or a ``profile`` naming IPTC's schema; 2.2 when it asks for none. A version
    newswire does not write is a 406 with words."""
    asked = request.GET.get("ninjs") or ""
    if not asked:
        found = _ACCEPT_VERSION.search(request.headers.get("Accept", ""))
        asked = found.group(1) if found else "2.2"
    if asked not in VERSIONS:
        raise HttpError(406, f"ninjs {asked[:20]} is not served: ask for 2.2 or 3.1.")
    return asked


def _versioned(request: HttpRequest, response: HttpResponse, item: dict[str, Any]) -> Any:
    version = wanted_version(request)
    response["Vary"] = "Accept"
    if version != "2.2":
        response["Content-Type"] = f'application/json; profile="{SCHEMA_URIS[version]}"'
    return in_version(item, version)


def parse_since(value: str) -> datetime:
    # Parsed by hand, not by pydantic, whose lax mode would take "0.5" as a Unix time.
    try:
        # in UTC: PostgreSQL refuses offsets beyond ±15:59, which RFC 3339 allows
        return datetime.fromisoformat(value.upper().replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise HttpError(422, f"Invalid request: since: not a date-time: {value!r}") from exc


SlugPattern = Annotated[str, StringConstraints(pattern=SLUG)]

ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error, 429: Error}


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "An API key is required: send 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'."},
        status=401,
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', [])[1:]) or 'request'}: {e.get('msg', 'invalid')}"
        for e in exc.errors
    )
    return api.create_response(request, {"detail": f"Invalid request: {problems}"}, status=422)


def _encode(story: Story) -> str:
    micros = round(story.shown_at.timestamp() * 1_000_000)  # type: ignore[attr-defined]
    return f"{micros}-{story.pk}"


def _decode(cursor: str) -> tuple[datetime, int]:
    micros, _, pk = cursor.partition("-")
    if not micros.isdigit() or not pk.isdigit():
        raise HttpError(400, "Bad cursor: pass the `next` value of the previous page unchanged.")
    return EPOCH + timedelta(microseconds=int(micros)), int(pk)


def _deliver(key: ApiKey, stories: list[Story]) -> None:
    Delivery.record(key.partner_id, stories, Delivery.Channel.API)


def _public() -> QuerySet[Story]:
    return Story.objects.public().prefetch_related(
        "bylines__reporter", "media__licence", "versions"
    )


@api.get("/stories", response={200: StoryPage, **ERRORS}, summary="List stories")
def list_stories(
    request: HttpRequest, response: HttpResponse, filters: Query[StoryFilters]
) -> Any:
    """Public stories, newest first, with cursor pagination."""
    repeated = [name for name in StoryFilters.model_fields if len(request.GET.getlist(name)) > 1]
    if repeated:
        raise HttpError(422, f"Invalid request: {', '.join(repeated)}: give each parameter once.")
    qs = _public()
    if filters.since:
        since = parse_since(filters.since)
        corrected = StoryVersion.objects.filter(
            story=OuterRef("pk"), number__gt=1, created_at__gte=since
        )
        qs = qs.filter(Q(shown_at__gte=since) | Exists(corrected))
    if filters.desk:
        qs = qs.filter(desk=filters.desk)
    if filters.reporter:
        qs = qs.filter(bylines__reporter__name=filters.reporter)
    if filters.cursor:
        when, pk = _decode(filters.cursor)
        qs = qs.filter(Q(shown_at__lt=when) | Q(shown_at=when, id__lt=pk))
    page = list(qs[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    terms = current_terms()
    _deliver(request.auth, page)  # type: ignore[attr-defined]
    request.newswire_story_ids = [s.pk for s in page]  # type: ignore[attr-defined]
    kills = []
    if filters.since and not filters.cursor:
        # withdrawals since then, to the partners who received the story, as wire services
        # send kills: the canceled item first, on the first page of a since= listing
        received = Delivery.objects.filter(story=OuterRef("pk"),
                                           partner_id=request.auth.partner_id)  # type: ignore[attr-defined]  # fmt: skip
        kills = [
            _versioned(request, response, canceled_ninjs(s, terms))
            for s in Story.objects.filter(
                status=Story.Status.WITHDRAWN, withdrawn_at__gte=parse_since(filters.since)
            ).filter(Exists(received)).order_by("-withdrawn_at", "-id")[:100]
        ]
    return {
        "items": kills + [_versioned(request, response, partner_ninjs(s, terms)) for s in page],
        "next": _encode(page[-1]) if more and page else None,
    }


def _story(slug: str) -> Story:
    story = _public().filter(slug=slug).first()
    if story is None:
        raise HttpError(
            404, "No public story has this slug (it may be unpublished, embargoed or withdrawn)."
        )
    return story


class VersionQuery(Schema):
    ninjs: str | None = Field(None, description="2.2 (the default) or 3.1.",
                              pattern=r"^(2\.2|3\.1)$")  # fmt: skip


@api.get(
    "/stories/{slug}", response={200: AnyNinjs, **ERRORS}, exclude_none=True, summary="One story"
)
def get_story(
    request: HttpRequest, response: HttpResponse, slug: PathStr[SlugPattern],
    asked: Query[VersionQuery],
) -> Any:  # fmt: skip
    withdrawn = Story.objects.filter(slug=slug, status=Story.Status.WITHDRAWN).first()
    partner_id = request.auth.partner_id  # type: ignore[attr-defined]
    if withdrawn and Delivery.objects.filter(story=withdrawn, partner_id=partner_id).exists():
        # to those who have it: why
        return _versioned(request, response, canceled_ninjs(withdrawn, Terms.current()))
    story = _story(slug)
    _deliver(request.auth, [story])  # type: ignore[attr-defined]
    return _versioned(request, response, partner_ninjs(story, Terms.current()))


@api.get(
    "/stories/{slug}/corrections", response={200: list[Correction], **ERRORS}, summary="Corrections"
)
def get_corrections(request: HttpRequest, slug: PathStr[SlugPattern]) -> Any:
    """Each correction: its date, note and the text it produced (profile `$defs/correction`)."""
    story = _story(slug)
    terms = Terms.current()
    return [
        {
            "version": v.number,
            "date": v.created_at,
            "note": v.note,
            "headline": v.headline,
            "body": partner_body(v.body, story, terms),  # restricted photos left out
        }
        for v in story.versions.all()
        if v.number > 1
    ]


@api.get(
    "/schemas/newswire-ninjs-1.json", auth=None, url_name="profile_schema", include_in_schema=False
)
def profile_schema(request: HttpRequest) -> HttpResponse:
    text = resources.files(__package__).joinpath("schemas/newswire-ninjs-1.json").read_text()
    return JsonResponse(json.loads(text))


def cached_story_list(request: HttpRequest) -> HttpResponse:
    """``GET /api/v1/stories``, rendered by django-ninja once per (query, feed fingerprint).

    Every partner asking the same question of the same wire gets the same page, so
    a page is kept under the feeds' fingerprint (wire/cache.py: it changes with any
    story, version or terms change, and at each embargo's release time). The key is
    still checked and counted, and the partner's deliveries recorded, on every request.
    """
    if request.method != "GET":
        return _ninja_story_list(request)  # ninja answers (405 for what it does not serve)
    try:
        key = authenticate(request)
    except KeyRejected as exc:
        return rejection(exc)
    request.newswire_key = key  # type: ignore[attr-defined]  # ninja's auth takes it from here
    query = sorted((k, v) for k, values in request.GET.lists() if k != "key" for v in values)
    query.append(("Accept", request.headers.get("Accept", "")))  # (the version asked for)
    if request.GET.get("since"):  # (a since= page carries this partner's own kills)
        query.append(("partner", str(key.partner_id)))
    fingerprint, _ = feed_validators()
    digest = hashlib.sha256(repr((request.get_host(), query, fingerprint)).encode()).hexdigest()
    cache_key = f"newswire:api:stories:{digest}"
    kept = cache.get(cache_key)
    if kept is not None:
        body, content_type, story_ids = kept
        Delivery.record_once(key.partner_id, story_ids, Delivery.Channel.API, digest)
        kept_response = HttpResponse(body, content_type=content_type)
        kept_response["Vary"] = "Accept"
        return kept_response
    response = _ninja_story_list(request)  # records this partner's deliveries itself
    ids = getattr(request, "newswire_story_ids", None)
    if response.status_code == 200 and ids is not None:
        cache.set(cache_key, (response.content, response["Content-Type"], ids), 24 * 3600)
    return response


def _ninja_story_list(request: HttpRequest) -> HttpResponse:
    for pattern in api.urls[0]:
        view = getattr(pattern, "callback", None)
        if str(getattr(pattern, "pattern", "")) == "stories" and view is not None:
            return view(request)  # type: ignore[no-any-return]
    raise RuntimeError("the API has no /stories route")  # pragma: no cover
