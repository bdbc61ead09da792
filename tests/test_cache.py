"""The results cache (dvcanalysis.cache): keyed by data and code, same outputs cold or warm."""

from __future__ import annotations

import io
import json
import os
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dvcanalysis import briefing, cache

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    monkeypatch.setenv("DVC_DATA_DIR", str(data))
    return data


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    return folder


def counting(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


def test_off_without_a_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV, raising=False)
    compute, calls = counting([1, 2])
    assert cache.cached("x", {"a": 1}, compute) == [1, 2]
    assert cache.cached("x", {"a": 1}, compute) == [1, 2]
    assert len(calls) == 2


def test_computed_once_per_name_and_arguments(cache_dir, data_copy):
    compute, calls = counting({"v": 0.1})
    assert cache.cached("x", {"a": 1}, compute) == {"v": 0.1}
    assert cache.cached("x", {"a": 1}, compute) == {"v": 0.1}
    assert len(calls) == 1
    cache.cached("x", {"a": 2}, compute)
    cache.cached("y", {"a": 1}, compute)
    assert len(calls) == 3
    assert len(list(cache_dir.glob("*.json"))) == 3
    assert not list(cache_dir.glob("*.pickle"))
    assert not [p for p in cache_dir.iterdir() if "partial" in p.name]  # atomic writes


def test_a_data_change_gives_a_new_key(cache_dir, data_copy):
    before = cache.key("x", {"a": 1})
    compute, calls = counting(1)
    cache.cached("x", {"a": 1}, compute)
    ev = data_copy / "evidence.csv"
    ev.write_bytes(ev.read_bytes() + b"\n")
    after = cache.key("x", {"a": 1})
    assert after != before
    cache.cached("x", {"a": 1}, compute)
    assert len(calls) == 2
    (data_copy / "new.txt").write_text("a new file counts too\n")
    assert cache.key("x", {"a": 1}) not in (before, after)


def test_a_code_change_gives_a_new_key(cache_dir, data_copy, tmp_path, monkeypatch):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "m.py").write_text("X = 1\n")
    (pkg / "labels.yml").write_text("a: {vi: a, en: a}\n")
    monkeypatch.setattr(cache, "PACKAGE_DIR", pkg)
    first = cache.key("x", {})
    (pkg / "m.py").write_text("X = 2\n")  # same size, other bytes
    second = cache.key("x", {})
    (pkg / "labels.yml").write_text("a: {vi: b, en: a}\n")
    third = cache.key("x", {})
    (pkg / "notes.txt").write_text("not code\n")
    assert len({first, second, third}) == 3
    assert cache.key("x", {}) == third


def test_an_unreadable_entry_is_computed_again(cache_dir, data_copy):
    compute, calls = counting("v")
    cache.cached("x", {}, compute)
    (entry,) = cache_dir.glob("x-*.json")
    entry.write_bytes(b"not json")
    assert cache.cached("x", {}, compute) == "v"
    assert len(calls) == 2
    assert cache.cached("x", {}, compute) == "v"
    assert len(calls) == 2


def test_briefing_is_the_same_from_a_cold_and_a_warm_cache(cache_dir, data_copy, monkeypatch):
    """Same numbers and text, whether computed, read back from the cache, or not cached."""

    def made(segment, lang):
        b = briefing.build("stalled", segment, lang=lang, n_draws=200, seed=3)
        return b.document().to_dict(), b.track_record, b.facts.chart

    cold = made("ministries", "en")
    entries = sorted(p.name for p in cache_dir.glob("*.json"))
    assert {n.split("-")[0] for n in entries} == {"evaluation", "forecast_selection"}
    warm = made("ministries", "en")  # read back
    other = made("localities", "vi")  # another segment and language: the same entries
    assert sorted(p.name for p in cache_dir.glob("*.json")) == entries
    monkeypatch.delenv(cache.ENV)
    uncached = made("ministries", "en")
    for got in (warm, uncached):
        assert got[0] == cold[0]
        assert repr(got[1]) == repr(cold[1])  # a NaN skill compares unequal to itself
        assert got[2].equals(cold[2])
    assert other[0] == made("localities", "vi")[0]


def test_off_neither_reads_nor_writes(cache_dir, data_copy):
    compute, calls = counting(1)
    cache.cached("x", {}, compute)
    with cache.off():
        cache.cached("x", {}, compute)
        cache.cached("z", {}, compute)
    assert len(calls) == 3  # computed each time, the stored "x" not read
    assert {p.name.split("-")[0] for p in cache_dir.iterdir()} == {"x"}


def test_a_library_upgrade_gives_a_new_key(monkeypatch):
    before = cache.key("x", {"n": 1})
    real = cache.versions()
    monkeypatch.setattr(cache, "versions", lambda: {**real, "numpy": real["numpy"] + ".post1"})
    assert cache.key("x", {"n": 1}) != before


