"""The wire's data: stories, reporters, media and licences, versions (corrections), terms.

Visibility rule (the embargo): a story is public when it is ``published``
(and its ``release_at``, if any, has passed) or ``scheduled`` and its
``release_at`` has passed. Drafts and withdrawn stories are never public.
Every public surface goes through :meth:`StoryQuerySet.public`.
"""

from __future__ import annotations

import re
import secrets
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any

from anyascii import anyascii
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.text import slugify

from ..engine.types import CHECK_NAMES
from .sanitize import clean_html, one_line, text_of

EDIT_CHOICES = [
    ("trim_end", "Trim paragraphs from the end"),
    ("headline", "Write a new headline"),
]


#: Every URL a story, photo or the terms hold is http(s): a ``javascript:`` link would run
#: in a partner's page (the snippet, the feed) or in an editor's admin session.
@deconstructible
class WebURLValidator(URLValidator):
    """An http(s) URL newswire can use: Django's URL rules, then the safe fetcher's own
    (``fetch.url_problem``: a host that can be read, ``xn--`` labels valid IDNA, no user
    name or password), so a URL is refused in words where it comes in, never later."""

    def __call__(self, value: Any) -> None:
        super().__call__(value)
        from ..fetch import url_problem

        why = url_problem(str(value))
        if why:
            raise ValidationError(f"{self.message} ({why})", code=self.code,
                                  params={"value": value})  # fmt: skip


http_url = WebURLValidator(schemes=["http", "https"], message="Enter an http:// or https:// URL.")

#: The largest story body accepted (HTML after cleaning). A long read is about 100 kB;
#: every feed poll carries the 50 latest stories in full, so one 50 MB story would
#: make every poll 50 MB.
MAX_BODY_CHARS = 2_000_000


_DANGLING = re.compile(r"\b(contact|e-?mail|write to|reach)(\s+us)?(\s+at)?\s*:?$", re.IGNORECASE)


def safe_href(url: str) -> str:
    """``url`` if it is http(s), else "": the second line, on the way out."""
    return url if url.lower().startswith(("http://", "https://")) else ""


def new_uri() -> str:
    return f"urn:newswire:{uuid.uuid4().hex}"


def photo_path(instance: Any, filename: str) -> str:
    """An unguessable name for an uploaded photo: ``photos/YYYY/MM/<128 random bits>/name``.

    The media view checks the story's visibility too; the random folder keeps a
    photo of an embargoed story from being found by trying names even if a web
    server in front serves ``/media/`` itself.
    """
    name = Path(filename).name or "photo"
    return f"photos/{timezone.now():%Y/%m}/{secrets.token_hex(16)}/{name}"


