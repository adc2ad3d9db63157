"""Stories pushed into partners' WordPress, and kept as the wire keeps them.

A partner connects its WordPress (its address, a user and an *application password*,
WordPress's own credentials for REST clients); newswire then, through the safe fetcher:

- **creates a post** when a story is released (published, or its embargo ends): the
  headline, the body exactly as the "republish this story" snippet gives it (logo, byline
  with the affiliation, the attribution, the beacon; restricted photos left out), the
  shareable photos uploaded to the partner's media library with their captions and credits
  (the first one the featured image), and the canonical link or ``noindex`` the terms ask
  for, in the post meta Yoast SEO (``_yoast_wpseo_canonical``,
  ``_yoast_wpseo_meta-robots-noindex``) and Rank Math (``rank_math_canonical_url``,
  ``rank_math_robots``) read, where the site's plugin exposes them to the REST API (both
  plugins' meta are sent; WordPress ignores the keys no plugin registered);
- **updates the same post** when the story is corrected, with the correction's note above
  the text;
- **takes it down** when the story is withdrawn (to a draft or the trash, as the partner
  chose), its text replaced by a short notice.

Decisions, said here once:

- One post per partner and story. The post's slug is fixed (``newswire-<story slug>``): a
  push retried after an error whose post was in fact made finds it by that slug and adopts
  it, so a retry never makes a second post.
- A partner's own edit is never overwritten silently. Before an update newswire reads the
  post; if its title or text is not what newswire's last push left there (as WordPress
  stored them), the update is **held**. Publishing or scheduling a pushed draft, or saving
  it unchanged, moves WordPress's modified time but is no edit: the correction goes on
  for an editor (the admin and the partner's page show it, with "push anyway"), and the
  partner is told by the log on its page (the correction's e-mail, sent as ever, carries
  the new text).
- Every attempt is logged per partner (``PushLog``); a failure is retried with the notices'
  back-off (1 min, 5 min, 30 min, 2 h), then given up, with "retry now" on the partner's
  page and in the admin.
- Only stories released after the site was connected are pushed: connecting is not a
  request for the archive.

The calls go through :mod:`newswire.wordpress`, the one WordPress REST client (the CMS
sources read a newsroom's WordPress with it too), and with it through the one safe fetcher.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape
from django_tasks import task

from ..events import partner_told, wordpress_post_made
from ..fetch import FetchError, FetchPolicy, SafeClient, url_problem
from ..wire.models import Story, Terms
from ..wire.partner_copy import shareable_media
from ..wordpress import RestClient, basic_auth
from ..wordpress import WordPressError as WordPressError  # (its callers take it from here)
from .models import Delivery, PushLog, WordPressPost, WordPressSite, is_web_link
from .notices import BACKOFF
from .secrets import SecretLost
from .snippet import beacon_url, snippet_html

log = logging.getLogger(__name__)

TIMEOUT = 30.0
MEDIA_LIMIT = 20 * 1024 * 1024  # a photo larger than this is not pushed (never cut)
ANSWER_LIMIT = 20 * 1024 * 1024  # what WordPress may answer one call with
BUSY = timedelta(minutes=10)  # a push's claim on its post, longer than any push takes


class Client(RestClient):
    """The push's calls (:class:`~newswire.wordpress.RestClient`), as the partner's
    WordPress user with its application password."""

    def __init__(self, site: WordPressSite, password: str | None = None) -> None:
        secret = password if password is not None else site.password()
        policy = FetchPolicy.from_settings(settings, total_timeout=TIMEOUT,
                                           max_bytes=ANSWER_LIMIT)  # fmt: skip
        super().__init__(site.url.rstrip("/") + "/wp-json/", SafeClient(policy),
                         basic_auth(site.user, secret))  # fmt: skip

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()


#: the SEO plugins' post meta the push writes (see _seo_meta)
SEO_KEYS = ("_yoast_wpseo_canonical", "_yoast_wpseo_meta-robots-noindex",
            "rank_math_canonical_url", "rank_math_robots")  # fmt: skip


def seo_meta_taken(wp: Client) -> list[str]:
    """The SEO meta keys the site's REST API takes for posts: the ``meta`` properties of
    the posts schema (``OPTIONS /wp/v2/posts``). WordPress drops meta it does not know,
    silently; asked here, the partner's page can say so."""
    try:
        schema = wp.call("OPTIONS", "/posts").data
    except WordPressError:
        return []
    if not isinstance(schema, dict):
        return []
    props = ((schema.get("schema") or {}).get("properties") or {}).get("meta") or {}
    taken = props.get("properties") if isinstance(props, dict) else None
    return [k for k in SEO_KEYS if isinstance(taken, dict) and k in taken]


