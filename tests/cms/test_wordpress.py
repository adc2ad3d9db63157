"""A WordPress site followed through its REST API: two pages of posts with embedded authors,
Co-Authors Plus bylines and featured media; edits as corrections; deletions flagged."""

from __future__ import annotations

from newswire.cms.models import Fault, Item, StorySource
from newswire.cms.poll import poll
from newswire.wire.models import Reporter, Story, StoryVersion

from .fakecms import HOST


def _five(wp):
    for n in range(1, 6):
        wp.add(n, credit="Drew Angerer/Getty Images" if n == 1 else "Newsroom staff")
    wp.add(6, coauthors=[("Grace Nakamura", "grace-nakamura"), ("Kwame Thornbury", "kwame")])


def test_pages_of_posts_become_stories_with_bylines_desks_and_photos(wp, wp_source):
    _five(wp)
    done = poll(wp_source)
    assert (done.created, done.pages, done.error) == (6, 3, "")  # pages of 3, overlapping by 1
    assert Story.objects.count() == 6
    story = Story.objects.get(cms_item__cms_id="1")
    assert story.headline == "Council \u2018Budget\u2019 Story 1"  # entities undone
    assert story.status == "published" and story.versions.count() == 1
    assert story.desk == "Local" and story.canonical_url == f"{HOST}/2026/11/story-1/"
    assert story.byline() == "Grace Nakamura"
    grace = Reporter.objects.get(name="Grace Nakamura")
    assert grace.url == f"{HOST}/author/grace-nakamura/"
    photo = story.media.get()
    assert photo.credit == "Drew Angerer/Getty Images" and photo.restricted()  # the terms say so
    assert photo.caption == "Residents at the meeting, story 1."
    assert not Story.objects.get(cms_item__cms_id="2").media.get().restricted()
    both = Story.objects.get(cms_item__cms_id="6")
    assert [r.name for r in both.ordered_reporters()] == ["Grace Nakamura", "Kwame Thornbury"]
    assert Reporter.objects.filter(name="Grace Nakamura").count() == 1


def test_a_second_poll_changes_nothing_and_asks_only_for_what_changed(wp, wp_source):
    _five(wp)
    poll(wp_source)
    before = list(Story.objects.order_by("pk").values_list("pk", "updated_at", "version"))
    wp.site.log.clear()
    again = poll(wp_source)
    assert (again.created, again.corrected, again.updated, again.error) == (0, 0, 0, "")
    assert again.unchanged == 6
    assert list(Story.objects.order_by("pk").values_list("pk", "updated_at", "version")) == before
    asked = [p for _, p, _, _ in wp.site.log if p.startswith("/wp-json/wp/v2/posts?")]
    assert asked and all("modified_after=" in p for p in asked)


def test_an_edit_of_the_text_is_a_correction_and_a_caption_typo_is_not(wp, wp_source):
    _five(wp)
    poll(wp_source)
    wp.edit(2, body=wp.posts[2]["content"]["rendered"].replace("Monday", "Tuesday"))
    wp.edit(3, caption="<p>Residents at the meeting, story three.</p>")
    done = poll(wp_source)
    assert (done.corrected, done.updated) == (1, 1)
    corrected = Story.objects.get(cms_item__cms_id="2")
    assert corrected.version == 2 and "Tuesday" in corrected.body
    assert corrected.versions.get(number=2).note == "Updated in the CMS"
    quiet = Story.objects.get(cms_item__cms_id="3")
    assert quiet.version == 1 and quiet.media.get().caption.endswith("story three.")
    assert Item.objects.get(cms_id="3").metadata_change == "photos"
    assert StoryVersion.objects.filter(number__gt=1).count() == 1


def test_an_editors_change_on_the_wire_is_not_undone_by_the_next_poll(wp, wp_source):
    wp.add(1)
    poll(wp_source)
    story = Story.objects.get()
    story.correct(body=story.body.replace("Monday", "Sunday"), note="Our fix.")
    wp.edit(1, tags=[9, 10])  # WordPress touches the post, its text is the same
    poll(wp_source)
    story.refresh_from_db()
    assert "Sunday" in story.body and story.version == 2


