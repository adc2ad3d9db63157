from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newswire.wire.models import Story, Terms


@pytest.fixture
def editor(admin_client):
    return admin_client


def test_story_list_filters_and_search(editor, make_story):
    make_story("Budget Story", desk="Local")
    make_story("Draft Story", status=Story.Status.DRAFT, desk="Politics")
    make_story("Other Reporter Story", reporter="Tomás Oduya")
    url = reverse("admin:wire_story_changelist")
    page = lambda q: editor.get(url + q).content.decode()  # noqa: E731
    assert "Budget Story" in page("") and "Draft Story" in page("")
    drafts = page("?status__exact=draft")
    assert "Draft Story" in drafts and "Budget Story" not in drafts
    politics = page("?desk=Politics")
    assert "Draft Story" in politics and "Budget Story" not in politics
    from newswire.wire.models import Reporter

    tomas = Reporter.objects.get(name="Tomás Oduya")
    by_reporter = page(f"?reporters__id__exact={tomas.pk}")
    assert "Other Reporter Story" in by_reporter and "Budget Story" not in by_reporter
    found = page("?q=Oduya")
    assert "Other Reporter Story" in found and "Budget Story" not in found
    embargo = make_story("Future Story", release_at=timezone.now() + timedelta(days=1))
    assert embargo.headline in page("?embargo=on") and "Budget Story" not in page("?embargo=on")


def test_publish_now_action(editor, make_story):
    ready = make_story(
        "Ready", status=Story.Status.SCHEDULED, release_at=timezone.now() + timedelta(days=3)
    )
    orphan = make_story("No Byline", status=Story.Status.DRAFT, reporter=None)
    response = editor.post(
        reverse("admin:wire_story_changelist"),
        {"action": "publish_now", "_selected_action": [ready.pk, orphan.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Published 1 story" in text and "it has no reporter" in text
    ready.refresh_from_db(), orphan.refresh_from_db()
    assert ready.is_public() and ready.versions.count() == 1
    assert orphan.status == Story.Status.DRAFT


def test_withdraw_action(editor, client, make_story):
    story = make_story("Pull This")
    url = reverse("admin:wire_story_changelist")
    asked = editor.post(url, {"action": "withdraw", "_selected_action": [story.pk]})
    assert asked.status_code == 200 and "Why it is withdrawn" in asked.content.decode()
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED  # not before the reason is given
    no_reason = editor.post(url, {"action": "withdraw", "_selected_action": [story.pk],
                                  "apply": "1", "reason": " "})  # fmt: skip
    assert "Say why" in no_reason.content.decode()
    editor.post(url, {"action": "withdraw", "_selected_action": [story.pk], "apply": "1",
                      "reason": "A source retracted the quote."})  # fmt: skip
    story.refresh_from_db()
    assert story.status == Story.Status.WITHDRAWN
    assert story.withdrawn_reason == "A source retracted the quote." and story.withdrawn_at
    assert client.get(story.get_absolute_url()).status_code == 404


def _form(story: Story, **changes):
    data = {
        "headline": story.headline, "slug": story.slug, "desk": story.desk, "summary": story.summary,
        "body": story.body, "correction_note": "", "status": story.status, "release_at_0": "",
        "release_at_1": "", "canonical_url": story.canonical_url, "language": story.language,
        "bylines-TOTAL_FORMS": "0", "bylines-INITIAL_FORMS": "0",
        "media-TOTAL_FORMS": "0", "media-INITIAL_FORMS": "0",
        "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0",
    }  # fmt: skip
    data.update(changes)
    return data


def test_editing_a_published_story_needs_a_correction_note(editor, make_story):
    story = make_story()
    url = reverse("admin:wire_story_change", args=[story.pk])
    form_page = editor.get(url).content.decode()
    assert (
        "correction_note" in form_page
        and "Versions and corrections" in form_page
        and "Preview" in form_page
    )
    assert editor.get(reverse("admin:wire_story_add")).status_code == 200
    new_body = story.body.replace("Monday", "Sunday")
    response = editor.post(url, _form(story, body=new_body))
    assert response.status_code == 200 and "say what you corrected" in response.content.decode()
    story.refresh_from_db()
    assert "Sunday" not in story.body  # nothing saved
    response = editor.post(url, _form(story, body=new_body, correction_note="It was Sunday."))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.version == 2 and [c.note for c in story.corrections()] == ["It was Sunday."]


def test_saving_as_published_without_reporter_keeps_a_draft(editor, db):
    response = editor.post(
        reverse("admin:wire_story_add"),
        {**_form(Story(headline="Anonymous", body="<p>Text</p>", status="published", language="en"),
                 slug=""), "status": "published"},
        follow=True,
    )  # fmt: skip
    assert "Saved as a draft, not published" in response.content.decode()
    story = Story.objects.get(headline="Anonymous")
    assert story.status == Story.Status.DRAFT and not story.is_public()


def test_add_story_with_script_body_is_sanitised(editor, db):
    editor.post(
        reverse("admin:wire_story_add"),
        {**_form(Story(headline="XSS", body='<p onclick="x()">Hi</p><script>alert(1)</script>', status="draft",
                       language="en"), slug="")},
    )  # fmt: skip
    assert Story.objects.get(headline="XSS").body == "<p>Hi</p>"


def test_preview_shows_partner_copy_without_restricted_media(editor, make_story, wire_terms):
    story = make_story(photo_credit="Jo Smith/Getty Images", status=Story.Status.DRAFT)
    html = editor.get(reverse("admin:wire_story_preview", args=[story.pk])).content.decode()
    assert "By Grace Nakamura, City Hall Reporter, Plainfield News Service" in html
    assert "This story was first published by Plainfield News Service" in html
    assert "Held back from partners" in html and "Jo Smith/Getty Images" in html
    assert 'src="https://plainfieldnews.org/media/GettyImages-1.jpg"' not in html
    assert "It is not public now" in html


def test_preview_requires_staff(client, make_story):
    story = make_story()
    response = client.get(reverse("admin:wire_story_preview", args=[story.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_terms_admin_is_a_single_editable_record(editor, wire_terms):
    assert editor.get(reverse("admin:wire_terms_changelist"))["Location"].endswith(
        f"/{wire_terms.pk}/change/"
    )
    data = {
        "wire": "Plainfield News Service", "affiliation": "PNS", "site": "https://plainfieldnews.org",
        "contact": "s@p.org", "text": "Terms.", "logo_url": wire_terms.logo_url, "logo_alt": "PNS logo",
        "required": ["logo", "byline"], "allowed_edits": ["trim_end"], "restricted_credits": "Getty Images\nReuters\n",
    }  # fmt: skip
    response = editor.post(reverse("admin:wire_terms_change", args=[wire_terms.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    terms = Terms.current()
    assert terms.required == ["logo", "byline"] and terms.restricted_credits == [
        "Getty Images",
        "Reuters",
    ]
    assert (
        editor.get(reverse("admin:wire_terms_add")).status_code == 403
    )  # one wire per installation
