"""Restricted photos are left out of the text partners receive, wherever they stand in
it, by the rule the checks use (issue 33, item 6): every surface that gives text to
partners (snippet and feeds through partner_html, the push, ninjs for the API, the
corrections endpoint, correction notices)."""

from __future__ import annotations

import pytest

from newswire.distribution.notices import payload
from newswire.wire.models import Media, StoryVersion, Terms
from newswire.wire.ninjs import to_ninjs, version_ninjs
from newswire.wire.partner_copy import partner_body, partner_html

TEXT = ("<p>The council met on Monday to vote on the budget, and the vote was close.</p>"
        "<p>Residents packed the chamber and many stayed until the end of the night.</p>")  # fmt: skip
BAD = "https://newsroom.example/wp-content/uploads/2026/11/IMG_2231.jpg"
GOOD = "https://newsroom.example/wp-content/uploads/2026/11/chamber.jpg"
AGENCIES = ["Getty Images", "AP Photo"]


def _held_forms(agency: str) -> list[str]:
    who = f"Ana Ruiz/{agency}"
    return [
        f'<figure><img src="{BAD}" alt="The chamber"><figcaption>Residents listen. Photo: {who}'
        "</figcaption></figure>",
        f'<p><img src="{BAD}" alt="The chamber ({who})"></p>',
        f'<p><img src="{BAD}" title="{who}"></p>',
        f'<div><img src="{BAD}" alt=""><p>Photo: {who}</p></div>',
        f'<div><p class="credit">{who}</p><img src="{BAD}" alt=""></div>',
        f'<figure><picture><source srcset="{BAD} 800w"><img src="{BAD}" alt=""></picture>'
        f"<figcaption>{who}</figcaption></figure>",
        f'<figure class="wp-caption"><img loading="lazy" data-src="{BAD}" src="{BAD}" alt="">'
        f'<figcaption class="wp-caption-text">(Photo by {who})</figcaption></figure>',
    ]


KEPT_FORMS = [
    f'<figure><img src="{GOOD}" alt="The chamber"><figcaption>Photo: Newsroom staff'
    "</figcaption></figure>",
    f'<p><img src="{GOOD}" alt="The chamber"></p>',
    f'<p><img src="{GOOD}" alt=""></p><p>{"The budget debate went on. " * 14}Getty Images '
    "was not there.</p>",  # a long paragraph that names an agency is no credit line
]


@pytest.fixture
def terms(wire_terms):
    return Terms.current()


@pytest.mark.parametrize("agency", AGENCIES)
@pytest.mark.parametrize("n", range(7))
def test_an_agency_photo_in_the_text_is_left_out(make_story, terms, agency, n):
    form = _held_forms(agency)[n]
    story = make_story(body=TEXT + form + f'<p><img src="{GOOD}" alt="kept"></p>')
    out = partner_body(story.body, story, terms)
    assert BAD not in out and agency not in out
    assert GOOD in out and "The council met on Monday" in out and "Residents packed" in out


@pytest.mark.parametrize("form", KEPT_FORMS)
def test_a_photo_partners_may_have_stays(make_story, terms, form):
    story = make_story(body=TEXT + form)
    assert GOOD in partner_body(story.body, story, terms)


def test_one_of_the_storys_restricted_photos_is_known_by_its_address(make_story, terms):
    story = make_story(body=TEXT + f'<p><img src="{BAD}" alt="The chamber"></p>'
                            f'<p><img src="/_next/image?url={BAD}&amp;w=640" alt=""></p>')
    Media.objects.create(story=story, url=BAD, caption="The chamber.", credit="Getty Images")
    out = partner_body(story.body, story, terms)
    assert "IMG_2231" not in out and "The council met" in out


def test_every_surface_that_gives_text_to_partners_leaves_it_out(make_story, terms,
                                                                 client, api_key):  # fmt: skip
    held = _held_forms("Getty Images")[0]
    story = make_story(body=TEXT + held)
    story.correct(body=story.body.replace("Monday", "Sunday"), note="It was Sunday.")
    version = StoryVersion.objects.get(story=story, number=2)
    surfaces = {
        "partner_html (snippet, feeds, push)": partner_html(story, terms),
        "ninjs for partners": str(to_ninjs(story, terms, partner=True)),
        "ninjs 3.1 for partners": str(to_ninjs(story, terms, partner=True, version="3.1")),
        "a version's ninjs": str(version_ninjs(story, version, terms, partner=True)),
        "a correction notice": str(payload_of(version)),
    }
    got = client.get(f"/api/v1/stories/{story.slug}/corrections",
                     HTTP_AUTHORIZATION=f"Bearer {api_key}")  # fmt: skip
    assert got.status_code == 200
    surfaces["the corrections endpoint"] = got.content.decode()
    got = client.get(f"/api/v1/stories/{story.slug}", HTTP_AUTHORIZATION=f"Bearer {api_key}")
    surfaces["the API's story"] = got.content.decode()
    for name, text in surfaces.items():
        assert BAD not in text, name
        assert "Sunday" in text or name in ("ninjs for partners",), name
    assert BAD in str(to_ninjs(story, terms))  # the wire's own (an editor's) view keeps it


def payload_of(version):
    class Notice:
        pass

    notice = Notice()
    notice.version = version
    return payload(notice)