def test_posts_deleted_or_unpublished_are_flagged_never_withdrawn(wp, wp_source):
    _five(wp)
    poll(wp_source)
    wp.remove(4, 404)
    wp.remove(5, 401)
    StorySource.objects.filter(pk=wp_source.pk).update(swept_at=None)
    wp_source.refresh_from_db()
    done = poll(wp_source)
    assert done.flagged == 2 and not done.error
    flags = dict(Item.objects.values_list("cms_id", "flag"))
    assert flags["4"] == "deleted" and flags["5"] == "unpublished" and flags["1"] == ""
    assert set(Story.objects.values_list("status", flat=True)) == {"published"}


def test_a_post_with_no_title_is_a_fault_and_the_others_go_on(wp, wp_source):
    wp.add(1)
    wp.add(2, title="")
    wp.add(3)
    done = poll(wp_source)
    assert (done.created, done.skipped) == (2, 1)
    fault = Fault.objects.get(source=wp_source)
    assert fault.where.startswith("post 2") and "no title" in fault.reason


def test_a_post_with_no_author_waits_as_a_draft_until_it_has_one(wp, wp_source):
    wp.add(1, authors=[])
    done = poll(wp_source)
    story = Story.objects.get()
    assert done.created == 1 and story.status == "draft"
    assert "no author" in Fault.objects.get().reason
    wp.posts[1]["_embedded"]["author"] = [
        {"id": 9, "name": "Lena Ortiz", "link": f"{HOST}/author/lena/"}
    ]
    wp.edit(1)
    poll(wp_source)
    story.refresh_from_db()
    assert story.status == "published" and story.byline() == "Lena Ortiz"
    assert story.versions.count() == 1


def test_a_scheduled_post_is_embargoed_on_the_wire_until_its_time(wp, wp_source):
    from datetime import timedelta

    from django.utils import timezone

    from newswire.cms.readers import wordpress_entry
    from newswire.cms.store import store
    from newswire.wire.models import Terms

    # WordPress lists scheduled posts to an authorised reader only: the post is read as is
    later = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    post = wp.add(1, status="future", date=later)
    assert store(wp_source, wordpress_entry(post), Terms.current()) == "created"
    story = Story.objects.get()
    assert story.status == "scheduled" and story.release_at == later
    assert not Story.objects.public().exists()


def test_posts_that_leave_the_list_mid_poll_make_no_other_post_skipped(wp, wp_source):
    """Pages of posts are in a total order (by id) and overlap: a post deleted or
    unpublished between two page requests moves the others back, and none is skipped."""
    for n in range(1, 13):
        wp.add(n)
    left = []

    def unpublish_one(site):
        if not left:
            left.append(2)
            site.remove(2, 401)

    wp.between_pages = unpublish_one
    done = poll(wp_source)
    assert done.error == ""
    assert set(Item.objects.values_list("cms_id", flat=True)) >= {str(n) for n in range(3, 13)}
    asked = [p for _, p, _, _ in wp.site.log if p.startswith("/wp-json/wp/v2/posts?")]
    assert all("orderby=id" in p for p in asked)


def test_posts_sharing_their_modified_time_are_all_imported(wp, wp_source):
    for n in range(1, 31):
        wp.add(n)
        wp.posts[n]["modified_gmt"] = wp.posts[n]["modified"] = "2026-11-20T10:00:00"
    done = poll(wp_source)
    assert (done.created, done.error) == (30, "")


def test_the_sweep_imports_a_post_newswire_never_saw(wp, wp_source, settings):
    for n in range(1, 5):
        wp.add(n)
    poll(wp_source)
    old = wp.add(9)
    old["modified_gmt"] = old["modified"] = "2020-01-01T00:00:00"  # before the cursor's window
    settings.NEWSWIRE_SOURCE_SWEEP = 0
    done = poll(wp_source)
    assert done.created == 1 and Item.objects.filter(cms_id="9").exists()
