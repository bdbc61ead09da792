"""Every notebook's parameters as papermill reads them, and allowed values checked before
any kernel starts (render and validate)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dvcanalysis import paths
from dvcanalysis.render.params import check_parameters, read_parameters

NOTEBOOKS = sorted((paths.root() / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_papermill_reads_every_parameter_with_type_and_help(nb):
    import papermill as pm

    ours = read_parameters(nb)
    theirs = pm.inspect_notebook(str(nb))
    assert list(theirs) == list(ours)  # the same names, in the same order
    for name, p in ours.items():
        t = theirs[name]
        expected = f"Optional[{p.type}]" if p.optional else p.type
        assert t["inferred_type_name"] == expected, name
        assert t["help"] and t["help"] == p.help, name
        assert json.loads(t["default"].replace("None", "null")) == p.default, name


def test_papermill_help_lists_every_parameter():
    for nb in NOTEBOOKS:
        out = subprocess.run(
            [str(Path(sys.executable).parent / "papermill"), "--help-notebook", str(nb)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "Unable to parse" not in out.stdout + out.stderr
        for name in read_parameters(nb):
            assert f"  {name}: " in out.stdout, (nb.name, name)


def test_allowed_values_are_declared_and_checked():
    nb = paths.root() / "notebooks" / "briefing.ipynb"
    ps = read_parameters(nb)
    assert ps["lang"].allowed() == ["vi", "en"]
    assert ps["segment"].allowed() == ["national", "ministries", "localities"]
    assert "business-as-usual" in ps["scenario"].allowed()
    assert check_parameters(nb, {"scenario": "business-as-usual", "lang": "en"}) == []
    (msg,) = check_parameters(nb, {"scenario": "gradul"})
    assert msg.startswith("scenario='gradul' is not accepted; expected one of: 'accelerated'")
    (msg,) = check_parameters(nb, {"lang": "fr"})
    assert msg.startswith("lang='fr' is not accepted; expected one of: 'vi', 'en'")
    (msg,) = check_parameters(nb, {"segment": "provinces"})
    assert "expected one of: 'national', 'ministries', 'localities'" in msg
    nb04 = paths.root() / "notebooks" / "04_target_attainment.ipynb"
    assert (
        check_parameters(nb04, {"curve": ""}) == []
        and check_parameters(nb04, {"curve": "bass"}) == []
    )
    assert check_parameters(nb04, {"curve": "cubic"})


def test_notebook_02_offers_the_curve():
    assert "curve" in read_parameters(paths.root() / "notebooks" / "02_uptake_scenarios.ipynb")


@pytest.mark.parametrize("command", ["render", "validate"])
def test_a_wrong_scenario_exits_2_before_any_kernel(tmp_path, command):
    grid = tmp_path / "briefings-bad.yml"  # validate knows a grid by its name
    grid.write_text(
        "- notebook: notebooks/briefing.ipynb\n"
        "  grid: {scenario: [business-as-usual, gradul], lang: [vi, fr]}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "dvcanalysis.cli", command, str(grid)]
    if command == "render":
        cmd += ["--out", str(out), "--no-progress"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=paths.root())
    assert proc.returncode == 2, proc.stderr
    assert "scenario='gradul' is not accepted; expected one of:" in proc.stderr
    assert "lang='fr' is not accepted; expected one of: 'vi', 'en'" in proc.stderr
    assert not list(out.glob("*.ipynb")) and not list(out.glob("*.html"))
