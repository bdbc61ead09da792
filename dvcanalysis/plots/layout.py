"""Layout checks on drawn figures: no text over text, no text over a marker, no legend over
data or text; and the placement of value labels that keeps them so.

:func:`problems` draws a figure and compares the extents (display boxes) of what it drew:
every visible text (titles, axis and tick labels, annotations), every legend, the markers
and the data inside each axes (lines, markers, bars, filled bands). Used by the tests on
every figure the briefings and notebooks save. :func:`place` puts value labels next to
their points where they cover no other label, marker or legend.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import Collection, PathCollection, PolyCollection
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


def marker_boxes(ax, renderer) -> list[Bbox]:
    """The display box of every marker drawn in ``ax`` (line markers and scatter points)."""
    px = renderer.points_to_pixels(1.0)
    boxes = []

    def add(xy, half_w, half_h):
        for x, y in xy[np.isfinite(xy).all(axis=1)]:
            boxes.append(Bbox([[x - half_w, y - half_h], [x + half_w, y + half_h]]))

    for ln in ax.get_lines():
        if not ln.get_visible() or ln.get_marker() in (None, "", "None", "none", " "):
            continue
        xy = ln.get_transform().transform(np.asarray(ln.get_xydata(), dtype=float))
        r = (ln.get_markersize() / 2 + ln.get_markeredgewidth() / 2) * px
        add(xy, r, r)
    for c in ax.collections:
        if not isinstance(c, PathCollection) or not c.get_visible() or not len(c.get_offsets()):
            continue
        if not len(c.get_paths()) or not len(c.get_sizes()):
            continue
        ext = c.get_paths()[0].get_extents()
        size = float(np.sqrt(c.get_sizes()[0])) * px
        lw = float(np.atleast_1d(c.get_linewidths())[0]) * px / 2 if len(c.get_linewidths()) else 0
        xy = c.get_offset_transform().transform(np.asarray(c.get_offsets(), dtype=float))
        add(xy, ext.width / 2 * size + lw, ext.height / 2 * size + lw)
    return boxes


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
    for ax in fig.axes:
        markers = marker_boxes(ax, renderer)
        for name, bb, owner in texts:
            if owner is ax and any(_overlap(bb, m) for m in markers):
                out.append(f"text {name!r} covers a marker of axes {ax.get_title()!r}")
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


#: where :func:`place` tries a value label, in order: (dx, dy) points from its point, ha, va
OFFSETS = (
    (5, 4, "left", "bottom"),
    (5, -4, "left", "top"),
    (-5, 4, "right", "bottom"),
    (-5, -4, "right", "top"),
    (0, 7, "center", "bottom"),
    (0, -7, "center", "top"),
    (9, 0, "left", "center"),
    (-9, 0, "right", "center"),
    (5, 12, "left", "bottom"),
    (-5, 12, "right", "bottom"),
    (5, -12, "left", "top"),
    (-5, -12, "right", "top"),
    (0, 16, "center", "bottom"),
    (0, -16, "center", "top"),
)


def place(fig, ax, notes, *, offsets=OFFSETS, pad_px: float = 1.0) -> list:
    """Put each annotation (``textcoords="offset points"``) at the first of ``offsets`` where
    it overlaps no label placed before it, no marker or line of ``ax``, no legend and no
    other text of the figure, inside the axes; returns the notes no offset could place (left at the
    first offset, so :func:`problems` reports them).

    For value labels next to points that can fall close together (30% and 30% of two
    indicators in one year, 69% and 70% of two segments a few weeks apart).
    """
    renderer = fig.canvas.get_renderer()  # no drawing: the extents need only the transforms
    ax.get_xlim(), ax.get_ylim()  # (which apply the autoscaled limits, if any)
    notes = [t for t in notes if t.get_visible() and t.get_text()]
    own = {id(t) for t in notes}
    blocked = marker_boxes(ax, renderer)
    blocked += [lg.get_window_extent(renderer) for lg in fig.findobj(Legend) if lg.get_visible()]
    blocked += [bb for _, bb, owner in _texts(fig) if owner is not ax]
    blocked += [t.get_window_extent(renderer) for t in ax.texts if id(t) not in own]
    lines = [
        _dense(ln.get_transform().transform(np.asarray(ln.get_xydata(), dtype=float)))
        for ln in ax.get_lines()
        if ln.get_visible()
        and ln.get_linestyle() not in ("None", "none", "")
        and len(ln.get_xydata()) > 1
    ]
    line_pts = np.vstack(lines) if lines else np.empty((0, 2))

    def on_a_line(bb) -> bool:
        x, y = line_pts[:, 0], line_pts[:, 1]
        return bool(((x > bb.x0) & (x < bb.x1) & (y > bb.y0) & (y < bb.y1)).any())

    frame = ax.get_window_extent(renderer)
    unplaced = []
    for t in notes:
        for dx, dy, ha, va in offsets:
            t.set_horizontalalignment(ha)
            t.set_verticalalignment(va)
            t.xyann = (dx, dy)
            bb = t.get_window_extent(renderer).padded(pad_px)
            inside = (
                frame.x0 <= bb.x0 and bb.x1 <= frame.x1 and frame.y0 <= bb.y0 and bb.y1 <= frame.y1
            )
            if inside and not any(_overlap(bb, b) for b in blocked) and not on_a_line(bb):
                break
        else:
            dx, dy, ha, va = offsets[0]
            t.set_horizontalalignment(ha)
            t.set_verticalalignment(va)
            t.xyann = (dx, dy)
            unplaced.append(t)
            bb = t.get_window_extent(renderer)
        blocked.append(bb)
    return unplaced


#: the width a briefing's figure is printed at in its A4 PDF (88% of the text width of
#: ``templates/briefing.typ``: A4 less 2 x 1.6 cm margins), inches
PDF_FIGURE_IN = 0.88 * (21.0 - 2 * 1.6) / 2.54
#: the widest an image is printed at from an HTML page on A4 (1.5 cm margins), inches
HTML_PRINT_IN = (21.0 - 2 * 1.5) / 2.54
#: the smallest text a printed figure may show, points
MIN_PRINT_PT = 7.0


def printed_scale(fig, *, pdf: bool = False) -> float:
    """How much ``fig``, saved by :func:`dvcanalysis.plots.save`, is scaled when printed on
    A4: in the briefing PDF (``pdf``, to :data:`PDF_FIGURE_IN` wide), or from an HTML page
    (its PNG at ``savefig.dpi`` shown at 96 CSS px an inch, at most :data:`HTML_PRINT_IN`)."""
    import matplotlib

    from dvcanalysis.plots._base import layout_box

    width = layout_box(fig).width
    if pdf:
        return PDF_FIGURE_IN / width
    natural = width * float(matplotlib.rcParams["savefig.dpi"]) / 96
    return min(natural, HTML_PRINT_IN) / width


def small_text(fig, *, pdf: bool = False, min_pt: float = MIN_PRINT_PT) -> list[str]:
    """The texts of ``fig`` printed smaller than ``min_pt`` on A4 (see :func:`printed_scale`),
    one line each with the size they print at."""
    scale = printed_scale(fig, pdf=pdf)
    out = []
    legends = list(fig.findobj(Legend))
    seen = set()
    for t in [*fig.findobj(Text)]:
        if id(t) in seen or not t.get_visible() or not t.get_text().strip():
            continue
        seen.add(id(t))
        if t.axes is not None and not t.axes.axison and t in t.axes.xaxis.findobj(Text):
            continue
        size = t.get_fontsize() * scale
        if size < min_pt - 1e-6:
            inside = any(t in lg.findobj(Text) for lg in legends)
            where = "legend " if inside else ""
            out.append(f"{where}text {t.get_text()[:40]!r} prints at {size:.1f} pt")
    return out
