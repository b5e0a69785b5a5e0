"""Steady-state strides: acceleration and deceleration strides at the ends of a walking pass.

A person speeds up over the first steps of a pass and slows into a stop or a turn (steady state after the
first 2-3 steps, Lindemann et al. 2008). Such strides are not the person's walking: their step length and
speed are lower and they would pull every mean and widen every SD. Only strides at an end of a pass are
candidates (the first and the last stride of each side in the pass, and inwards while they keep failing);
one is excluded when its speed or stride length (which holds the step that ends it) differs from the
median of the pass's strides by more than ``steady_state_max_deviation_pct``
(``knowledge/analysis_settings.csv``, with its source).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gaitscope.knowledge.analysis_settings import analysis_setting

#: Columns compared with the pass median (whichever scale the stride table has).
#: Whole-stride quantities only: a stride holds one step of each foot, so a limp (alternating long and short
#: steps) does not make one side's strides look like speeding up; the last stride of a pass holds the short
#: step into the stop (0.41 m after 0.75 m steps on walk_sagittal_older_adult.mp4), so its stride is shorter.
STEADY_COLUMNS = ("speed_mps", "stride_length_m", "speed_rel_per_s", "stride_length_rel")


def _deviant(row: pd.Series, medians: dict[str, float], limit: float) -> bool:
    for c, med in medians.items():
        v = row.get(c)
        if v is None or not np.isfinite(v) or not np.isfinite(med) or med <= 0:
            continue
        if abs(float(v) - med) / med > limit:
            return True
    return False


def steady_state_mask(cycles: pd.DataFrame) -> np.ndarray:
    """``True`` for strides kept as steady-state walking, ``False`` for excluded end-of-pass strides.

    Parameters
    ----------
    cycles
        The stride table (``side``, ``pass``, ``t_start_s`` and the spatial columns).

    Returns
    -------
    ndarray of bool, one per row. A pass with fewer than 3 strides (both sides together) keeps all of them:
    there is no median to compare with.
    """
    n = len(cycles)
    keep = np.ones(n, bool)
    if n == 0 or "pass" not in cycles.columns:
        return keep
    limit = float(analysis_setting("steady_state_max_deviation_pct")) / 100.0
    cols = [c for c in STEADY_COLUMNS if c in cycles.columns]
    if not cols:
        return keep
    pos = {idx: i for i, idx in enumerate(cycles.index)}
    for _, g in cycles.groupby("pass"):
        if len(g) < 3:
            continue
        medians = {c: float(np.nanmedian(g[c].to_numpy(float))) if np.isfinite(g[c].to_numpy(float)).any()
                   else float("nan") for c in cols}
        for _, gs in g.groupby("side"):
            order = gs.sort_values("t_start_s")
            rows = list(order.iterrows())
            # from the front and from the back, inwards while strides keep failing (at most half of them)
            for seq in (rows, rows[::-1]):
                for k, (idx, row) in enumerate(seq):
                    if k >= len(rows) // 2 or not _deviant(row, medians, limit):
                        break
                    keep[pos[idx]] = False
    return keep
