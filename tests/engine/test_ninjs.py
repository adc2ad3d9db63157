from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from newswire.engine import Story, read_stories, story_from_ninjs
from newswire.engine.errors import StoryError
from newswire.engine.ninjs import validation_errors
from newswire.engine.types import Skip, Terms

from ..factories import ninjs, paragraphs


def test_story_from_ninjs(terms: Terms) -> None:
    item = ninjs("urn:x:1", paragraphs(1, n=3), photo="https://w.org/GettyImages-1.jpg")
    s = story_from_ninjs(item, terms)
    assert s.reporters == ("Grace Nakamura",) and len(s.paragraphs) == 3
    assert s.canonical_url.endswith("/stories/1") and s.images[0].restricted


def test_bad_lines_are_named_and_the_rest_read(tmp_path: Path, terms: Terms) -> None:
    good = ninjs("urn:x:1", paragraphs(1))
    no_body = {k: v for k, v in ninjs("urn:x:2", paragraphs(2)).items() if k != "bodies"}
    wrong_type = dict(ninjs("urn:x:3", paragraphs(3)), headlines="not a list")
    lines = [
        json.dumps(good),
        '{"uri": "urn:x:broken", ',
        json.dumps(no_body),
        json.dumps(wrong_type),
        "[1, 2]",
    ]
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(lines) + "\n")
    items = list(read_stories(path, terms))
    assert [i.uri for i in items if isinstance(i, Story)] == ["urn:x:1"]
    skips = {i.where: i for i in items if isinstance(i, Skip)}
    assert skips["line 2"].reason == "bad_json" and str(path) in str(skips["line 2"])
    assert skips["line 3"].reason in ("missing_field", "invalid_ninjs")
    assert skips["line 4"].reason == "invalid_ninjs" and "headlines" in skips["line 4"].message
    assert skips["line 5"].reason == "bad_story"


def test_a_place_with_geojson_validates_without_the_network() -> None:
    """ninjs refers places[].geojson to geojson.org; it resolves locally, never by a fetch."""
    item = {
        "uri": "urn:test:geo",
        "headlines": [{"value": "A story with a place"}],
        "bodies": [{"role": "main", "contenttype": "text/html", "value": "<p>Text.</p>"}],
        "places": [{"name": "Plainfield", "geojson": {"type": "Point", "coordinates": [1, 2]}}],
    }
    assert validation_errors(item) == []
    item["places"] = [{"name": "Plainfield", "geojson": {"type": "Blob"}}]
    [problem] = validation_errors(item)
    assert problem.startswith("places/0/geojson/type:") and "Blob" in problem


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_FIELDS = ["uri", "headlines", "bodies", "people", "by", "renditions", "associations", "places"]


@given(st.sampled_from(_FIELDS), _JSON, st.booleans())
@settings(max_examples=300, deadline=None)
def test_any_json_in_any_field_is_a_story_or_a_story_error(
    field: str, value: object, validate: bool
) -> None:
    """Whatever a line holds, reading it never raises anything but StoryError."""
    item = ninjs("urn:test:fuzz", paragraphs(1), photo="https://ex.org/a.jpg")
    item[field] = value
    try:
        story = story_from_ninjs(item, validate=validate)
    except StoryError as exc:
        assert exc.reason and exc.message  # named, for the skip line
    else:
        assert story.uri and story.paragraphs


def test_a_line_nested_too_deep_is_skipped_and_named(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    good = json.dumps(ninjs("urn:test:a", paragraphs(1)))
    path.write_text(
        good + "\n" + "[" * 100_000 + "]" * 100_000 + "\n" + good.replace(":a", ":b") + "\n"
    )
    got = list(read_stories(path))
    assert [type(g).__name__ for g in got] == ["Story", "Skip", "Story"]
    skip = got[1]
    assert isinstance(skip, Skip) and skip.where == "line 2" and "nested too deeply" in skip.message


def test_the_engine_reads_ninjs_3_and_1_as_it_reads_2_2(tmp_path, terms):
    """(issue 35) A scan's stories may come as ninjs 3.1 or 1.x: the same story either way."""
    from newswire.engine.ninjs import read_stories

    v22 = {"uri": "urn:e:1", "headlines": [{"value": "Bridge Opens"}], "by": "Ana Ruiz",
           "bodies": [{"value": "<p>The bridge opened.</p><p>Traffic moved.</p>"}]}  # fmt: skip
    v31 = {"uri": "urn:e:1", "standard": {"name": "ninjs", "version": "3.1"},
           "headlines": [{"value": "Bridge Opens"}], "by": "Ana Ruiz",
           "bodies": [{"contentType": "text/html",
                       "value": "<p>The bridge opened.</p><p>Traffic moved.</p>"}]}  # fmt: skip
    v16 = {"uri": "urn:e:1", "$standard": {"version": "1.6"}, "headline": "Bridge Opens",
           "byline": "Ana Ruiz", "body_html": "<p>The bridge opened.</p><p>Traffic moved.</p>"}
    read = []
    for n, item in enumerate((v22, v31, v16)):
        path = tmp_path / f"{n}.jsonl"
        path.write_text(json.dumps(item) + "\n")
        (story,) = list(read_stories(path, terms))
        read.append((story.headline, story.paragraphs, story.reporters))
    assert read[0] == read[1] == read[2] == ("Bridge Opens",
                                             ("The bridge opened.", "Traffic moved."), ("Ana Ruiz",))
