"""Fixtures for the crowd engine's tests.

Policy: tiny hand-written networks from ``crowd_factories`` for the laws; the built-in Qatar 2022
scenario for end-to-end checks; the shared experiment data where present. Nothing is mocked.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from crowd_factories import SHARED_DATA


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder {SHARED_DATA} is absent")
    return SHARED_DATA
