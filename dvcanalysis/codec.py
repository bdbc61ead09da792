"""Values as data: a JSON tree plus numpy arrays, and back, exactly (the results cache's format).

:func:`encode` turns a value into ``(tree, arrays)``: ``tree`` is JSON (what JSON cannot say
is tagged: ``{"__tuple__": [...]}``, ``{"__date__": "2024-12-31"}``, ...), ``arrays`` the numpy
arrays it refers to by name (saved as ``.npz``, read without pickle). Accepted: JSON values
(dicts with text keys, lists, text, numbers, booleans, None), tuples, dates and timestamps,
numpy arrays and scalars, and pandas DataFrames: each column as an array with its dtype
(categoricals as codes and categories; text and other object columns as JSON values with
their dtype), the index likewise (a RangeIndex as its range), the column labels and
``attrs``. :func:`decode` gives back an equal value (``pandas.testing.assert_frame_equal``
holds, dtypes included). Anything else is refused with a :class:`TypeError`: a value is
never stored as code (no pickle).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

_TAGS = ("__scalar__", "__nat__", "__timestamp__", "__datetime__", "__date__", "__tuple__",
         "__dict__", "__array__", "__frame__")  # fmt: skip


class _Encoder:
    """One value's encoding: the arrays collected while walking it."""

    def __init__(self) -> None:
        self.arrays: dict[str, Any] = {}

    def array(self, a: Any) -> str:
        import numpy as np

        a = np.asarray(a)
        if a.dtype == object:
            raise TypeError("codec: an array of Python objects is not accepted")
        name = f"a{len(self.arrays)}"
        self.arrays[name] = a
        return name

    def column(self, s: Any) -> dict[str, Any]:
        """A Series: its dtype and values (an array, or JSON values)."""
        import numpy as np
        import pandas as pd

        dtype = str(s.dtype)
        if isinstance(s.dtype, pd.CategoricalDtype):
            return {
                "dtype": "category",
                "ordered": bool(s.dtype.ordered),
                "categories": self.column(pd.Series(s.dtype.categories)),
                "codes": self.array(s.cat.codes.to_numpy()),
            }
        if s.dtype == object:
            return {"dtype": "object", "values": [self.walk(v) for v in s.tolist()]}
        if isinstance(s.dtype, np.dtype):  # numbers, booleans, naive datetimes and timedeltas
            return {"dtype": dtype, "array": self.array(s.to_numpy())}
        # extension dtypes (text, nullable integers, time zones...): JSON values and the dtype
        return {"dtype": dtype, "values": [self.walk(v) for v in s.astype(object).tolist()]}

    def frame(self, v: Any) -> dict[str, Any]:
        import pandas as pd

        idx = v.index
        if isinstance(idx, pd.RangeIndex):
            index = {"range": [idx.start, idx.stop, idx.step], "name": self.walk(idx.name)}
        else:
            series = idx.to_series(index=range(len(idx)))
            index = {"column": self.column(series), "name": self.walk(idx.name)}
        return {
            "columns": self.column(pd.Series(v.columns, dtype=v.columns.dtype)),
            "data": [self.column(v.iloc[:, i]) for i in range(v.shape[1])],
            "index": index,
            "attrs": self.walk(dict(v.attrs)),
        }

    def walk(self, v: Any) -> Any:
        import numpy as np
        import pandas as pd

        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, np.generic):
            return {"__scalar__": self.array(np.asarray(v))}
        if isinstance(v, (int, float)):
            return v
        if v is pd.NaT:
            return {"__nat__": True}
        if isinstance(v, pd.Timestamp):
            return {"__timestamp__": v.isoformat()}
        if isinstance(v, dt.datetime):
            return {"__datetime__": v.isoformat()}
        if isinstance(v, dt.date):
            return {"__date__": v.isoformat()}
        if isinstance(v, tuple):
            return {"__tuple__": [self.walk(x) for x in v]}
        if isinstance(v, list):
            return [self.walk(x) for x in v]
        if isinstance(v, dict):
            return self.mapping(v)
        if isinstance(v, np.ndarray):
            return {"__array__": self.array(v)}
        if isinstance(v, pd.DataFrame):
            return {"__frame__": self.frame(v)}
        raise TypeError(
            f"codec: a {type(v).__name__} is not accepted; expected JSON values, tuples, "
            "dates, numpy arrays or DataFrames"
        )

    def mapping(self, v: dict) -> dict[str, Any]:
        if not all(isinstance(k, str) for k in v):
            raise TypeError("codec: a dict with keys other than text is not accepted")
        out = {k: self.walk(x) for k, x in v.items()}
        return {"__dict__": out} if len(v) == 1 and next(iter(v)) in _TAGS else out


def encode(value: Any) -> tuple[Any, dict[str, Any]]:
    """``value`` as ``(JSON tree, arrays by name)`` (see the module docstring)."""
    enc = _Encoder()
    return enc.walk(value), enc.arrays


def _column(c: dict[str, Any], arrays: dict[str, Any]) -> Any:
    import pandas as pd

    if c["dtype"] == "category":
        cats = _column(c["categories"], arrays)
        codes = arrays[c["codes"]]
        return pd.Series(pd.Categorical.from_codes(codes, categories=cats, ordered=c["ordered"]))
    if "array" in c:
        return pd.Series(arrays[c["array"]], dtype=c["dtype"])
    values = [_walk(x, arrays) for x in c["values"]]
    return pd.Series(values, dtype=object if c["dtype"] == "object" else c["dtype"])


def _frame(inner: dict[str, Any], arrays: dict[str, Any]) -> Any:
    import pandas as pd

    idx = inner["index"]
    if "range" in idx:
        index: pd.Index = pd.RangeIndex(*idx["range"], name=_walk(idx["name"], arrays))
    else:
        index = pd.Index(_column(idx["column"], arrays), name=_walk(idx["name"], arrays))
    series = [_column(c, arrays) for c in inner["data"]]
    if series:
        frame = pd.concat(series, axis=1, ignore_index=True)
        frame.index = index
        frame.columns = pd.Index(_column(inner["columns"], arrays))
    else:
        frame = pd.DataFrame(index=index)
    frame.attrs.update(_walk(inner["attrs"], arrays))
    return frame


def _walk(v: Any, arrays: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd

    if isinstance(v, list):
        return [_walk(x, arrays) for x in v]
    if not isinstance(v, dict):
        return v
    if len(v) == 1 and next(iter(v)) in _TAGS:
        ((tag, inner),) = v.items()
        simple = {
            "__scalar__": lambda: arrays[inner][()],
            "__nat__": lambda: pd.NaT,
            "__timestamp__": lambda: pd.Timestamp(inner),
            "__datetime__": lambda: dt.datetime.fromisoformat(inner),
            "__date__": lambda: dt.date.fromisoformat(inner),
            "__tuple__": lambda: tuple(_walk(x, arrays) for x in inner),
            "__dict__": lambda: {k: _walk(x, arrays) for k, x in inner.items()},
            "__array__": lambda: np.array(arrays[inner]),
            "__frame__": lambda: _frame(inner, arrays),
        }
        return simple[tag]()
    return {k: _walk(x, arrays) for k, x in v.items()}


def decode(tree: Any, arrays: dict[str, Any]) -> Any:
    """The value :func:`encode` encoded as ``(tree, arrays)``."""
    return _walk(tree, arrays)
