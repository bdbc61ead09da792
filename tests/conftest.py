"""Shared test set-up: headless plotting, and the fixtures folder."""

import os
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


# Unit tests pin hand-checked numbers on a frozen copy of the evidence (see the fixture's
# FIXTURE.md), so that adding newly published figures to data/ changes no unit test.
FROZEN_DATA = FIXTURES / "data_2024-08-31"
SHIPPED_DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True, scope="session")
def frozen_data() -> Path:
    """Every test (and module- or session-scoped fixture) reads the frozen evidence unless it
    asks for :func:`shipped_data`."""
    before = os.environ.get("DVC_DATA_DIR")
    os.environ["DVC_DATA_DIR"] = str(FROZEN_DATA)
    yield FROZEN_DATA
    if before is None:
        os.environ.pop("DVC_DATA_DIR", None)
    else:
        os.environ["DVC_DATA_DIR"] = before


@pytest.fixture
def shipped_data(monkeypatch) -> Path:
    """The data folder the project ships (``data/``), for tests about the data themselves."""
    monkeypatch.setenv("DVC_DATA_DIR", str(SHIPPED_DATA))
    return SHIPPED_DATA


@pytest.fixture
def data_2024_12_31(monkeypatch) -> Path:
    """The evidence as published up to 31 December 2024, frozen (see its FIXTURE.md)."""
    d = FIXTURES / "data_2024-12-31"
    monkeypatch.setenv("DVC_DATA_DIR", str(d))
    return d


@pytest.fixture
def dask_cluster():
    """A one-worker in-process Dask cluster (two threads, TCP on localhost) and its client."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1,
            processes=False,
            threads_per_worker=2,
            protocol="tcp",
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield cluster, client
