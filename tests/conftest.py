"""Shared test fixtures. Real data lives in ../shared/data beside the repo; tests skip without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ../shared/data; skips the test cleanly when it is absent (a user's fresh clone)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data not present (real gait data for validation)")
    return SHARED_DATA


@pytest.fixture
def browser() -> str:
    """Chromium's path; skips without it (a user's machine), fails in CI (GAITSCOPE_REQUIRE_BROWSER=1)."""
    from gaitscope.report import find_chromium

    exe = find_chromium()
    if exe is None:
        if os.environ.get("GAITSCOPE_REQUIRE_BROWSER"):
            pytest.fail("GAITSCOPE_REQUIRE_BROWSER is set but no Chromium was found (.ci/run installs it)")
        pytest.skip("headless Chromium not installed (apt-get install chromium); CI installs it in .ci/run")
    return exe
