"""Hand-written SVG for the report: the skeleton on a gait still, and the kinetic-chain diagram.

Every text that reaches the SVG is XML-escaped. Colours: the person's left orange, right blue (as the
overlay video), midline grey.
"""

from __future__ import annotations

import base64
import textwrap
from html import escape
from io import BytesIO
from typing import Any, Mapping, Sequence

import numpy as np

LEFT = "#e07b00"
RIGHT = "#1e78d2"
MID = "#8a96a3"

#: Bones drawn on stills (pairs of keypoint names; pairs with a missing keypoint are skipped).
BONES: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"), ("left_knee", "left_ankle"), ("left_ankle", "left_heel"),
    ("left_heel", "left_toe"), ("left_ankle", "left_toe"),
    ("right_hip", "right_knee"), ("right_knee", "right_ankle"), ("right_ankle", "right_heel"),
    ("right_heel", "right_toe"), ("right_ankle", "right_toe"),
    ("nose", "left_ear"), ("nose", "right_ear"), ("c7", "left_shoulder"), ("c7", "right_shoulder"),
)


def _colour(a: str, b: str) -> str:
    if a.startswith("left_") and b.startswith("left_"):
        return LEFT
    if a.startswith("right_") and b.startswith("right_"):
        return RIGHT
    return MID