def check_connection(site: WordPressSite, password: str | None = None) -> str:
    """Who the site says we are ("" on success is never returned: the user's name), or
    raise :class:`WordPressError` saying what is wrong. Notes on ``site`` the SEO meta its
    REST API takes (``seo_meta``)."""
    with Client(site, password) as wp:
        me = wp.call("GET", "/users/me?context=edit").data
        if isinstance(me, dict) and "id" in me:
            site.seo_meta = seo_meta_taken(wp)
    if not isinstance(me, dict) or "id" not in me:
        raise WordPressError("the address answered, but not as a WordPress REST API does")
    caps = me.get("capabilities") or {}
    if isinstance(caps, dict) and caps:
        needed = ["upload_files", "publish_posts" if site.arrive_as == "publish" else "edit_posts"]
        lacking = [c for c in needed if not caps.get(c)]
        if lacking:
            roles = ", ".join(str(r) for r in me.get("roles") or []) or "no role"
            doing = ("publish posts" if site.arrive_as == "publish" else "write draft posts")
            raise WordPressError(
                f"the user {me.get('name', site.user)} ({roles}) may not upload photos and "
                f"{doing} on this site (it lacks {', '.join(lacking)}): give it the Author, "
                "Editor or Administrator role, or connect another user")
    return str(me.get("name") or site.user)


def connect(
    partner: Any,
    url: str,
    user: str,
    password: str,
    *,
    arrive_as: str = "draft",
    desks: list[str] | None = None,
    withdraw_as: str = "draft",
) -> WordPressSite:
    """Check the site with these credentials, then keep them (the password encrypted);
    raise :class:`WordPressError` (nothing kept) when the site refuses them."""
    why = url_problem(url.strip())
    if why:  # (checked here, where the address comes in: the form, the admin, the command)
        raise WordPressError(f"not a web address newswire can reach: {why}")
    # (partner_id, not partner: an unsaved site must not stand in the partner's cache as
    # its connection when the site refuses)
    site = WordPressSite(partner_id=partner.pk, url=url.strip(), user=user.strip(),
                         arrive_as=arrive_as, desks=list(desks or []),
                         withdraw_as=withdraw_as)  # fmt: skip
    try:
        name = check_connection(site, password)
    except WordPressError as exc:
        PushLog.objects.create(partner=partner, action="connect", ok=False,
                               detail=f"{url}: {exc}")  # fmt: skip
        raise
    with transaction.atomic():
        WordPressSite.objects.filter(partner=partner).delete()
        site.set_password(password)
        site.checked_at = timezone.now()
        site.save()
        PushLog.objects.create(partner=partner, action="connect",
                               detail=f"{site.url} as {name}")  # fmt: skip
    return site


def disconnect(partner: Any) -> bool:
    gone, _ = WordPressSite.objects.filter(partner=partner).delete()
    if gone:
        PushLog.objects.create(partner=partner, action="disconnect", detail="password removed")
    return bool(gone)


# --- what a post carries ---------------------------------------------------------


def post_slug(story: Story) -> str:
    return f"newswire-{story.slug}"[:190]


def _content(story: Story, terms: Terms, featured: Any = None) -> str:
    """The post's text: the snippet without the headline (the post's title shows it) and
    without the photo that is the post's featured image (its theme shows it)."""
    body = snippet_html(story, terms, as_post=True, featured=featured)
    last = story.versions.order_by("-number").first()
    if last is not None and last.number > 1 and last.note:
        note = (f'<p class="newswire-correction"><strong>Correction '
                f"({timezone.localtime(last.created_at):%Y-%m-%d}):</strong> "
                f"{escape(last.note)}</p>\n")  # fmt: skip
        body = note + body
    return body


