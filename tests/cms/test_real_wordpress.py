"""The newsroom's WordPress as a source, against a real WordPress (Debian's package, on
loopback: tests/realwp). Skipped, with the reason, where scripts/real-wordpress-setup has
not run; .ci/run runs it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newswire.cms.models import Item, StorySource
from newswire.cms.poll import poll
from newswire.wire.models import Story

from ..realwp import BURST, NEEDED, RealWordPress, running

pytestmark = NEEDED


@pytest.fixture
def newsroom(tmp_path: Path, settings: Any, wire_terms: Any) -> Iterator[RealWordPress]:
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]  # the newsroom's WordPress is on loopback
    with running(tmp_path, "The Newsroom") as site:
        yield site


@pytest.fixture
def source(newsroom: RealWordPress) -> StorySource:
    return StorySource.objects.create(url=newsroom.url, kind="wordpress", publish=True,
                                      name="The Newsroom")  # fmt: skip


def test_a_burst_of_500_posts_is_imported_whole(newsroom, source):
    newsroom.php(BURST.replace("(int) getenv('NW_BURST')", "500"))
    done = poll(source)
    assert done.error == ""
    made = set(Item.objects.filter(source=source).values_list("cms_id", flat=True))
    ids = newsroom.php(
        "echo json_encode(get_posts(['numberposts' => -1, 'fields' => 'ids', "
        "'post_status' => 'publish']));")
    import json

    assert made == {str(i) for i in json.loads(ids)}
    assert Story.objects.filter(status="published").count() == 501  # and "Hello world!"


def test_the_sweep_imports_a_post_whose_time_is_before_the_window(newsroom, source, settings):
    poll(source)
    old = newsroom.php(
        "$id = wp_insert_post(['post_title' => 'An old story found late', 'post_status' => "
        "'publish', 'post_author' => 1, 'post_content' => '<p>Written long ago about the "
        "harbour and the ferry that stopped running that winter.</p>']);"
        "global $wpdb; $wpdb->update($wpdb->posts, ['post_modified_gmt' => '2020-01-01 00:00:00',"
        " 'post_modified' => '2020-01-01 00:00:00'], ['ID' => $id]); clean_post_cache($id);"
        "echo $id;").strip()
    poll(source)  # its modified time is before the window: the list does not show it
    assert not Item.objects.filter(source=source, cms_id=old).exists()
    settings.NEWSWIRE_SOURCE_SWEEP = 0
    swept = poll(source)
    assert swept.error == ""
    assert Item.objects.filter(source=source, cms_id=old).exists()
    assert Story.objects.get(cms_item__cms_id=old).headline == "An old story found late"


def _jpeg() -> bytes:
    import io

    from PIL import Image as Picture

    buffer = io.BytesIO()
    Picture.new("RGB", (640, 400), (40, 90, 180)).save(buffer, "JPEG")
    return buffer.getvalue()


BODY = ("<p>The council met on Monday to vote on the budget, and the vote was close.</p>"
        "<p>Residents packed the chamber and many stayed until the end of the night.</p>")  # fmt: skip


def test_two_reporters_in_one_author_a_cyrillic_title_and_a_caption_edit(newsroom, source):
    import json

    from newswire.distribution.wordpress import post_slug

    both = newsroom.php(
        "echo wp_insert_user(['user_login' => 'duo', 'user_pass' => wp_generate_password(), "
        "'display_name' => 'Anna Petrova and Ben Osei', 'role' => 'author', "
        "'user_email' => 'duo@example.org']);").strip()
    photo = newsroom.rest("POST", "wp/v2/media", content=_jpeg(), headers={
        "Content-Type": "image/jpeg", "Content-Disposition": 'attachment; filename="hall.jpg"'})
    assert photo.status_code == 201, photo.text
    media_id = photo.json()["id"]
    assert newsroom.rest("POST", f"wp/v2/media/{media_id}",
                         json={"caption": "The hall before the vote."}).status_code == 200
    made = newsroom.rest("POST", "wp/v2/posts", json={
        "title": "Москва: 40 000 человек вышли на улицы", "content": BODY, "status": "publish",
        "author": int(both), "featured_media": media_id})
    assert made.status_code == 201, made.text
    post_id = str(made.json()["id"])
    assert poll(source).error == ""
    story = Story.objects.get(cms_item__cms_id=post_id)
    assert [r.name for r in story.ordered_reporters()] == ["Anna Petrova", "Ben Osei"]
    assert story.slug.startswith("moskva-40-000-chelovek")
    assert post_slug(story).startswith("newswire-moskva-40-000")
    assert story.media.get().caption == "The hall before the vote."
    # the newsroom fixes the photo's caption only: the photo changes, the text is not corrected
    assert newsroom.rest("POST", f"wp/v2/media/{media_id}",
                         json={"caption": "The hall before the budget vote."}).status_code == 200
    newsroom.php(f"wp_update_post(['ID' => {post_id}]);")  # (WordPress moves the post's time)
    again = poll(source)
    assert again.error == "" and again.corrected == 0
    story.refresh_from_db()
    assert story.version == 1 and story.versions.count() == 1
    assert story.media.get().caption == "The hall before the budget vote."
    assert json.loads(newsroom.php("echo json_encode(1);")) == 1


def test_a_caption_edited_in_the_text_is_no_correction_and_a_word_is(newsroom, source):
    figure = ('<figure class="wp-block-image"><img src="{url}/x.jpg" alt="The hall">'
              '<figcaption class="wp-element-caption">{caption}</figcaption></figure>')
    first = BODY + figure.format(url=newsroom.url, caption="The hall before the vote.")
    made = newsroom.rest("POST", "wp/v2/posts", json={
        "title": "Council delays the budget vote", "content": first, "status": "publish"})
    post_id = made.json()["id"]
    poll(source)
    fixed = BODY + figure.format(url=newsroom.url, caption="The hall before the budget vote.")
    newsroom.rest("POST", f"wp/v2/posts/{post_id}", json={"content": fixed})
    done = poll(source)
    story = Story.objects.get(cms_item__cms_id=str(post_id))
    assert (done.corrected, done.error) == (0, "") and story.version == 1
    assert "before the budget vote" in story.body
    newsroom.rest("POST", f"wp/v2/posts/{post_id}",
                  json={"content": fixed.replace("Monday", "Tuesday")})
    done = poll(source)
    story.refresh_from_db()
    assert done.corrected == 1 and story.version == 2 and "Tuesday" in story.body


def test_scheduled_posts_arrive_embargoed_with_an_application_password(newsroom, source,
                                                                        admin_client, caplog):  # fmt: skip
    import logging

    from newswire.wire.models import Story as WireStory

    later = "2031-03-01T09:00:00"
    made = newsroom.rest("POST", "wp/v2/posts", json={
        "title": "Budget vote set for March", "content": BODY, "status": "future",
        "date_gmt": later})
    assert made.status_code == 201 and made.json()["status"] == "future", made.text
    post_id = str(made.json()["id"])
    poll(source)  # without a password: WordPress lists published posts only
    assert not Item.objects.filter(source=source, cms_id=post_id).exists()
    login = newsroom.app_password("wire-reader", "editor")
    caplog.set_level(logging.DEBUG)
    page = admin_client.post(f"/admin/cms/storysource/{source.pk}/change/", {
        "name": source.name, "url": source.url, "kind": "wordpress", "publish": "on",
        "active": "on", "every": "300", "next_poll_at_0": "2026-01-01",
        "next_poll_at_1": "00:00:00", "user": "wire-reader", "password": login,
        "faults-TOTAL_FORMS": "0", "faults-INITIAL_FORMS": "0"})
    assert page.status_code == 302, page.content.decode()[:2000]
    source.refresh_from_db()
    assert source.signed_in() and login not in source.password_token  # sealed, not in clear
    shown = admin_client.get(f"/admin/cms/storysource/{source.pk}/change/").content.decode()
    assert login not in shown
    done = poll(source)
    assert done.error == ""
    story = WireStory.objects.get(cms_item__cms_id=post_id)
    assert story.status == "scheduled" and story.release_at.isoformat().startswith("2031-03-01")
    assert not story.is_public()  # embargoed until its time
    assert login not in caplog.text


def test_a_posts_photo_is_copied_into_the_wires_own_store(newsroom, source, settings, client):
    from newswire.cms.models import Fault
    from newswire.wire.partner_copy import partner_html

    settings.NEWSWIRE_SOURCE_PHOTOS = True
    picture = _jpeg()
    photo = newsroom.rest("POST", "wp/v2/media", content=picture, headers={
        "Content-Type": "image/jpeg", "Content-Disposition": 'attachment; filename="hall.jpg"'})
    media_id = photo.json()["id"]
    made = newsroom.rest("POST", "wp/v2/posts", json={
        "title": "Council delays the budget vote", "content": BODY, "status": "publish",
        "featured_media": media_id})
    gone = newsroom.rest("POST", "wp/v2/posts", json={
        "title": "A story whose photo is gone", "content": BODY, "status": "publish",
        "featured_media": media_id})
    assert made.status_code == gone.status_code == 201
    assert poll(source).error == ""
    story = Story.objects.get(cms_item__cms_id=str(made.json()["id"]))
    photo_row = story.media.get()
    assert photo_row.file and photo_row.url.startswith(newsroom.url)  # kept, and whence
    src = photo_row.absolute_src()
    assert src.startswith(settings.SITE_URL) and "/media/photos/" in src
    served = client.get(src.removeprefix(settings.SITE_URL))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == picture
    snippet = partner_html(story)
    assert f'src="{newsroom.url}' not in snippet and f'src="{src}"' in snippet  # the wire's
    # a photo the CMS no longer gives (its file is gone): the story stays, the fault says so
    lost = newsroom.rest("POST", "wp/v2/media", content=picture, headers={
        "Content-Type": "image/jpeg", "Content-Disposition": 'attachment; filename="lost.jpg"'})
    for path in (newsroom.content / "uploads").rglob("lost*.jpg"):
        path.unlink()
    third = newsroom.rest("POST", "wp/v2/posts", json={
        "title": "A story whose photo is lost", "content": BODY, "status": "publish",
        "featured_media": lost.json()["id"]})
    assert poll(source).error == ""
    kept = Story.objects.get(cms_item__cms_id=str(third.json()["id"]))
    assert not kept.media.get().file and kept.status == "published"
    assert Fault.objects.filter(source=source, reason__contains="not copied to the wire").count() == 1
