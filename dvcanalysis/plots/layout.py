"""Layout checks on drawn figures: no text over text, no legend over data or text.

:func:`problems` draws a figure and compares the extents (display boxes) of what it drew:
every visible text (titles, axis and tick labels, annotations, footers), every legend, and
the data inside each axes (lines, markers, bars, filled bands). Used by the tests on every
figure the briefings and notebooks save.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import Collection, PolyCollection
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

_PAD = 0.5  # pixels of tolerance


def _undrawn_tick_labels(ax) -> set[int]:
    """Ids of the tick labels matplotlib keeps but does not draw (ticks outside the view)."""
    out = set()
    for axis in (ax.xaxis, ax.yaxis):
        lo, hi = sorted(axis.get_view_interval())
        eps = 1e-9 * max(1.0, abs(hi - lo))
        for tick in axis.get_major_ticks() + axis.get_minor_ticks():
            if not lo - eps <= tick.get_loc() <= hi + eps:
                out |= {id(tick.label1), id(tick.label2)}
    return out


def _texts(fig) -> list[tuple[str, Bbox, object]]:
    renderer = fig.canvas.get_renderer()
    legends = [a for a in fig.findobj(Legend)]
    inside_legend = {id(t) for lg in legends for t in lg.findobj(Text)}
    for ax in fig.axes:  # an axis turned off draws none of its labels
        if not ax.axison:
            inside_legend |= {id(t) for a in (ax.xaxis, ax.yaxis) for t in a.findobj(Text)}
        inside_legend |= _undrawn_tick_labels(ax)
    out = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip() or id(t) in inside_legend:
            continue
        bb = t.get_window_extent(renderer)
        if bb.width < 1 or bb.height < 1:
            continue
        out.append((t.get_text()[:40], bb, t.axes))
    return out


def _overlap(a: Bbox, b: Bbox) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > _PAD and min(a.y1, b.y1) - max(a.y0, b.y0) > _PAD


def _dense(xy: np.ndarray, n: int = 24) -> np.ndarray:
    """Points along a polyline (``n`` per segment), so a legend over a segment is seen too."""
    xy = np.asarray(xy, dtype=float)
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) < 2:
        return xy
    t = np.linspace(0, 1, n, endpoint=False)[:, None]
    segs = [a + t * (b - a) for a, b in zip(xy[:-1], xy[1:], strict=True)]
    return np.vstack([*segs, xy[-1:]])


def _data_points(ax) -> np.ndarray:
    """Display coordinates of the data drawn in ``ax`` (line vertices, markers, band vertices,
    bar corners)."""
    pts = []
    for ln in ax.get_lines():
        if ln.get_visible() and len(ln.get_xydata()):
            xy = ln.get_transform().transform(ln.get_xydata())
            pts.append(_dense(xy) if ln.get_linestyle() not in ("None", "none", "") else xy)
    for c in ax.collections:
        if not c.get_visible():
            continue
        if isinstance(c, PolyCollection):
            for p in c.get_paths():
                pts.append(_dense(c.get_transform().transform(p.vertices)))
        elif isinstance(c, Collection) and len(c.get_offsets()):
            pts.append(c.get_offset_transform().transform(c.get_offsets()))
    for p in ax.patches:
        if isinstance(p, Rectangle) and p.get_visible() and p.get_width() and p.get_height():
            pts.append(p.get_transform().transform(p.get_path().vertices * 1.0))
    pts = [p for p in pts if len(p)]
    return np.vstack(pts) if pts else np.empty((0, 2))


def problems(fig) -> list[str]:
    """What overlaps in ``fig`` (empty list: nothing), one line each."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    texts = _texts(fig)
    for i, (ta, a, _) in enumerate(texts):
        for tb, b, _ in texts[i + 1 :]:
            if _overlap(a, b):
                out.append(f"text {ta!r} overlaps text {tb!r}")
    legends = [lg for lg in fig.findobj(Legend) if lg.get_visible()]
    for lg in legends:
        box = lg.get_window_extent(renderer)
        for name, bb, _ in texts:
            if _overlap(box, bb):
                out.append(f"legend overlaps text {name!r}")
        for ax in fig.axes:
            pts = _data_points(ax)
            if not len(pts):
                continue
            inside = (
                (pts[:, 0] > box.x0 + _PAD)
                & (pts[:, 0] < box.x1 - _PAD)
                & (pts[:, 1] > box.y0 + _PAD)
                & (pts[:, 1] < box.y1 - _PAD)
            )
            if inside.any():
                out.append(
                    f"legend covers {int(inside.sum())} data point(s) of axes {ax.get_title()!r}"
                )
    return out


def separate(fig, texts, *, pad_px: float = 1.0, max_moves: int = 200) -> None:
    """Move annotations (``textcoords="offset points"``) up until none overlaps another.

    For labels placed next to data points that can fall close together (for example 42%
    and 43% a month apart); each move is the overlap plus ``pad_px``, so labels keep
    their order from bottom to top.
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in texts if t.get_visible() and t.get_text()]
    for _ in range(max_moves):
        boxes = [t.get_window_extent(renderer) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: (boxes[i].y0, boxes[i].x0))
        moved = False
        for n, i in enumerate(order):
            for j in order[n + 1 :]:
                if _overlap(boxes[i], boxes[j]):
                    dy_pt = (boxes[i].y1 - boxes[j].y0 + pad_px) * 72 / fig.dpi
                    x, y = texts[j].xyann
                    texts[j].xyann = (x, y + dy_pt)
                    moved = True
                    break
            if moved:
                break
        if not moved:
            return