def _seo_meta(story: Story, terms: Terms, taken: list[str] | None = None) -> dict[str, Any]:
    """What the terms ask of a copy's canonical link, in the SEO plugins' post meta the
    site takes (``taken``: asked at connect; None: every key, for a site connected before)."""
    mode = getattr(terms, "canonical", "") or ""
    meta: dict[str, Any] = {}
    if mode in ("link", "either"):
        url = story.public_url()
        meta = {"_yoast_wpseo_canonical": url, "rank_math_canonical_url": url}
    elif mode == "noindex":
        meta = {"_yoast_wpseo_meta-robots-noindex": "1", "rank_math_robots": ["noindex"]}
    return {k: v for k, v in meta.items() if taken is None or k in taken}


def _upload_photos(wp: Client, story: Story, terms: Terms,
                   skipped: list[str]) -> list[tuple[Any, int]]:  # fmt: skip
    """Upload the story's shareable photos (restricted ones never); return their ids. A
    photo that cannot be had whole (too large, not fetched) is left out, said in
    ``skipped``: never a cut file."""
    ids: list[tuple[Any, int]] = []
    for m in shareable_media(story, terms):
        try:
            data, name, kind = _photo_bytes(m)
        except PhotoSkipped as exc:
            skipped.append(str(exc))
            continue
        up = wp.call(
            "POST",
            "/media",
            raw=data,
            headers={"Content-Type": kind, "Content-Disposition": f'attachment; filename="{name}"'},
        )
        media_id = int(up.data["id"])
        caption = " ".join(x for x in (m.caption, f"Photo: {m.credit}" if m.credit else "") if x)
        wp.call("POST", f"/media/{media_id}", {"caption": caption, "alt_text": m.caption[:200],
                                               "description": caption})  # fmt: skip
        ids.append((m, media_id))
    return ids


class PhotoSkipped(Exception):
    """A photo left out of a push, in words for the delivery log."""


def _photo_bytes(m: Any) -> tuple[bytes, str, str]:
    """The photo's bytes, whole, with its file name and type; :class:`PhotoSkipped` when it
    is over :data:`MEDIA_LIMIT` or cannot be fetched."""
    said = m.caption[:60] or m.url[:120] or "a photo"
    if m.file:
        try:
            with m.file.open("rb") as fh:
                data = fh.read(MEDIA_LIMIT + 1)
        except OSError as exc:
            raise PhotoSkipped(f"photo {said!r} left out: its file cannot be read "
                               f"({exc.strerror or exc})") from None  # fmt: skip
        name = m.file.name.rsplit("/", 1)[-1]
    else:
        try:
            with SafeClient(FetchPolicy.from_settings(settings, total_timeout=TIMEOUT,
                                                      max_bytes=MEDIA_LIMIT)) as http:  # fmt: skip
                got = http.get(m.url)
        except FetchError as exc:
            words = ("it is larger than the upload limit" if exc.reason == "too_large"
                     else f"it could not be fetched: {exc.message}")  # fmt: skip
            raise PhotoSkipped(f"photo {said!r} left out: {words}") from None
        if got.status != 200:
            raise PhotoSkipped(f"photo {said!r} left out: {m.url[:200]} answered "
                               f"HTTP {got.status}")  # fmt: skip
        data, name = got.body, urlsplit(m.url).path.rsplit("/", 1)[-1] or "photo.jpg"
    if len(data) > MEDIA_LIMIT:
        raise PhotoSkipped(f"photo {said!r} left out: it is larger than the upload limit "
                           f"({MEDIA_LIMIT // (1024 * 1024)} MB)")  # fmt: skip
    kind = mimetypes.guess_type(name)[0] or "image/jpeg"
    return data, name.replace('"', ""), kind


# --- the push: what the post should be, made so ----------------------------------


def push(partner_id: int, story_id: int, *, force: bool = False) -> str:
    """Make the partner's post of the story what the story is now: created, corrected or
    taken down (or nothing, for a story not released or a desk the partner did not ask
    for). Idempotent: run twice, it does nothing the second time. Returns what it did."""
    site = WordPressSite.objects.filter(partner_id=partner_id).select_related("partner").first()
    story = Story.objects.filter(pk=story_id).first()
    if site is None or story is None:
        return "nothing to do"
    # the post on *this* site: one made on a site connected before is never acted on here
    post, _ = WordPressPost.objects.get_or_create(partner_id=partner_id, story=story,
                                                  site_url=site.site_key)  # fmt: skip
    # one push of a post at a time, on every worker: claimed by one UPDATE, so a second
    # push at the same moment neither makes a second post nor writes over the first's
    now = timezone.now()
    claimed = (
        WordPressPost.objects.filter(pk=post.pk)
        .filter(Q(busy_until__isnull=True) | Q(busy_until__lt=now))
        .update(busy_until=now + BUSY)
    )
    if not claimed:
        post.refresh_from_db(fields=["busy_until"])
        push_to_wordpress.using(run_after=post.busy_until or now + BUSY).enqueue(
            partner_id, story_id, force
        )
        return "busy"
    try:
        post.refresh_from_db()  # (what a push that ended a moment ago made of it)
        return _push(site, post, story, force=force)
    finally:
        WordPressPost.objects.filter(pk=post.pk).update(busy_until=None)


