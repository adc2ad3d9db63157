from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from newswire.wire.models import Licence, Story

from ..embargo import assert_embargo_holds


def test_home_lists_public_stories_newest_first(client, make_story):
    now = timezone.now()
    make_story("Older Story", release_at=now - timedelta(days=2))
    make_story("Newer Story", release_at=now - timedelta(hours=1), desk="Politics")
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Newer Story") < html.index("Older Story")
    assert "By Grace Nakamura, City Hall Reporter" in html and "Politics" in html
    assert 'name="viewport"' in html  # usable on a phone
    only = client.get("/?desk=Politics").content.decode()
    assert "Newer Story" in only and "Older Story" not in only


def test_story_page_shows_byline_body_media_credit_and_corrections(client, make_story, wire_terms):
    story = make_story(photo_credit="Jo Smith/Getty Images")
    story.correct(body=story.body.replace("Monday", "Sunday"), note="The protest was on Sunday.")
    html = client.get(story.get_absolute_url()).content.decode()
    assert "<h1>Council Delays Budget Vote</h1>" in html
    assert "Grace Nakamura" in html and "City Hall Reporter" in html
    assert (
        "Sunday evening" in html and "Jo Smith/Getty Images" in html
    )  # own site shows the licensed photo
    assert "The protest was on Sunday." in html
    assert f'rel="canonical" href="{story.public_url()}"' in html
    diff = client.get(f"{story.get_absolute_url()}versions/2/").content.decode()
    assert "<del>" in diff and "Monday" in diff and "<ins>" in diff and "Sunday" in diff
    first = client.get(f"{story.get_absolute_url()}versions/1/").content.decode()
    assert "Monday evening" in first
    assert client.get(f"{story.get_absolute_url()}versions/9/").status_code == 404


def test_public_site_respects_the_embargo(client, db):
    assert_embargo_holds(
        client,
        list_urls=["/", "/?desk=Test"],
        detail_urls=lambda s: [s.get_absolute_url(), f"{s.get_absolute_url()}versions/1/"],
    )


def test_unknown_story_is_404(client, db):
    assert client.get("/stories/no-such-story/").status_code == 404


def test_partner_copy_passes_the_engines_checks(make_story, wire_terms, restricted_licence):
    """The preview (and later the snippet) pasted unchanged into someone's page is compliant."""
    from newswire.engine import Scanner, story_from_ninjs, terms_from_dict
    from newswire.engine.types import Page
    from newswire.wire.models import Media
    from newswire.wire.ninjs import to_ninjs
    from newswire.wire.partner_copy import partner_html

    story = make_story(photo_credit="Jo Smith/Getty Images")
    Media.objects.create(story=story, url="https://plainfieldnews.org/media/own.jpg", credit="Staff/PNS",
                         caption="Own photo", position=1)  # fmt: skip
    Media.objects.filter(credit__contains="Getty").update(licence=restricted_licence)
    terms, problems = terms_from_dict(wire_terms.to_dict())
    assert problems == []
    engine_story = story_from_ninjs(to_ninjs(story, wire_terms), terms)
    assert any(i.restricted for i in engine_story.images)
    copy = partner_html(story, wire_terms)
    assert "GettyImages-1.jpg" not in copy and "own.jpg" in copy
    page = (
        "<html><head><title>Local Daily</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<main>{copy}</main><footer>© Local Daily</footer></body></html>"
    ).encode()
    matches = Scanner([engine_story], terms).scan_page(
        Page(url="https://localdaily.example/news/1", body=page)
    )
    assert len(matches) == 1
    match = matches[0]
    checks = {c.name: c.passed for c in match.checks}
    assert match.coverage > 0.95 and match.compliant, checks
    assert checks["link"] is True and checks["unedited"] is True


def test_withdrawn_story_disappears(client, make_story):
    story = make_story("Going Away")
    assert client.get(story.get_absolute_url()).status_code == 200
    story.withdraw()
    assert client.get(story.get_absolute_url()).status_code == 404
    assert "Going Away" not in client.get("/").content.decode()
    assert Story.objects.filter(pk=story.pk).exists()  # hidden, not deleted


def test_licence_str(db):
    assert "restricted" in str(Licence(name="x", redistributable=False))


def test_embargo_holds_for_uploaded_photos(client, wire_terms):
    from ..embargo import assert_media_holds

    assert_media_holds(client)


def test_uploaded_svg_is_never_shown_inline(client, make_story):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from newswire.wire.models import Media

    story = make_story()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
    photo = Media(story=story, caption="Chart")
    photo.file.save("chart.svg", SimpleUploadedFile("chart.svg", svg))
    photo.save()
    from ..embargo import close_file_response

    response = client.get(photo.src())
    close_file_response(response)
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get("/media/secret-key").status_code == 404
    assert client.get("/media/../secret-key").status_code == 404
