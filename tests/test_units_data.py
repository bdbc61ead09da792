"""data/units/: the build script reproduces the committed files; crosswalk invariants."""

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "data" / "units"
RAW = ROOT / "data" / "raw" / "admin-units"
SCRIPT = ROOT / "scripts" / "build_units.py"
BUILT = (
    "provinces_pre2025.csv",
    "provinces_2025.csv",
    "province_crosswalk.csv",
    "ministries.csv",
    "ministry_crosswalk.csv",
    "tiles.csv",
)


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(UNITS / name, dtype=str, keep_default_na=False)


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True)


def test_build_reproduces_committed_files(tmp_path):
    proc = _run("--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    for name in BUILT:
        assert (tmp_path / name).read_bytes() == (UNITS / name).read_bytes(), name


def test_build_fails_loudly_when_annex_disagrees(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    md = raw / "dvhcvn_20250701__input_docs_60-NQ_TW.md"
    text = md.read_text(encoding="utf-8")
    # move Kon Tum from Quảng Ngãi to Gia Lai in the annex only
    text = text.replace("Hợp nhất tỉnh Kon Tum và tỉnh Quảng Ngãi", "Hợp nhất tỉnh Quảng Ngãi")
    text = text.replace(
        "Hợp nhất tỉnh Gia Lai và tỉnh Bình Định",
        "Hợp nhất tỉnh Gia Lai, tỉnh Kon Tum và tỉnh Bình Định",
    )
    md.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    proc = _run("--raw", str(raw), "--out", str(out))
    assert proc.returncode == 1
    assert "province 62: annex of 60-NQ/TW says 52, the dvhcvn mapping says 51" in proc.stderr
    assert not out.exists() or not any(out.iterdir())


def test_crosswalk_complete_63_to_34():
    cw = _read("province_crosswalk.csv")
    old = _read("provinces_pre2025.csv")
    new = _read("provinces_2025.csv")
    assert len(old) == 63 and len(new) == 34
    assert sorted(cw["code_pre2025"]) == sorted(old["unit_code"])  # each old province exactly once
    assert cw["code_pre2025"].is_unique
    assert set(cw["code_2025"]) == set(new["unit_code"])
    size = cw.groupby("code_2025").size()
    assert (size == 1).sum() == 11  # unchanged
    assert (size > 1).sum() == 23 and size[size > 1].sum() == 52  # 52 merged into 23
    assert (cw["merged"] == "true").sum() == 52
    assert ((cw["merged"] == "true") == cw["code_2025"].map(size).gt(1)).all()


@pytest.mark.parametrize(
    "old, new",
    [
        ("02", "08"),
        ("27", "24"),
        ("24", "24"),
        ("62", "51"),
        ("74", "79"),
        ("77", "79"),
        ("46", "46"),
        ("95", "96"),
    ],
)
def test_crosswalk_known_pairs(old, new):
    cw = _read("province_crosswalk.csv").set_index("code_pre2025")
    assert cw.loc[old, "code_2025"] == new


def test_codes_are_two_digit_text():
    for name in ("provinces_pre2025.csv", "provinces_2025.csv"):
        codes = _read(name)["unit_code"]
        assert codes.str.fullmatch(r"\d{2}").all()
    assert _read("provinces_pre2025.csv").set_index("unit_code").loc["01", "name_en"] == "Ha Noi"


def test_ministries_counts_and_crosswalk():
    m = _read("ministries.csv")
    kinds = m.groupby(["layout", "kind"]).size().to_dict()
    assert kinds == {
        ("pre-2025", "bộ"): 18,
        ("pre-2025", "cơ quan ngang bộ"): 4,
        ("2025", "bộ"): 14,
        ("2025", "cơ quan ngang bộ"): 3,
    }
    assert set(m.loc[m["layout"] == "pre-2025", "source_id"]) == {"ref_daibieunhandan_2021"}
    assert set(m.loc[m["layout"] == "2025", "source_id"]) == {"ref_qh176_2025"}
    cw = _read("ministry_crosswalk.csv").set_index("code_pre2025")["code_2025"].to_dict()
    assert len(cw) == 22 and set(cw.values()) == set(m.loc[m["layout"] == "2025", "unit_code"])
    expected = {
        "BKHDT": "BTC",
        "BGTVT": "BXD",
        "BNNPTNT": "BNNMT",
        "BTNMT": "BNNMT",
        "BTTTT": "BKHCN",
        "BLDTBXH": "BNV",
        "UBDT": "BDTTG",
    }
    for old, new in expected.items():
        assert cw[old] == new
    unchanged = {k: v for k, v in cw.items() if k not in expected}
    assert all(k == v for k, v in unchanged.items())


@pytest.mark.parametrize("layout, n", [("pre-2025", 63), ("2025", 34)])
def test_tiles_one_per_unit_no_overlap(layout, n):
    t = _read("tiles.csv")
    t = t[t["layout"] == layout]
    units = _read("provinces_pre2025.csv" if layout == "pre-2025" else "provinces_2025.csv")
    assert len(t) == n
    assert sorted(t["unit_code"]) == sorted(units["unit_code"])
    assert not t.duplicated(["row", "col"]).any()
    # north at the top: Hà Giang / Tuyên Quang region above Cà Mau
    rows = t.set_index("unit_code")["row"].astype(int)
    assert rows["01"] < rows["79"] < rows["96"]
