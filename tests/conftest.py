"""Fixtures shared by the tests in this folder (the repository's root conftest.py isolates Jupyter)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from course import i18n


@pytest.fixture(autouse=True)
def english_after_each_test() -> Iterator[None]:
    """Every test starts and ends in English, whatever language a test switched to."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")
