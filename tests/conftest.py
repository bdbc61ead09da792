"""Shared test set-up: headless plotting, and the fixtures folder."""

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def figures_tmp(tmp_path, monkeypatch) -> Path:
    """Send figures to a temporary folder so tests never touch figures/."""
    d = tmp_path / "figures"
    monkeypatch.setenv("DVC_FIGURES_DIR", str(d))
    return d
