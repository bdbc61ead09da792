"""Values as data (dvcanalysis.codec): JSON + arrays, back exactly, nothing else accepted."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from dvcanalysis import codec


def roundtrip(value):
    tree, arrays = codec.encode(value)
    json.dumps(tree, allow_nan=True)  # the tree is JSON
    assert all(isinstance(a, np.ndarray) and a.dtype != object for a in arrays.values())
    return codec.decode(tree, arrays)


def test_dataframes_come_back_with_their_dtypes_index_and_attrs():
    df = pd.DataFrame(
        {
            "n": [1, 2],
            "text": ["x", None],
            "when": pd.to_datetime(["2024-01-01", "2025-02-03"]),
            "share": [0.1, np.nan],
            "kind": pd.Categorical(["u", "v"]),
            "day": [dt.date(2024, 1, 1), None],
            "ok": [True, False],
        },
        index=pd.Index(["r1", "r2"], name="k"),
    )
    df.attrs["unit"] = "share"
    for frame in (df, df.reset_index(), df.iloc[:0], pd.DataFrame(), pd.DataFrame(columns=["a"])):
        pd.testing.assert_frame_equal(roundtrip(frame), frame)
    assert roundtrip(df).attrs == {"unit": "share"}


def test_json_values_tuples_dates_arrays_and_scalars():
    value = {
        "t": (1, dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 3, 4)),
        "a": np.arange(6.0).reshape(2, 3),
        "s": np.float32(0.5),
        "nan": float("nan"),
        "__date__": "a key that looks like a tag",
        "nested": [{"x": None}],
    }
    got = roundtrip(value)
    assert got["t"] == value["t"] and got["__date__"] == value["__date__"]
    assert np.array_equal(got["a"], value["a"]) and got["s"].dtype == np.float32
    assert np.isnan(got["nan"]) and got["nested"] == [{"x": None}]
    assert roundtrip({"__date__": "x"}) == {"__date__": "x"}


@pytest.mark.parametrize(
    "value", [object(), {1: "a"}, np.array([object()]), {"f": lambda: 1}, {1, 2}]
)
def test_anything_else_is_refused(value):
    with pytest.raises(TypeError, match="not accepted"):
        codec.encode(value)
