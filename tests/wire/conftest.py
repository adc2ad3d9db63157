from __future__ import annotations

from typing import Any

import pytest

from newswire.wire.models import Byline, Licence, Media, Reporter, Story, Terms


@pytest.fixture
def wire_terms(db: Any) -> Terms:
    terms = Terms(
        wire="Plainfield News Service",
        affiliation="PNS",
        site="https://plainfieldnews.org",
        logo_url="https://plainfieldnews.org/static/brand/pns-logo-2x.png",
        logo_alt="Plainfield News Service logo",
        required=["logo", "byline", "affiliation", "restricted_media"],
        allowed_edits=["trim_end", "headline"],
        restricted_credits=["Getty Images", "AP Photo"],
        contact="syndication@plainfieldnews.org",
        text="Free to republish with our logo, byline and affiliation.",
    )
    terms.save()
    return terms


BODY = "".join(
    f"<p>Paragraph {n} of the council story says the budget vote {w} was delayed again "
    f"after residents packed the hall on {d} evening to protest the cuts.</p>"
    for n, (w, d) in enumerate(
        [("on parks", "Monday"), ("on roads", "Tuesday"), ("on schools", "Wednesday"),
         ("on libraries", "Thursday"), ("on transit", "Friday")],
        start=1,
    )
)  # fmt: skip


@pytest.fixture
def make_story(db: Any) -> Any:
    def make(
        headline: str = "Council Delays Budget Vote",
        *,
        reporter: str | None = "Grace Nakamura",
        title: str = "City Hall Reporter",
        status: str = Story.Status.PUBLISHED,
        body: str = BODY,
        photo_credit: str | None = None,
        **kwargs: Any,
    ) -> Story:
        story = Story(
            headline=headline, body=body, status=status, desk=kwargs.pop("desk", "Local"), **kwargs
        )
        story.save()
        if reporter:
            r, _ = Reporter.objects.get_or_create(name=reporter, defaults={"title": title})
            Byline.objects.create(story=story, reporter=r)
        if photo_credit is not None:
            Media.objects.create(
                story=story, url="https://plainfieldnews.org/media/GettyImages-1.jpg",
                caption="Residents at the meeting.", credit=photo_credit,
            )  # fmt: skip
        if status == Story.Status.PUBLISHED:
            story.snapshot()
        return story

    return make


@pytest.fixture
def restricted_licence(db: Any) -> Licence:
    return Licence.objects.create(name="Agency, wire's own site only", redistributable=False)
