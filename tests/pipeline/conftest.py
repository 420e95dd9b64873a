"""Fixtures shared by the runner's tests."""

from __future__ import annotations

import pytest

from vistka.pipeline import extractpool


@pytest.fixture
def pool(settings):
    """One extraction process, started and ready; shut down after the test."""
    settings.EXTRACT_PROCESSES = 1
    started = extractpool.pool()
    assert extractpool._READY.wait(120), "the extraction process did not start"
    yield started
    extractpool.shutdown()