def jpeg_data_uri(rgb: np.ndarray, quality: int = 82) -> str:
    """An RGB uint8 image as a ``data:image/jpeg;base64,...`` URI (matplotlib + Pillow, no OpenCV)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import image as mpimg

    buf = BytesIO()
    mpimg.imsave(buf, np.ascontiguousarray(rgb, dtype=np.uint8), format="jpeg", pil_kwargs={"quality": quality})
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def file_data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def still_svg(keypoints: Mapping[str, Sequence[float]], image_size_px: Sequence[int], *, image: np.ndarray | None = None,
              label: str = "", aspect: float = 1.25) -> str:
    """A still: the skeleton over the (cropped) video frame, or on a blank canvas for keypoint input.

    The view is cropped around the person (a box of height/width ``aspect``) so that the body fills the
    picture. Returns an ``<svg>`` element.
    """
    pts = {k: (float(v[0]), float(v[1])) for k, v in keypoints.items()}
    if not pts:
        return ('<svg viewBox="0 0 100 125" xmlns="http://www.w3.org/2000/svg" role="img"><text x="50" y="62" '
                'text-anchor="middle" font-size="8">no keypoints</text></svg>')
    xy = np.array(list(pts.values()))
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    h = max(y1 - y0, 1.0) * 1.18
    w = max(h / aspect, (x1 - x0) * 1.15)
    h = max(h, w * aspect)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    vx, vy = cx - w / 2, cy - h / 2
    parts = [f'<svg viewBox="{vx:.1f} {vy:.1f} {w:.1f} {h:.1f}" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'aria-label="{escape(label)}" class="still">']
    if image is not None:
        # crop the frame to the visible box (inside the image) and place it at its own coordinates
        ix0, iy0 = int(max(0, np.floor(vx))), int(max(0, np.floor(vy)))
        ix1, iy1 = int(min(image.shape[1], np.ceil(vx + w))), int(min(image.shape[0], np.ceil(vy + h)))
        parts.append(f'<rect x="{vx:.1f}" y="{vy:.1f}" width="{w:.1f}" height="{h:.1f}" fill="#2b2f33"/>')
        if ix1 > ix0 and iy1 > iy0:
            crop = image[iy0:iy1, ix0:ix1]
            parts.append(f'<image x="{ix0}" y="{iy0}" width="{ix1 - ix0}" height="{iy1 - iy0}" '
                         f'href="{jpeg_data_uri(crop)}" preserveAspectRatio="none"/>')
    else:
        parts.append(f'<rect x="{vx:.1f}" y="{vy:.1f}" width="{w:.1f}" height="{h:.1f}" fill="#f0f3f6"/>')
        floor = max(v[1] for k, v in pts.items() if k.endswith(("_heel", "_toe", "_ankle"))) if any(
            k.endswith(("_heel", "_toe", "_ankle")) for k in pts) else y1
        parts.append(f'<line x1="{vx:.1f}" y1="{floor:.1f}" x2="{vx + w:.1f}" y2="{floor:.1f}" stroke="#b8c2cc" '
                     f'stroke-width="{h / 200:.2f}"/>')
    sw = h / 90
    for a, b in BONES:
        if a in pts and b in pts:
            (ax, ay), (bx, by) = pts[a], pts[b]
            parts.append(f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{by:.1f}" stroke="{_colour(a, b)}" '
                         f'stroke-width="{sw:.2f}" stroke-linecap="round"/>')
    for n, (x, y) in pts.items():
        col = LEFT if n.startswith("left_") else RIGHT if n.startswith("right_") else MID
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{sw * 0.9:.2f}" fill="{col}" stroke="#fff" '
                     f'stroke-width="{sw * 0.25:.2f}"/>')
    parts.append("</svg>")
    return "".join(parts)


# ----------------------------------------------------------------------------------- kinetic chain
REGION_ROWS: tuple[tuple[str, str], ...] = (
    ("lumbar", "Lower back"), ("trunk", "Trunk"), ("pelvis", "Pelvis"), ("hip", "Hip"),
    ("knee", "Knee"), ("ankle", "Ankle"), ("foot", "Foot"),
)
_EV_COLOUR = {"strong": "#1b7a43", "moderate": "#5f8f1d", "limited": "#b7791f", "expert_opinion": "#7d5ba6"}


def chain_svg(nodes: Sequence[Any], edges: Sequence[Any], chain: Mapping[str, Any]) -> str:
    """The kinetic chain from the foot (bottom) to the lower back (top).

    Parameters
    ----------
    nodes, edges
        The knowledge graph (``Knowledge.nodes.values()`` and ``Knowledge.edges``).
    chain
        ``chain_to_dict`` output: active nodes (filled; darker when observed directly), active edges
        (coloured by evidence level), contributors (numbered badges).
    """
    active = {a["node"]: a for a in chain.get("active_nodes", [])}
    active_edges = {tuple(e) for e in chain.get("active_edges", [])}
    path_edges = {(st["source"], st["target"]) for c in chain.get("contributors", []) for st in c.get("steps", [])}
    on_path = {n for edge in path_edges for n in edge} - set(active)
    rank = {c["node"]: c["rank"] for c in chain.get("contributors", [])}
    W, left_margin, box_w, box_h, row_h, top = 1000, 86, 138, 50, 92, 16
    rows = {r: [] for r, _ in REGION_ROWS}
    for n in nodes:
        region = n.region if n.region in rows else "pelvis"
        rows[region].append(n)
    pos: dict[str, tuple[float, float]] = {}
    for i, (region, _) in enumerate(REGION_ROWS):
        items = rows[region]
        k = max(len(items), 1)
        span = W - left_margin - 10
        step = span / max(k, 5)
        left_margin_row = left_margin + (span - step * k) / 2
        for j, n in enumerate(items):
            pos[n.id] = (left_margin_row + step * (j + 0.5), top + i * row_h + box_h / 2)
    box_w = min(box_w, (W - left_margin - 10) / max(5, max(len(v) for v in rows.values())) - 6)
    H = top + len(REGION_ROWS) * row_h
    out = [f'<svg viewBox="0 0 {W} {H}" xmlns="http://www.w3.org/2000/svg" role="img" '
           'aria-label="kinetic chain from the foot to the lower back" font-family="Liberation Sans, Arial, sans-serif">',
           '<defs>']
    for lvl, col in list(_EV_COLOUR.items()) + [("none", "#c9d0d8")]:
        out.append(f'<marker id="arr-{lvl}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
                   f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{col}"/></marker>')
    out.append("</defs>")
    for i, (region, title) in enumerate(REGION_ROWS):
        y = top + i * row_h
        if i % 2 == 0:
            out.append(f'<rect x="0" y="{y - 12}" width="{W}" height="{row_h}" fill="#f7f9fb"/>')
        out.append(f'<text x="8" y="{y + box_h / 2 + 5}" font-size="14" font-weight="bold" fill="#5b6775">{escape(title)}</text>')

    row_of = {nid: round((y - top - box_h / 2) / row_h) for nid, (_, y) in pos.items()}
    solid = {nid for nid in pos if nid in active or nid in on_path}  # boxes an edge must not pass behind

    def route_x(x: float, row: int) -> float:
        """``x`` moved off any solid box of ``row`` (to the nearer free side of it)."""
        boxes = sorted(pos[n][0] for n in solid if row_of[n] == row)
        for cx in boxes:
            if abs(x - cx) < box_w / 2 + 6:
                for cand in sorted((cx - box_w / 2 - 10, cx + box_w / 2 + 10), key=lambda c: abs(c - x)):
                    if all(abs(cand - o) >= box_w / 2 + 6 for o in boxes) and 0 < cand < W:
                        return cand
        return x

    def edge_path(s: str, t: str) -> str:
        (x1, y1), (x2, y2) = pos[s], pos[t]
        if abs(y1 - y2) < 1:  # same row: arc above
            y1 -= box_h / 2
            y2 -= box_h / 2
            mid = y1 - 26
            return f"M{x1:.0f},{y1:.0f} C{x1:.0f},{mid:.0f} {x2:.0f},{mid:.0f} {x2:.0f},{y2:.0f}"
        sgn = -1 if y2 < y1 else 1
        pts = [(x1, y1 + sgn * box_h / 2)]
        r1, r2 = row_of[s], row_of[t]
        step = 1 if r2 > r1 else -1
        for r in range(r1 + step, r2, step):  # through the rows in between, beside their lit boxes
            yr = top + r * row_h + box_h / 2
            f = (yr - y1) / (y2 - y1)
            pts.append((route_x(x1 + f * (x2 - x1), r), yr))
        pts.append((x2, y2 - sgn * box_h / 2))
        d = [f"M{pts[0][0]:.0f},{pts[0][1]:.0f}"]
        for (xa, ya), (xb, yb) in zip(pts, pts[1:]):
            my = (ya + yb) / 2
            d.append(f"C{xa:.0f},{my:.0f} {xb:.0f},{my:.0f} {xb:.0f},{yb:.0f}")
        return " ".join(d)

    def node_svg(n: Any) -> None:
        x, y = pos[n.id]
        a = active.get(n.id)
        if n.kind == "outcome":
            fill, stroke, ink = ("#fbe3e0", "#c0392b", "#7b241c") if a else ("#fff", "#c0392b", "#7b241c")
        elif a and a.get("basis") == "answered":  # possible, from the answers only: grey, dotted border
            fill, stroke, ink = "#eef1f4", "#6b7785", "#2f3943"
        elif a and a["direct"]:
            fill, stroke, ink = "#f6b26b", "#c7661b", "#3d2408"
        elif a:
            fill, stroke, ink = "#fde3c6", "#e3a35b", "#5a3a12"
        elif n.id in on_path:  # a link on a contributor's path, not itself seen or inferred: dashed
            fill, stroke, ink = "#ffffff", "#8a96a3", "#3d4650"
        else:
            fill, stroke, ink = "#ffffff", "#cfd6dd", "#9aa5b1"
        cls = "node-active" if a else ("node-path" if n.id in on_path else "node")
        dash = ' stroke-dasharray="5 3"' if cls == "node-path" else ""
        if a and a.get("basis") == "answered":
            dash, cls = ' stroke-dasharray="2 2"', "node-active node-answered"
        out.append(f'<g class="{cls}"><rect x="{x - box_w / 2:.0f}" y="{y - box_h / 2:.0f}" width="{box_w}" height="{box_h}" '
                   f'rx="8" fill="{fill}" stroke="{stroke}" stroke-width="{2 if a else 1.4 if dash else 1}"{dash}/>')
        label = n.label
        if a and a.get("sides"):
            label += " (" + " & ".join(a["sides"]) + ")"
        lines = textwrap.wrap(label, 21)[:3]
        y0 = y - (len(lines) - 1) * 6.5 + 4
        weight = ' font-weight="bold"' if a else ""
        for k, ln in enumerate(lines):
            out.append(f'<text x="{x:.0f}" y="{y0 + k * 13:.0f}" font-size="11.5" text-anchor="middle" fill="{ink}"'
                       f'{weight}>{escape(ln)}</text>')
        if n.id in rank:
            out.append(f'<circle cx="{x + box_w / 2 - 4:.0f}" cy="{y - box_h / 2 + 2:.0f}" r="10" fill="#1f6f8b"/>'
                       f'<text x="{x + box_w / 2 - 4:.0f}" y="{y - box_h / 2 + 6:.0f}" font-size="12" font-weight="bold" '
                       f'text-anchor="middle" fill="#fff">{rank[n.id]}</text>')
        out.append("</g>")

    # boxes nothing is known about go underneath the arrows (an arrow over a grey box is plainly
    # passing by); lit boxes and the boxes on a contributor's path go on top
    for n in nodes:
        if n.id in pos and n.id not in solid:
            node_svg(n)
    for e in edges:  # involved edges off the contributors' paths: thin and grey, underneath
        if (e.source, e.target) not in active_edges or (e.source, e.target) in path_edges:
            continue
        if e.source in pos and e.target in pos:
            out.append(f'<path d="{edge_path(e.source, e.target)}" fill="none" stroke="#c9d0d8" stroke-width="1.2" '
                       f'marker-end="url(#arr-none)"/>')
    for e in edges:  # the contributors' paths to the lower back, coloured by evidence level
        if (e.source, e.target) not in path_edges or e.source not in pos or e.target not in pos:
            continue
        col = _EV_COLOUR.get(e.evidence, "#555")
        out.append(f'<path d="{edge_path(e.source, e.target)}" fill="none" stroke="{col}" stroke-width="3" '
                   f'marker-end="url(#arr-{e.evidence})" class="edge-active"><title>{escape(e.mechanism)}</title></path>')
    for n in nodes:
        if n.id in solid:
            node_svg(n)
    out.append("</svg>")
    return "".join(out)
