"""The interactive panel: builds without a kernel, and every change re-runs the projection."""

import matplotlib
import pytest

from dvcanalysis import explore, uptake

matplotlib.use("Agg")


def _widgets(panel):
    """Every control of the panel by its description."""
    found, stack = {}, [panel]
    while stack:
        w = stack.pop()
        stack.extend(getattr(w, "children", ()))
        if getattr(w, "description", ""):
            found[w.description.split(" ")[0]] = w
    return found


@pytest.fixture
def calls(monkeypatch):
    seen = []
    real = uptake.project

    def spy(*args, **kwargs):
        seen.append((args, kwargs))
        return real(*args, **{**kwargs, "n_draws": 100})

    monkeypatch.setattr(uptake, "project", spy)
    return seen


def test_panel_builds_and_draws_once(calls):
    panel = explore.uptake(n_draws=300, seed=3, lang="en")
    assert len(calls) == 1
    args, kwargs = calls[0]
    assert args == ("business-as-usual",)
    assert kwargs["seed"] == 3 and kwargs["cutoff"] == "2024-08-31" and kwargs["curve"] is None
    w = _widgets(panel)
    assert {"scenario", "curve", "n_draws", "seed", "cutoff", "horizon", "ministries_ratio"} <= set(
        w
    )


def test_changes_rerun_the_projection_with_the_new_values(calls):
    w = _widgets(explore.uptake(n_draws=300))
    w["seed"].value = 7
    assert calls[-1][1]["seed"] == 7
    w["curve"].value = "bass"
    assert calls[-1][1]["curve"] == "bass"
    # fixing the sliders passes their values as overrides
    w["ministries_ratio"].value = 2.5
    assert "ministries_ratio" not in calls[-1][1]["overrides"]
    w["keep"].value = False
    assert calls[-1][1]["overrides"]["ministries_ratio"] == 2.5


def test_bad_cutoff_is_reported_not_raised(calls, capsys):
    w = _widgets(explore.uptake(n_draws=300))
    w["cutoff"].value = "not-a-date"  # the panel prints the one-line InputError
    assert calls[-1][1]["cutoff"] == "not-a-date"


def test_unknown_language_is_an_input_error():
    from dvcanalysis.errors import InputError

    with pytest.raises(InputError, match="lang='fr'"):
        explore.uptake(lang="fr")
