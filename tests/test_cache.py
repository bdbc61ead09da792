"""The results cache (dvcanalysis.cache): keyed by data and code, same outputs cold or warm."""

from __future__ import annotations

import shutil
from pathlib import Path

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
    assert len(list(cache_dir.glob("*.pickle"))) == 3
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
    (entry,) = cache_dir.glob("x-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert cache.cached("x", {}, compute) == "v"
    assert len(calls) == 2
    assert cache.cached("x", {}, compute) == "v"
    assert len(calls) == 2


def test_briefing_is_the_same_from_a_cold_and_a_warm_cache(cache_dir, data_copy, monkeypatch):
    """Same numbers and text, whether computed, read back from the cache, or not cached."""

    def made(segment, lang):
        b = briefing.build("stalled", segment, lang=lang, n_draws=200, seed=3)
        return b.document().to_dict(), b.track_record, b.choices.to_df()

    cold = made("ministries", "en")
    entries = sorted(p.name for p in cache_dir.iterdir())
    assert [n.split("-")[0] for n in entries] == ["choice_range", "evaluation"]
    warm = made("ministries", "en")  # read back
    other = made("localities", "vi")  # another segment and language: the same entries
    assert sorted(p.name for p in cache_dir.iterdir()) == entries
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
    assert [p.name.split("-")[0] for p in cache_dir.iterdir()] == ["x"]


def test_a_library_upgrade_gives_a_new_key(monkeypatch):
    before = cache.key("x", {"n": 1})
    real = cache.versions()
    monkeypatch.setattr(cache, "versions", lambda: {**real, "numpy": real["numpy"] + ".post1"})
    assert cache.key("x", {"n": 1}) != before
