"""The apps' layers hold in the data too (issue 36, item 8): import-linter checks the code's
imports; this checks what Django joins by name — model relations, the URLs reversed and the
template tags loaded in code and templates — against the same layers, read from
pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "newswire"


def layers() -> dict[str, int]:
    """Each app's layer, from the import-linter contract (0 the lowest); apps in one layer
    share its number."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"]
                    if c["type"] == "layers")  # fmt: skip
    out: dict[str, int] = {}
    for height, layer in enumerate(reversed(contract["layers"])):
        for module in re.split(r"[|:]", layer):
            out[module.strip().removeprefix("newswire.")] = height
    return out


def test_every_model_relation_points_down_or_across():
    """A model may relate to a model of its own layer or a lower one: never up (a string
    reference such as ``"partners.Partner"`` is an import the linter cannot see)."""
    height = layers()
    upward = []
    for model in apps.get_models():
        app = model._meta.app_label
        if app not in height:
            continue
        for field in model._meta.get_fields():
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            target = field.related_model._meta.app_label
            if target in height and height[target] > height[app]:
                upward.append(f"{app}.{model.__name__}.{field.name} -> {target}")
    assert upward == []


_REVERSED = re.compile(r"""(?:reverse(?:_lazy)?\(\s*|\{%\s*url\s+|redirect\(\s*)["']([a-z_]+):""")
_LOADED = re.compile(r"\{%\s*load\s+([a-z_ ]+?)\s*%\}")  # template tag libraries, named by app


def reversed_upward(height: dict[str, int]) -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in (".py", ".html", ".txt") or "migrations" in path.parts:
            continue
        parts = path.relative_to(SRC).parts
        app = parts[0] if len(parts) > 1 else ""
        if app not in height:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            named = _REVERSED.findall(line) + [
                lib for libs in _LOADED.findall(line) for lib in libs.split()
            ]
            for namespace in named:
                if namespace in height and height[namespace] > height[app]:
                    found.append(f"{path.relative_to(SRC)}:{n} -> {namespace}")
    return found


def test_no_app_reaches_a_url_or_tag_of_an_app_above_it():
    """A page of a lower app names no page (``reverse``, ``{% url %}``, ``redirect``) and
    loads no template tags of a higher app: it shows what the higher app answers to a
    question (newswire/events.py: story_reach, story_page_parts, partner_links)."""
    assert reversed_upward(layers()) == []


def test_the_checks_find_what_points_up(tmp_path, monkeypatch):
    """(the tests above can fail: both ways of pointing up are found)"""
    height = layers()
    assert height["dashboard"] > height["wire"] and height["wire"] > height["engine"]
    before = reversed_upward(height)
    probe = SRC / "wire" / "_probe_for_the_test.html"
    try:
        probe.write_text('<a href="{% url \'dashboard:story\' story.slug %}">x</a>\n'
                         '{% url "wire:story" story.slug %}\n'
                         "{% url 'pickups:x' %} reverse('engine:y')\n")  # fmt: skip
        found = set(reversed_upward(height)) - set(before)
        assert found == {"wire/_probe_for_the_test.html:1 -> dashboard",
                         "wire/_probe_for_the_test.html:3 -> pickups"}  # fmt: skip
    finally:
        probe.unlink()