# ---------------------------------------------------------------- a cache that cannot lie
def _entry(cache_dir: Path, name: str) -> tuple[Path, dict]:
    (path,) = cache_dir.glob(f"{name}-*.json")
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_entries_are_data_with_checksums_never_pickle(cache_dir, data_copy):
    import numpy as np

    frame = pd.DataFrame({"p": [0.25, 0.5], "s": ["a", "b"]})
    value = {"frame": frame, "draws": np.arange(4.0), "when": date(2024, 1, 2)}
    cache.cached("x", {"a": 1}, lambda: value)
    path, head = _entry(cache_dir, "x")
    assert head["format"] == cache.FORMAT and head["inputs"]["arguments"] == {"a": 1}
    assert head["value_sha256"] and head["arrays_sha256"]
    assert path.with_suffix(".npz").exists()
    assert not [p for p in cache_dir.iterdir() if p.suffix not in (".json", ".npz")]
    got = cache.cached("x", {"a": 1}, lambda: pytest.fail("computed again"))
    pd.testing.assert_frame_equal(got["frame"], frame)
    assert got["when"] == date(2024, 1, 2) and list(got["draws"]) == [0, 1, 2, 3]


@pytest.mark.parametrize("where", ["value", "arrays", "inputs"])
def test_an_edited_entry_is_a_miss_with_one_warning(cache_dir, data_copy, caplog, where):
    """The issue's case: an entry that still loads, with other values, is never used."""
    import numpy as np

    compute, calls = counting({"probability": np.array([0.11, 0.93]), "note": "ok"})
    cache.cached("x", {}, compute)
    path, head = _entry(cache_dir, "x")
    if where == "value":
        head["value"]["note"] = "edited"
        path.write_text(json.dumps(head), encoding="utf-8")
    elif where == "arrays":
        buf = io.BytesIO()
        np.savez(buf, a0=np.array([0.0, 0.0]))
        path.with_suffix(".npz").write_bytes(buf.getvalue())
    else:
        head["inputs"]["arguments"] = {"other": 1}
        path.write_text(json.dumps(head), encoding="utf-8")
    cache._WARNED.clear()
    with caplog.at_level("WARNING", logger="dvcanalysis.cache"):
        got = cache.cached("x", {}, compute)
    assert len(calls) == 2 and got["note"] == "ok" and list(got["probability"]) == [0.11, 0.93]
    (line,) = [r.getMessage() for r in caplog.records]
    assert "does not match" in line and "computing it again" in line and "\n" not in line
    assert cache.cached("x", {}, compute)["note"] == "ok" and len(calls) == 2  # replaced


def test_keys_are_canonical_json_not_pickle():
    from dvcanalysis import scenarios

    sc = scenarios.load("stalled")
    assert cache.key("x", {"s": sc, "n": 1}) == cache.key("x", {"n": 1, "s": sc})
    assert cache.key("x", {"s": sc}) != cache.key("x", {"s": sc.with_overrides(curve="linear")})
    assert '"pace_from"' in cache.canonical({"s": sc})
    with pytest.raises(TypeError, match="not accepted"):
        cache.key("x", {"f": object()})


def test_refresh_token_recomputes_entries_of_other_renders(cache_dir, data_copy, monkeypatch):
    compute, calls = counting(1)
    cache.cached("x", {}, compute)
    monkeypatch.setenv(cache.REFRESH_ENV, "render-2")
    cache.cached("x", {}, compute)  # written by another render: computed again
    cache.cached("x", {}, compute)  # written by this one: shared
    assert len(calls) == 2
    monkeypatch.setenv(cache.SWITCH_ENV, "off")
    cache.cached("x", {}, compute)
    assert len(calls) == 3


@pytest.mark.parametrize("fault", ["unreadable", "unwritable"])
def test_an_unwritable_or_unreadable_folder_means_computing_without_it(
    tmp_path, data_copy, monkeypatch, caplog, fault
):
    if fault == "unreadable":  # a path through a file: every read fails (root included)
        blocked = tmp_path / "file"
        blocked.write_text("x")
        folder = blocked / "cache"
    elif os.geteuid() == 0:  # root writes anywhere but in /proc
        folder = Path("/proc/dvcanalysis-cache-test")
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
    monkeypatch.setenv(cache.ENV, str(folder))
    compute, calls = counting(5)
    cache._WARNED.clear()
    with caplog.at_level("WARNING", logger="dvcanalysis.cache"):
        assert cache.cached("x", {}, compute) == 5
        assert cache.cached("y", {}, compute) == 5
    assert len(calls) == 2
    (line,) = [r.getMessage() for r in caplog.records]  # one line, not one per entry
    verb = "read" if fault == "unreadable" else "written"
    assert f"cannot be {verb}" in line and "computing without it" in line


def test_warnings_go_to_the_file_the_renderer_names(cache_dir, data_copy, monkeypatch, tmp_path):
    log = tmp_path / "warnings.txt"
    monkeypatch.setenv(cache.WARNINGS_ENV, str(log))
    cache.cached("x", {}, lambda: 1)
    path, _ = _entry(cache_dir, "x")
    path.write_text("{", encoding="utf-8")
    cache._WARNED.clear()
    assert cache.cached("x", {}, lambda: 1) == 1
    (line,) = log.read_text(encoding="utf-8").splitlines()
    assert "cannot be read" in line