def _push(site: WordPressSite, post: WordPressPost, story: Story, *, force: bool) -> str:
    withdrawn = story.status == Story.Status.WITHDRAWN
    if withdrawn and (post.post_id is None or post.state == WordPressPost.State.DOWN):
        return "nothing to do"
    if not withdrawn and (not story.is_public() or not site.wants(story)):
        return "nothing to do"
    if (
        not withdrawn
        and post.post_id
        and post.version >= story.version
        and post.state in (WordPressPost.State.LIVE,)
    ):
        return "nothing to do"
    if post.state == WordPressPost.State.HELD and not force and post.version < story.version:
        return "held"
    terms = Terms.current()
    try:
        with Client(site) as wp:
            if withdrawn:
                return _take_down(wp, site, post, story)
            if post.post_id is None:
                return _create(wp, site, post, story, terms)
            return _update(wp, site, post, story, terms, force=force)
    except (WordPressError, SecretLost) as exc:
        return _failed(site, post, story, str(exc))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        # an answer of the wrong shape (a list where a post was due, an id that is no number)
        return _failed(site, post, story, f"the site's answer was not what WordPress sends "
                                          f"({type(exc).__name__}: {str(exc)[:200]})")  # fmt: skip


def _log(site: WordPressSite, story: Story, action: str, detail: str, ok: bool = True) -> None:
    PushLog.objects.create(partner=site.partner, story=story, action=action, ok=ok,
                           detail=detail[:2000])  # fmt: skip


def _text_digest(data: Any) -> str:
    """A digest of a post's title and text as WordPress stores them (``context=edit``
    gives the raw fields; ``rendered`` where a site gives no raw): what a partner's edit
    changes, and publishing, scheduling or an unchanged save does not."""
    if not isinstance(data, dict):
        return ""
    parts = []
    for key in ("title", "content"):
        field = data.get(key)
        if isinstance(field, dict):
            field = field.get("raw", field.get("rendered", ""))
        parts.append(" ".join(str(field or "").split()))
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _done(post: WordPressPost, data: dict[str, Any], state: str, version: int) -> None:
    post.post_id = int(data.get("id") or post.post_id or 0) or post.post_id
    link = str(data.get("link") or "")
    # only a web link is kept (it is shown as an href): a site's answer is not trusted
    post.link = (link if is_web_link(link) else post.web_link)[:2000]
    post.modified_gmt = str(data.get("modified_gmt") or "")
    post.pushed_text = _text_digest(data)
    post.version, post.state = version, state
    post.attempts, post.next_try_at, post.last_error = 0, None, ""
    post.updated_at = timezone.now()
    post.save()


def _create(wp: Client, site: WordPressSite, post: WordPressPost, story: Story,
            terms: Terms) -> str:  # fmt: skip
    slug = post_slug(story)
    found = wp.call("GET", f"/posts?slug={slug}&status=any&context=edit").data
    if not isinstance(found, list) or not all(isinstance(f, dict) for f in found):
        raise WordPressError("the slug lookup's answer was not a list of posts, as "
                             "WordPress's REST API gives")  # fmt: skip
    ours = [f for f in found if _made_by_us(f, slug, story)]
    for other in found:
        if other not in ours:
            _log(site, story, "left alone", f"post {str(other.get('id'))[:20]} answers the "
                 f"slug {slug} but is not one newswire made: not adopted, not changed")  # fmt: skip
    if ours:  # made by a push whose answer was lost: adopt it, and record it as any other
        _done(post, ours[0], WordPressPost.State.LIVE, post.version)
        _log(site, story, "adopt", f"post {ours[0].get('id')} made by an earlier try whose "
                                   "answer was lost")  # fmt: skip
        done = _update(wp, site, post, story, terms, adopted=True)
        Delivery.record(site.partner_id, [story], Delivery.Channel.WORDPRESS)
        _record_copy(post)
        return done
    skipped: list[str] = []
    photos = _upload_photos(wp, story, terms, skipped)
    for line in skipped:
        _log(site, story, "photo", line, ok=False)
    featured = photos[0][0] if photos else None
    body: dict[str, Any] = {"title": story.headline, "content": _content(story, terms, featured),
                            "status": site.arrive_as, "slug": slug,
                            "meta": _seo_meta(story, terms, site.seo_meta or None)}  # fmt: skip
    if photos:
        body["featured_media"] = photos[0][1]
    made = wp.call("POST", "/posts", body).data
    _done(post, made, WordPressPost.State.LIVE, story.version)
    # it has the story now: its corrections and withdrawal are told to it as to any partner
    Delivery.record(site.partner_id, [story], Delivery.Channel.WORDPRESS)
    _log(
        site,
        story,
        "create",
        f"post {post.post_id} ({site.arrive_as}), version "
        f"{story.version}, {len(photos)} photo{'' if len(photos) == 1 else 's'}: {post.link}",
    )
    _record_copy(post)
    return "created"


