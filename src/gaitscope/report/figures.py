"""Figures of the report with matplotlib (Agg backend, imported only here): joint-angle curves per side
over the normal band. Returned as SVG data URIs so the HTML stays one self-contained file.
"""

from __future__ import annotations

import base64
from io import BytesIO
from typing import Any, Mapping

import numpy as np

LEFT = "#e07b00"
RIGHT = "#1e78d2"

#: Curves shown, with the title a person reads and the sign convention (docs/conventions.md).
CURVES: tuple[tuple[str, str, str], ...] = (
    ("hip_flex_deg", "Hip", "+ flexion / - extension (thigh vs trunk)"),
    ("knee_flex_deg", "Knee", "+ flexion"),
    ("ankle_dorsi_deg", "Ankle", "+ dorsiflexion / - plantarflexion"),
)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "gaitscope", "font.family": "DejaVu Sans", "font.size": 9})
    return plt


def _svg_uri(fig) -> str:
    buf = BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _robust_ylim(ax, c: Mapping[str, Any], pad_deg: float = 8.0) -> None:
    """Y limits from the normal band and the 2nd-98th percentiles of the side means, so that a short tracking
    glitch in a 2-stride mean does not flatten the whole plot (the clipped part is marked by the axis edge)."""
    vals = []
    for side in ("left", "right"):
        d = c.get(side)
        if isinstance(d, Mapping) and d.get("n"):
            vals.append(np.asarray(d["mean"], dtype=float))
    norm = c.get("normal")
    lo_hi = []
    if vals:
        v = np.concatenate(vals)
        v = v[np.isfinite(v)]
        if v.size:
            lo_hi += [np.percentile(v, 2), np.percentile(v, 98)]
    if isinstance(norm, Mapping) and norm.get("mean"):
        m = np.asarray(norm["mean"], dtype=float)
        sd = np.asarray(norm["sd"], dtype=float)
        lo_hi += [np.nanmin(m - sd), np.nanmax(m + sd)]
    if lo_hi:
        ax.set_ylim(min(lo_hi) - pad_deg, max(lo_hi) + pad_deg)


def angle_curves_uri(curves: Mapping[str, Any], stance_pct: Mapping[str, float] | None = None) -> str | None:
    """Hip, knee and ankle curves (mean +- SD per side, 0-100 % of the gait cycle) over the normal band.

    Parameters
    ----------
    curves
        ``summary.json`` ``curves``: ``gait_cycle_pct`` and per angle ``left``/``right`` (``mean``, ``sd``,
        ``n``) and ``normal`` (``mean``, ``sd``, ``gait_cycle_pct``, ``source``).
    stance_pct
        Mean stance percentage per side: drawn as a short tick (toe-off) on the x axis.

    Returns
    -------
    str or None
        An SVG data URI, or None when no angle curve exists (e.g. frontal view).
    """
    pct = np.asarray(curves.get("gait_cycle_pct", []), dtype=float)
    shown = [c for c in CURVES if isinstance(curves.get(c[0]), Mapping)
             and any(isinstance(curves[c[0]].get(s), Mapping) and curves[c[0]][s].get("n") for s in ("left", "right"))]
    if pct.size == 0 or not shown:
        return None
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(shown), figsize=(3.3 * len(shown), 2.7), squeeze=False)
    for ax, (key, title, sign) in zip(axes[0], shown):
        c = curves[key]
        norm = c.get("normal")
        if isinstance(norm, Mapping) and norm.get("mean"):
            npct = np.asarray(norm.get("gait_cycle_pct", pct), dtype=float)
            m = np.asarray(norm["mean"], dtype=float)
            sd = np.asarray(norm["sd"], dtype=float)
            band = "children ±1 SD (not an adult norm)" if norm.get("adult_norm") is False else "reference ±1 SD"
            ax.fill_between(npct, m - sd, m + sd, color="#9aa5b1", alpha=0.35, lw=0, label=band)
        for side, col in (("left", LEFT), ("right", RIGHT)):
            d = c.get(side)
            if not isinstance(d, Mapping) or not d.get("n"):
                continue
            m = np.asarray(d["mean"], dtype=float)
            sd = np.asarray(d.get("sd") or np.zeros_like(m), dtype=float)
            ax.fill_between(pct, m - sd, m + sd, color=col, alpha=0.15, lw=0)
            ax.plot(pct, m, color=col, lw=2, label=f"{side} ({d['n']} strides)")
            if stance_pct and np.isfinite(stance_pct.get(side, np.nan)):
                ax.axvline(stance_pct[side], color=col, lw=1, ls=":", alpha=0.9)
        _robust_ylim(ax, c)
        ax.set_title(f"{title}  ({sign})", fontsize=9)
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of the gait cycle (0 = foot lands)")
        ax.grid(alpha=0.25)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].set_ylabel("degrees")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, frameon=False, bbox_to_anchor=(0.5, -0.08))
    fig.tight_layout()
    uri = _svg_uri(fig)
    plt.close(fig)
    return uri
