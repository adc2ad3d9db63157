"""A server or worker without the compiled walk says so (issue 31, item 15): once at start,
in the log, and in ``newswire --version``."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

from click.testing import CliRunner

from newswire.cli import cli
from newswire.engine import walks as extract


def test_version_says_whether_the_walk_is_compiled():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and "newswire, version" in result.output
    expected = "walk compiled" if extract.WALK is not None else "walk MISSING"
    assert expected in result.output


def test_without_the_walk_version_and_start_say_so():
    env = {**os.environ, "NEWSWIRE_PURE_PYTHON": "1"}
    out = subprocess.run([sys.executable, "-m", "newswire", "--version"], env=env,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.returncode == 0 and "walk MISSING: NEWSWIRE_PURE_PYTHON is set" in out.stdout
    code = ("import logging; from newswire.engine.walks import warn_if_slow; "
            "logging.basicConfig(); print(warn_if_slow(logging.getLogger('newswire')))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert out.stdout.strip() == "True"
    assert "without its compiled walk (NEWSWIRE_PURE_PYTHON is set)" in out.stderr


def test_a_server_with_the_walk_says_nothing(caplog):
    caplog.set_level(logging.WARNING)
    warned = extract.warn_if_slow(logging.getLogger("newswire"))
    assert warned is (extract.WALK is None)
    assert ("compiled walk" in caplog.text) is warned