def _made_by_us(found: dict[str, Any], slug: str, story: Story) -> bool:
    """Whether a post the slug lookup gave is this story's, made by newswire: its slug is
    ours exactly and its text carries the story's beacon (every post newswire makes does)."""
    if found.get("slug") != slug or not isinstance(found.get("id"), int):
        return False
    content = found.get("content")
    text = " ".join(str(content.get(k) or "") for k in ("raw", "rendered")) if isinstance(
        content, dict) else str(content or "")  # fmt: skip
    return beacon_url(story) in text


def _edited(post: WordPressPost, now: Any) -> bool:
    """Whether the partner changed the post's title or text since newswire's last push
    (a post pushed before newswire kept the digest: by WordPress's modified time)."""
    if post.pushed_text:
        return _text_digest(now) != post.pushed_text
    theirs = str((now or {}).get("modified_gmt") or "") if isinstance(now, dict) else ""
    return bool(post.modified_gmt and theirs and theirs != post.modified_gmt)


def _update(wp: Client, site: WordPressSite, post: WordPressPost, story: Story, terms: Terms,
            *, force: bool = False, adopted: bool = False) -> str:  # fmt: skip
    now = wp.call("GET", f"/posts/{post.post_id}?context=edit").data
    theirs = str((now or {}).get("modified_gmt") or "") if isinstance(now, dict) else ""
    edited = _edited(post, now)
    if edited and not force and not adopted:
        post.state, post.updated_at = WordPressPost.State.HELD, timezone.now()
        post.save(update_fields=["state", "updated_at"])
        _log(
            site,
            story,
            "held",
            f"version {story.version} not written over post "
            f"{post.post_id}: the partner edited it (its title or text changed since our "
            f"push of {post.modified_gmt} UTC; WordPress last saved it at {theirs} UTC). "
            "An editor can push it anyway.",
            ok=False,
        )
        return "held"
    # the featured image the post was made with: the first photo that could be uploaded
    shareable = shareable_media(story, terms)
    has_featured = isinstance(now, dict) and bool(now.get("featured_media"))
    featured = shareable[0] if has_featured and shareable else None
    body = {"title": story.headline, "content": _content(story, terms, featured),
            "meta": _seo_meta(story, terms, site.seo_meta or None)}  # fmt: skip
    if post.state == WordPressPost.State.DOWN:
        body["status"] = site.arrive_as
    made = wp.call("POST", f"/posts/{post.post_id}", body).data
    was = post.version
    _done(post, made, WordPressPost.State.LIVE, story.version)
    _log(
        site,
        story,
        "update",
        f"post {post.post_id}: version {was} -> {story.version}"
        + (" (over the partner's edit, as an editor asked)" if force and edited else ""),
    )
    if was and was < story.version:
        _told(site, story, "correction")
    return "updated"