class Reporter(models.Model):
    name = models.CharField(max_length=200, unique=True)
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text='As printed in the byline, e.g. "Investigative Reporter, Defense".',
    )
    affiliation = models.CharField(
        max_length=200, blank=True, help_text="Blank: the wire's own affiliation (from the terms)."
    )
    email = models.EmailField(blank=True)
    url = models.URLField(
        max_length=500,
        blank=True,
        validators=[http_url],
        help_text="The reporter's author page in the newsroom's CMS (matches CMS bylines).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def credit(self) -> str:
        """ "NAME, TITLE" as the byline prints it."""
        return ", ".join(p for p in (self.name, self.title) if p)


class Licence(models.Model):
    """What the wire may do with a piece of media it holds."""

    name = models.CharField(max_length=200, unique=True)
    usage_terms = models.TextField(blank=True, help_text="As given by the rights holder.")
    redistributable = models.BooleanField(
        default=False,
        help_text="The wire may pass media under this licence on to partners. "
        "Agency photos licensed for the wire's own site only are not.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({'partners may republish' if self.redistributable else 'restricted'})"


def released_q(now: Any = None, prefix: str = "") -> Q:
    """The stories the world has been shown: public now, or withdrawn after their release.

    The one rule for what a partner may see anything of (its copies of a story, their
    fixes, the story's snippet among them): a story that is a draft, scheduled or under
    embargo is seen by nobody outside the newsroom before its release, even when a copy of
    it turns up on a partner's site. ``prefix``: the path to the story (``"story__"``).
    A withdrawn story counts as released when it was released before it was withdrawn
    (its release time, or lacking one its publication, not after the withdrawal).
    """
    now = now or timezone.now()
    Status = Story.Status

    def q(**kw: Any) -> Q:
        return Q(**{prefix + k: v for k, v in kw.items()})

    unheld = q(release_at__isnull=True) | q(release_at__lte=now)
    public = (q(status=Status.PUBLISHED) & unheld) | q(status=Status.SCHEDULED, release_at__lte=now)
    shown_then = q(release_at__lte=F(prefix + "withdrawn_at")) | q(
        release_at__isnull=True, published_at__lte=F(prefix + "withdrawn_at")
    )
    return public | (q(status=Status.WITHDRAWN, withdrawn_at__isnull=False) & shown_then)


class StoryQuerySet(models.QuerySet["Story"]):
    def released(self, now: Any = None) -> StoryQuerySet:
        """Stories public now or withdrawn after their release (:func:`released_q`)."""
        return self.filter(released_q(now))

    def public(self, now: Any = None) -> StoryQuerySet:
        """Stories anyone may see: released, not draft, not withdrawn. Newest first."""
        now = now or timezone.now()
        released = Q(release_at__isnull=True) | Q(release_at__lte=now)
        return (
            self.filter(
                (Q(status=Story.Status.PUBLISHED) & released)
                | Q(status=Story.Status.SCHEDULED, release_at__lte=now)
            )
            .annotate(shown_at=Coalesce("release_at", "published_at", "created_at"))
            .order_by("-shown_at", "-id")
        )


def headline_slug(headline: str) -> str:
    """A story's slug: the headline's words, in any script, written in Latin letters
    (anyascii: "Москва: 40 000 человек" is ``moskva-40-000-chelovek``), so that the wire's
    URLs and a partner's post keep them; "story" only for a headline with no words."""
    return slugify(anyascii(headline))[:180].strip("-") or "story"


def _story_path(slug: str) -> str:
    """``reverse("wire:story", slug=…)``: reversed once per URLconf and script prefix, then
    filled in (the warm wire reads every story's URL: a reverse() each was a fifth of it).
    A slug is letters, digits, "-" and "_" (SlugField): nothing reverse() would quote."""
    if not _SLUG.fullmatch(slug):
        return reverse("wire:story", kwargs={"slug": slug})
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _story_path_around(urlconf, get_script_prefix()).replace(_SLOT, slug)


_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_SLOT = "newswire-slug-slot"


@lru_cache(maxsize=8)
def _story_path_around(urlconf: Any, prefix: str) -> str:
    """The story's path with a slot for its slug (``prefix`` keys the cache: reverse()
    reads the script prefix itself)."""
    return reverse("wire:story", kwargs={"slug": _SLOT}, urlconf=urlconf)


class Story(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled (embargoed)"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    headline = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(
        help_text="HTML; scripts, styles and event attributes are removed.",
        validators=[MaxLengthValidator(MAX_BODY_CHARS)],
    )
    desk = models.CharField(max_length=100, blank=True, db_index=True)
    reporters: models.ManyToManyField[Reporter, Byline] = models.ManyToManyField(
        Reporter, through="Byline", related_name="stories", blank=True
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    release_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="Embargo: hidden everywhere until then."
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_reason = models.TextField(
        blank=True, help_text="Why it was withdrawn: sent to the partners who have it."
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    canonical_url = models.URLField(
        max_length=500,
        blank=True,
        validators=[http_url],
        help_text="Blank: the story's page on this site.",
    )
    uri = models.CharField(
        max_length=300, unique=True, default=new_uri, help_text="ninjs uri; never changes."
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    language = models.CharField(max_length=20, default="en")
    source = models.CharField(
        max_length=500, blank=True, editable=False, help_text="Where it was imported from."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # (the warm wire's stamp)

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.headline

    # --- saving ------------------------------------------------------------
    def save(self, *args: Any, **kwargs: Any) -> None:
        self.prepare()
        super().save(*args, **kwargs)

    def prepare(self, taken: set[str] | None = None, *, query: bool = True) -> None:
        """What every save makes true (and a bulk import, which saves many in one statement,
        makes true first): a clean body, a summary, a unique slug (not in ``taken`` either),
        an embargo that has passed is a publication, a withdrawal stamped once."""
        self.body = clean_html(self.body)
        self.headline = one_line(self.headline)  # (no line break or control character)
        if not self.summary:
            text = text_of(self.body)
            self.summary = text[:280].rsplit(" ", 1)[0] + "…" if len(text) > 280 else text
        if not self.slug:
            self.slug = self._unique_slug(taken, query=query)
        if (
            self.status == self.Status.SCHEDULED
            and self.release_at
            and self.release_at <= timezone.now()
        ):
            # an embargo that has already passed: the story is simply published
            self.status = self.Status.PUBLISHED
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = max(self.release_at or timezone.now(), self.created_at)
        # a withdrawal happens once: the save that makes it (the action, the change form)
        # stamps it, and the notices and take-downs go for that save only
        self.just_withdrawn = self.status == self.Status.WITHDRAWN and self.withdrawn_at is None
        if self.just_withdrawn:
            self.withdrawn_at = timezone.now()
        elif self.status != self.Status.WITHDRAWN:
            self.withdrawn_at = None

    def _unique_slug(self, extra: set[str] | None = None, *, query: bool = True) -> str:
        """The headline's slug, with -2, -3 … if taken (``extra``: taken too; without
        ``query``, ``extra`` is all that is taken: a bulk import looked them up at once)."""
        base = headline_slug(self.headline)
        taken = set(extra or ())
        if query:
            taken |= set(
                Story.objects.filter(slug__startswith=base)
                .exclude(pk=self.pk)
                .values_list("slug", flat=True)
            )
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        return slug

    def clean(self) -> None:
        if self.status == self.Status.SCHEDULED and not self.release_at:
            raise ValidationError({"release_at": "A scheduled story needs a release time."})

    # --- visibility ----------------------------------------------------------
    def is_public(self, now: Any = None) -> bool:
        now = now or timezone.now()
        if self.status == self.Status.PUBLISHED:
            return self.release_at is None or self.release_at <= now
        if self.status == self.Status.SCHEDULED:
            return self.release_at is not None and self.release_at <= now
        return False

    def was_released(self, now: Any = None) -> bool:
        """Public now, or withdrawn after its release: :func:`released_q` for one story."""
        if self.is_public(now):
            return True
        if self.status != self.Status.WITHDRAWN or self.withdrawn_at is None:
            return False
        shown = self.release_at or (self.published_at if self.release_at is None else None)
        return shown is not None and shown <= self.withdrawn_at

    @property
    def embargoed(self) -> bool:
        return self.release_at is not None and self.release_at > timezone.now()

    # --- workflow ------------------------------------------------------------
    def publish_problems(self) -> list[str]:
        """Why this story cannot be published now (empty when it can)."""
        problems = []
        if not self.pk or not self.bylines.exists():
            problems.append("it has no reporter: the terms require the reporter's byline")
        if not text_of(self.body):
            problems.append("its body is empty")
        return problems

    @transaction.atomic
    def publish_now(self) -> None:
        """Publish at once, lifting any embargo; record version 1 if there is none."""
        problems = self.publish_problems()
        if problems:
            raise ValidationError(f"{self.headline!r} cannot be published: {'; '.join(problems)}")
        now = timezone.now()
        if self.release_at and self.release_at > now:
            self.release_at = now
        self.status = self.Status.PUBLISHED
        if self.published_at is None:
            self.published_at = now
        self.save()
        self.snapshot()

    def withdraw(self, reason: str = "") -> None:
        """Take the story off every public surface; ``reason`` goes to the partners who have
        it (the withdrawal notice, the API's ``ednote``, the text of a pushed post)."""
        self.status = self.Status.WITHDRAWN
        self.withdrawn_reason = reason.strip()[:2000] or self.withdrawn_reason
        self.save(update_fields=["status", "withdrawn_reason", "withdrawn_at", "updated_at"])

    def snapshot(self, note: str = "", *, force: bool = False) -> StoryVersion:
        """Record the current text as a version (the first, or a correction with ``note``).

        An unchanged text records nothing, unless ``force``: an editor who says that a
        change outside the text (a photo's caption, say) is a correction partners must hear of.
        """
        last = self.versions.order_by("-number").first()
        same = last and last.body == self.body and last.headline == self.headline
        if last and same and not force:
            return last
        number = (last.number + 1) if last else 1
        version = StoryVersion.objects.create(
            story=self, number=number, headline=self.headline, body=self.body, note=note
        )
        if self.version != number:
            self.version = number
            Story.objects.filter(pk=self.pk).update(version=number)
        return version

    @transaction.atomic
    def correct(self, *, body: str, note: str, headline: str | None = None) -> StoryVersion | None:
        """Change the text of a story and record the change as a dated correction.

        Returns the new version, or ``None`` when nothing changed.
        """
        if not note.strip():
            raise ValidationError("A correction needs a note saying what changed.")
        if not self.versions.exists():
            self.snapshot()  # keep the text as it was before the correction
        old = (self.body, self.headline)
        self.body = body
        if headline is not None:
            self.headline = headline
        self.save()
        if (self.body, self.headline) == old:
            return None
        return self.snapshot(note=note.strip())

    # --- presentation ----------------------------------------------------------
    def get_absolute_url(self) -> str:
        # memoised per slug: a feed renders each story's URL several times
        cached = self.__dict__.get("_url")
        if cached is None or cached[0] != self.slug:
            cached = self.__dict__["_url"] = (self.slug, _story_path(self.slug))
        return cached[1]

    def public_url(self) -> str:
        return safe_href(self.canonical_url) or settings.SITE_URL + self.get_absolute_url()

    def ordered_bylines(self) -> list[Byline]:
        return sorted(self.bylines.all(), key=lambda b: (b.position, b.pk or 0))

    def ordered_reporters(self) -> list[Reporter]:
        return [b.reporter for b in self.ordered_bylines()]

    def byline(self, bylines: list[Byline] | None = None) -> str:
        """ "NAME, TITLE" for each reporter, joined as a byline is ("and" before the last);
        ``bylines``: :meth:`ordered_bylines`, when the caller has them already."""
        credits = [b.credit() for b in (self.ordered_bylines() if bylines is None else bylines)]
        if len(credits) <= 1:
            return "".join(credits)
        return "; ".join(credits[:-1]) + " and " + credits[-1]

    def corrections(self) -> list[StoryVersion]:
        """Versions after the first, oldest first (uses prefetched versions when there are)."""
        return sorted((v for v in self.versions.all() if v.number > 1), key=lambda v: v.number)

    def shown_time(self) -> Any:
        return self.release_at or self.published_at or self.created_at


class Byline(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="bylines")
    reporter = models.ForeignKey(Reporter, on_delete=models.PROTECT, related_name="bylines")
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="The title as printed on this story. Blank: the reporter's title.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["story", "reporter"], name="one_byline_per_reporter")
        ]

    def __str__(self) -> str:
        return self.credit()

    @property
    def shown_title(self) -> str:
        return self.title or self.reporter.title

    def credit(self) -> str:
        return ", ".join(p for p in (self.reporter.name, self.shown_title) if p)


class Media(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="media")
    position = models.PositiveSmallIntegerField(default=0)
    url = models.URLField(
        max_length=1000,
        blank=True,
        validators=[http_url],
        help_text="Where the image lives, or upload a file.",
    )
    file = models.FileField(upload_to=photo_path, max_length=300, blank=True)
    caption = models.TextField(blank=True)
    credit = models.CharField(
        max_length=300, blank=True, help_text='e.g. "Drew Angerer/Getty Images"'
    )
    copyright_holder = models.CharField(max_length=300, blank=True)
    licence = models.ForeignKey(
        Licence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Blank: restricted if the credit names a source the terms restrict.",
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "media"

    def __str__(self) -> str:
        return self.caption[:60] or self.src()

    def clean(self) -> None:
        if not self.url and not self.file:
            raise ValidationError("Give the image's URL or upload its file.")

    def src(self) -> str:
        if self.file:
            return str(self.file.url)
        return safe_href(self.url)

    def absolute_src(self) -> str:
        src = self.src()
        return src if safe_href(src) or not src else settings.SITE_URL + src

    def restricted(self, terms: Terms | None = None) -> bool:
        """Whether the wire may NOT pass this image on to partners."""
        if self.licence is not None:
            return not self.licence.redistributable
        terms = terms or Terms.current()
        return terms.restricts(f"{self.credit} {self.copyright_holder} {self.caption}")


class StoryVersion(models.Model):
    """A text of a story as it was published: number 1 is the first, later ones are corrections."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    headline = models.CharField(max_length=300)
    body = models.TextField()
    note = models.TextField(
        blank=True, help_text="What the correction changed (empty for the first version)."
    )

    class Meta:
        ordering = ["story", "number"]
        constraints = [
            models.UniqueConstraint(fields=["story", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.story.headline} v{self.number}"

    @property
    def is_correction(self) -> bool:
        return self.number > 1


class Terms(models.Model):
    """The wire's syndication terms: one row per installation."""

    wire = models.CharField(max_length=200, help_text="The wire's name as partners must print it.")
    affiliation = models.CharField(
        max_length=200,
        blank=True,
        help_text='The affiliation in the byline, e.g. "DCNF". Blank: the wire\'s name.',
    )
    site = models.URLField(blank=True, validators=[http_url])
    logo = models.FileField(upload_to="brand/", blank=True)
    logo_url = models.URLField(
        max_length=500,
        blank=True,
        validators=[http_url],
        help_text="Public URL of the logo. Blank: the uploaded file here.",
    )
    logo_alt = models.CharField(max_length=200, blank=True)
    required = models.JSONField(
        default=list, blank=True, help_text="Checks a compliant copy must pass."
    )
    allowed_edits = models.JSONField(default=list, blank=True)
    restricted_credits = models.JSONField(
        default=list,
        blank=True,
        help_text="Photo credits the wire may not pass on (e.g. Getty Images).",
    )
    contact = models.CharField(max_length=200, blank=True)
    canonical = models.CharField(
        "search engines",
        max_length=10,
        blank=True,
        choices=[
            ("", "Not checked"),
            ("link", "A canonical link to the story"),
            ("noindex", "noindex (kept out of search engines)"),
            ("either", "Either a canonical link to the story or noindex"),
        ],
        help_text="What a copy must tell search engines: the canonical check. Google's advice "
        "for syndicated copies moved from canonical links to noindex in 2023. Checked when set; "
        "held against a copy only if the canonical check is also required.",
    )
    text = models.TextField(blank=True, help_text="The terms as partners read them.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "terms"

    def __str__(self) -> str:
        return f"Terms of {self.wire}"

    def clean(self) -> None:
        bad = [c for c in self.required or [] if c not in CHECK_NAMES]
        if bad:
            raise ValidationError({"required": f"Unknown checks: {', '.join(bad)}"})
        if "canonical" in (self.required or []) and not self.canonical:
            self.canonical = "either"  # required without saying which sign: either will do
        edits = {e for e, _ in EDIT_CHOICES}
        bad = [e for e in self.allowed_edits or [] if e not in edits]
        if bad:
            raise ValidationError({"allowed_edits": f"Unknown edits: {', '.join(bad)}"})

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1  # one wire per installation
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> Terms:
        """The installation's terms (unsaved defaults if none were set)."""
        return cls.objects.filter(pk=1).first() or cls(
            wire="newswire",
            required=["logo", "byline", "affiliation", "restricted_media"],
            allowed_edits=["trim_end", "headline"],
        )

    @property
    def credit_name(self) -> str:
        return self.affiliation or self.wire

    @property
    def shown_text(self) -> str:
        """The terms as partners read them. A text that ends by pointing at a contact
        ("… please contact") gets the contact; without one, that last sentence is left
        out rather than left dangling."""
        text = (self.text or "").strip()
        if not _DANGLING.search(text):
            return text
        if self.contact:
            return f"{text} {self.contact}."
        head, sep, _ = text.rpartition(". ")
        return head + "." if sep else ""

    def logo_path(self) -> str:
        """The logo's URL for this site's own pages (relative when it is served here)."""
        if self.logo_url:
            return safe_href(self.logo_url)
        return str(self.logo.url) if self.logo else ""

    def logo_src(self) -> str:
        """The logo's absolute URL, for copies that leave this site."""
        path = self.logo_path()
        return settings.SITE_URL + path if path.startswith("/") else path

    def restricts(self, credit_text: str) -> bool:
        """Whether a photo's credit names a source the wire may not pass on."""
        text = credit_text.casefold()
        return any(c.casefold() in text for c in self.restricted_credits or [] if c)

    def to_dict(self) -> dict[str, Any]:
        """The terms in ``terms.json`` form (what ``newswire scan`` and ``terms load`` read)."""
        return {
            "wire": self.wire,
            "affiliation": self.affiliation or self.wire,
            "site": self.site or settings.SITE_URL,
            "logo": {"url": self.logo_src(), "alt": self.logo_alt or f"{self.wire} logo"},
            "restricted_credits": list(self.restricted_credits or []),
            "required": list(self.required or []),
            "allowed_edits": list(self.allowed_edits or []),
            "contact": self.contact,
            "text": self.text,
            **({"canonical": self.canonical} if self.canonical else {}),
        }
