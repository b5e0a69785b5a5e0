"""Wire the quality checks onto a stride table (``analyze`` calls :func:`apply_quality` once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gaitscope.quality.plausibility import load_plausibility, plausible_mask
from gaitscope.quality.steady import steady_state_mask
from gaitscope.quality.visibility import VISIBILITY_LIMITED, leg_visibility

#: Column added to cycles.csv (schema 1.3): 1 = steady-state stride used for statistics and rules, 0 = an
#: acceleration or deceleration stride at a pass end (kept in the table, counted in summary.json "quality").
STEADY_COLUMN = "steady_state"


@dataclass(frozen=True)
class QualityResult:
    """What the quality layer decided.

    ``cycles``: every stride, implausible values set to NaN, plus the ``steady_state`` column (cycles.csv).
    ``steady``: the steady-state strides only (statistics, normal ranges, curves, pattern rules).
    ``legs``: the visibility grade per side (:func:`~gaitscope.quality.visibility.leg_visibility`).
    ``summary``: the ``summary.json`` ``quality`` block. ``not_comparable``: ``{metric: reason}``, the
    visibility-limited metrics whose two sides must not be compared (a far leg): the pattern rules never build
    an asymmetry finding on them (``PatternContext.not_comparable``), the summary gives no symmetry for them.
    """

    cycles: pd.DataFrame
    steady: pd.DataFrame
    legs: dict[str, dict[str, Any]]
    summary: dict[str, Any]
    not_comparable: dict[str, str] = field(default_factory=dict)


def _r(x: float) -> float:
    return float(round(float(x), 4))


def apply_quality(prep: Any, cycles: pd.DataFrame, pose: Any | None = None) -> QualityResult:
    """Plausibility, steady state and leg visibility for one analysed walk.

    Parameters
    ----------
    prep
        The :class:`~gaitscope.signal.PreparedWalk` (view, passes, pose scores).
    cycles
        The stride table (cycles.csv columns, frontal columns included).
    pose
        The pose before cleaning (its keypoint scores grade the legs); default ``prep.pose``.
    """
    out = cycles.copy()
    table = load_plausibility()
    dropped: list[dict[str, Any]] = []
    for metric in table.index:
        if metric not in out.columns:
            continue
        vals = out[metric].to_numpy(float)
        ok = plausible_mask(metric, vals)
        for i in np.flatnonzero(~ok):
            row = out.iloc[i]
            dropped.append({"metric": metric, "side": str(row["side"]), "t_start_s": _r(row["t_start_s"]),
                            "value": _r(vals[i]), "low": float(table.at[metric, "low"]),
                            "high": float(table.at[metric, "high"]), "unit": str(table.at[metric, "unit"]),
                            "source": str(table.at[metric, "source"])})
        if (~ok).any():
            out.loc[~ok, metric] = np.nan
    keep = steady_state_mask(out)
    out[STEADY_COLUMN] = keep.astype(int)
    excluded = [{"side": str(r["side"]), "pass": int(r["pass"]), "t_start_s": _r(r["t_start_s"]),
                 **({"step_length_m": _r(r["step_length_m"])} if "step_length_m" in out.columns
                    and np.isfinite(r["step_length_m"]) else {}),
                 **({"speed_mps": _r(r["speed_mps"])} if "speed_mps" in out.columns and np.isfinite(r["speed_mps"])
                    else {})}
                for (_, r), k in zip(out.iterrows(), keep) if not k]
    steady = out[keep].drop(columns=[STEADY_COLUMN]).reset_index(drop=True)
    steady.attrs.update(cycles.attrs)
    legs = leg_visibility(prep, pose)
    reasons: dict[str, str] = {}
    for side, g in legs.items():
        if g["grade"] == "far":
            reasons.update({c: g["reason"] for c in VISIBILITY_LIMITED if c in steady.columns})
    notes = []
    if excluded:
        notes.append(f"{len(excluded)} stride(s) at the start or end of a walking pass left out of the statistics "
                     "and the rules: the person was speeding up or slowing down (steady-state walking only)")
    if dropped:
        names = ", ".join(dict.fromkeys(d["metric"] for d in dropped))
        notes.append(f"{len(dropped)} value(s) outside the physiologically possible range dropped as tracking "
                     f"artefacts ({names}; knowledge/plausibility.csv)")
    summary = {
        "steady_state": {"strides_kept": int(keep.sum()), "strides_excluded": int((~keep).sum()),
                         "excluded": excluded},
        "plausibility": {"values_dropped": len(dropped), "dropped": dropped},
        "legs": legs,
        "notes": notes,
    }
    return QualityResult(cycles=out, steady=steady, legs=legs, summary=summary, not_comparable=reasons)