def _take_down(wp: Client, site: WordPressSite, post: WordPressPost, story: Story) -> str:
    reason = story.withdrawn_reason or "The story was withdrawn."
    notice = (f"<p><strong>This story has been withdrawn by {escape(Terms.current().wire)}."
              f"</strong> {escape(reason)}</p>")  # fmt: skip
    made = wp.call("POST", f"/posts/{post.post_id}", {"content": notice, "status": "draft"}).data
    if site.withdraw_as == WordPressSite.Withdraw.TRASH:
        made = wp.call("DELETE", f"/posts/{post.post_id}").data or made
    _done(post, made if isinstance(made, dict) else {}, WordPressPost.State.DOWN, post.version)
    _log(
        site,
        story,
        "take down",
        f"post {post.post_id}: to the {site.withdraw_as}, its text "
        f"replaced by the withdrawal notice ({reason})",
    )
    _told(site, story, "withdrawal")
    return "taken down"


def _told(site: WordPressSite, story: Story, kind: str) -> None:

    partner_told.send(sender=WordPressPost, partner_id=site.partner_id, story_id=story.pk,
                      kind=kind, at=timezone.now())  # fmt: skip


def _failed(site: WordPressSite, post: WordPressPost, story: Story, why: str) -> str:
    post.attempts += 1
    post.last_error = why[:2000]
    if post.attempts > len(BACKOFF):
        post.state, post.next_try_at = WordPressPost.State.GAVE_UP, None
    else:
        post.state = WordPressPost.State.FAILED
        post.next_try_at = timezone.now() + BACKOFF[post.attempts - 1]
    post.updated_at = timezone.now()
    post.save()
    _log(
        site,
        story,
        "failed",
        f"try {post.attempts}: {why}"
        + (
            f"; next try {timezone.localtime(post.next_try_at):%Y-%m-%d %H:%M}"
            if post.next_try_at
            else "; given up: retry it from the partner's page"
        ),
        ok=False,
    )
    if post.next_try_at:
        push_to_wordpress.using(run_after=post.next_try_at).enqueue(site.partner_id, story.pk)
    return "failed"


def _record_copy(post: WordPressPost) -> None:
    """The post is a copy of the story from the moment it exists: recorded as a pickup,
    checked like any other (the pickups app listens for this)."""

    wordpress_post_made.send(sender=WordPressPost, post=post)


@task()
def push_to_wordpress(partner_id: int, story_id: int, force: bool = False) -> str:
    return push(partner_id, story_id, force=force)


def queue_pushes(story: Story) -> int:
    """Queue a push of ``story`` to every connected partner who may want it: those it was
    pushed to (a correction, a withdrawal), and, for a released story, the others whose
    site was connected before it was released."""
    if not WordPressSite.objects.exists():
        return 0  # (no partner connected one: the common case, one cheap query)
    partners = set(WordPressPost.objects.filter(story=story).values_list("partner_id", flat=True))
    if story.is_public():
        released = story.shown_time()
        for site in WordPressSite.objects.filter(partner__status="active",
                                                 connected_at__lte=released):  # fmt: skip
            if site.wants(story):
                partners.add(site.partner_id)
    for partner_id in sorted(partners):
        _enqueue_once(partner_id, story.pk)
    return len(partners)


def _enqueue_once(partner_id: int, story_id: int) -> None:
    """Queue one push of the story to the partner when the transaction commits, however
    many changes of it the transaction holds (a correction saves a version and the story:
    two pushes at the same millisecond used a failing site's back-off twice as fast). The
    pending pushes are Django's own on-commit list, so a rolled-back change queues none."""
    key = (partner_id, story_id)
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(callback, "newswire_push", None) == key and not callback.sent
        for _, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_Push(key))


class _Push:
    """One push waiting for its transaction's commit (see :func:`_enqueue_once`)."""

    def __init__(self, key: tuple[int, int]) -> None:
        self.newswire_push = key
        self.sent = False

    def __call__(self) -> None:
        self.sent = True
        push_to_wordpress.enqueue(*self.newswire_push)


def due_pushes(now: Any = None) -> int:
    """Housekeeping: stories released since a site was connected that it has not got (an
    embargo that ended by the clock makes no event), and failed pushes whose time came."""
    now = now or timezone.now()
    queued = 0
    for site in WordPressSite.objects.filter(partner__status="active"):
        have = WordPressPost.objects.filter(
            partner_id=site.partner_id, site_url=site.site_key, post_id__isnull=False
        ).values("story_id")
        public = Story.objects.public(now)  # (annotated with the time it was shown from)
        missing = public.filter(shown_at__gte=site.connected_at).exclude(pk__in=have)  # type: ignore[misc]
        for story in missing[:200]:
            if site.wants(story):
                push_to_wordpress.enqueue(site.partner_id, story.pk)
                queued += 1
    return queued
