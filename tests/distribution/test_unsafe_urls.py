"""A ``javascript:`` URL that reached the database anyway (an old row, a raw SQL fix) is
dropped on the way out of every surface: snippet, feeds, API, story page, admin preview."""

from __future__ import annotations

import pytest

from newswire.wire.models import Media, Story

EVIL = "javascript:alert(document.domain)"


@pytest.fixture
def poisoned(make_story, wire_terms):
    story = make_story()
    Media.objects.create(story=story, url="https://plainfieldnews.org/ok.jpg", caption="Fine")
    Story.objects.filter(pk=story.pk).update(canonical_url=EVIL)  # past the model's validators
    Media.objects.filter(story=story).update(url=EVIL)
    story.refresh_from_db()
    return story


def test_model_validation_refuses_non_http_urls(make_story):
    from django.core.exceptions import ValidationError

    story = make_story()
    story.canonical_url = EVIL
    with pytest.raises(ValidationError, match="canonical_url"):
        story.full_clean()
    with pytest.raises(ValidationError, match="url"):
        Media(story=story, url="data:text/html,<script>x</script>").full_clean()


def test_no_surface_hands_out_a_javascript_url(client, admin_client, poisoned, auth):
    urls = {
        "story page": (client, f"/stories/{poisoned.slug}/", {}),
        "snippet": (client, f"/stories/{poisoned.slug}/republish/", {}),
        "rss": (client, "/feeds/rss/", auth),
        "atom": (client, "/feeds/atom/", auth),
        "api list": (client, "/api/v1/stories", auth),
        "api item": (client, f"/api/v1/stories/{poisoned.slug}", auth),
        "admin preview": (admin_client, f"/admin/wire/story/{poisoned.pk}/preview/", {}),
    }
    for name, (c, url, headers) in urls.items():
        response = c.get(url, headers=headers)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        assert "javascript:" not in response.content.decode(), f"{name} hands out {EVIL}"
