"""wire/stories.py is the one writer of stories from outside fields (issue 36, item 4):
``newswire import`` (one by one and in bulk) and a CMS source's poll both call it, so a
story, its bylines, photos, reporters and first version are made in one place. The
models make their own versions (``Story.correct``, ``snapshot``); an editor's changes go
through the admin's forms, which build no model by hand."""

from __future__ import annotations

import ast
from pathlib import Path

from ..source_tree import call_base, found_elsewhere

MADE = {"Story", "Byline", "Media", "Reporter", "StoryVersion"}
#: built by hand only to be saved (a ``StoryVersion`` built to show a text is not saved)
BUILT = MADE - {"StoryVersion"}
CREATES = {"create", "bulk_create", "get_or_create", "update_or_create"}
#: the service, the models (their methods make versions), and the demo, which backdates
#: its seed story's correction (its notices are its own)
ALLOWED = {"wire/stories.py", "wire/models.py", "demo/history.py"}



def story_makers(path: Path) -> list[int]:
    """Lines of ``path`` that make a story or one of its parts: ``Story(...)`` (and the
    parts' classes) built by hand, or ``Story.objects.create(...)`` and its kin."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in BUILT:
            found.append(node.lineno)
        elif isinstance(node.func, ast.Attribute) and node.func.attr in CREATES:
            base = call_base(node.func.value)
            if isinstance(base, ast.Name) and base.id in MADE:
                found.append(node.lineno)
    return found


def test_only_the_stories_service_makes_stories():
    # (the engine is left out: pure Python, its Story is the engine's own type)
    assert found_elsewhere(story_makers, ALLOWED, skip=("engine",)) == set()


def test_the_check_finds_a_maker(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("Story(uri='x')\nByline.objects.bulk_create([])\n"
                     "Story.objects.filter(uri='x')\nReporter.objects.get_or_create(name='a')\n"
                     "Other(uri='x')\nStoryVersion(number=1)\n")  # fmt: skip
    assert story_makers(probe) == [1, 2, 4]
