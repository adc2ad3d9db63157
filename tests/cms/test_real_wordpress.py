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

from ..realwp import BURST, RealWordPress, unavailable

pytestmark = [pytest.mark.skipif(bool(unavailable()), reason=unavailable() or "-"),
              pytest.mark.realwp]  # fmt: skip


@pytest.fixture
def newsroom(tmp_path: Path, settings: Any, wire_terms: Any) -> Iterator[RealWordPress]:
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]  # the newsroom's WordPress is on loopback
    site = RealWordPress(tmp_path, "The Newsroom").start()
    try:
        yield site
    finally:
        site.stop()


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
