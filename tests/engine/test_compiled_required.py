"""Where the compiled parts are built and tested (Linux x86-64), they must be in use: a
part that fails to build or to bind leaves every result the same, only slower, so
without this test a broken binding would pass CI quietly."""

from __future__ import annotations

import os
import platform
import sys

import pytest

from newswire.engine import fingerprint, walks

pytestmark = [
    pytest.mark.skipif(
        sys.platform != "linux" or platform.machine() != "x86_64",
        reason="required only where they are built and tested: Linux x86-64",
    ),
    pytest.mark.skipif(
        bool(os.environ.get("NEWSWIRE_PURE_PYTHON")), reason="NEWSWIRE_PURE_PYTHON is set"
    ),
]


def test_the_compiled_sift_is_built():
    assert fingerprint.COMPILED is not None


def test_the_compiled_walk_is_bound():
    module = walks
    assert module.WALK is not None, f"the compiled walk is not bound: {module.WALK_MISSING}"


def test_the_compiled_sheet_reading_is_built():
    from newswire.engine import styles

    assert styles._compiled is not None
