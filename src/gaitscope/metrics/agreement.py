"""Agreement between measured and reference angle curves (for validation against mocap)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def offset_removed_agreement(measured: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    """RMSE and correlation of two curves after removing their mean difference.

    Parameters
    ----------
    measured, reference
        Same-length arrays sampled at the same instants (degrees); NaN samples are skipped.

    Returns
    -------
    dict
        ``offset_deg`` (mean of measured - reference), ``rmse_deg`` (RMS of the difference
        after subtracting that offset), ``r`` (Pearson correlation), ``n`` (samples used).
        NaN values when fewer than 3 samples pair up.
    """
    a = np.asarray(measured, float)
    b = np.asarray(reference, float)
    ok = np.isfinite(a) & np.isfinite(b)
    n = int(ok.sum())
    if n < 3:
        return {"offset_deg": float("nan"), "rmse_deg": float("nan"), "r": float("nan"), "n": n}
    e = a[ok] - b[ok]
    off = float(e.mean())
    rmse = float(np.sqrt(np.mean((e - off) ** 2)))
    r = float(np.corrcoef(a[ok], b[ok])[0, 1])
    return {"offset_deg": off, "rmse_deg": rmse, "r": r, "n": n}


def compare_angle_tables(
    angles: pd.DataFrame,
    reference: pd.DataFrame,
    columns: tuple[str, ...] = ("hip_flex_deg", "knee_flex_deg", "ankle_dorsi_deg"),
) -> pd.DataFrame:
    """Offset-removed agreement of gaitscope angles with reference angles, per side and column.

    Both tables have ``t_s``, ``side`` and the angle columns (seconds from the same first
    sample). The reference is linearly interpolated at the measured sample times (inside its
    own time span, not across its gaps), so a 30 Hz video path can be compared with a 100 Hz
    lab reference without a timing error.

    Returns
    -------
    DataFrame
        Columns ``side``, ``angle``, ``offset_deg``, ``rmse_deg``, ``r``, ``n``.
    """
    rows = []
    for side in ("left", "right"):
        a = angles[angles["side"] == side].sort_values("t_s")
        r = reference[reference["side"] == side].sort_values("t_s")
        ta = a["t_s"].to_numpy(float)
        tr = r["t_s"].to_numpy(float)
        if ta.size < 3 or tr.size < 2:
            continue
        dt_ref = float(np.median(np.diff(tr)))
        for c in columns:
            y = r[c].to_numpy(float)
            ok = np.isfinite(y)
            ref_at = np.interp(ta, tr[ok], y[ok], left=np.nan, right=np.nan)
            # no interpolation across a reference gap longer than 1.5 samples
            j = np.clip(np.searchsorted(tr[ok], ta), 1, max(1, ok.sum() - 1))
            gap = (tr[ok][j] - tr[ok][j - 1]) > 1.5 * dt_ref
            ref_at[gap] = np.nan
            res = offset_removed_agreement(a[c].to_numpy(float), ref_at)
            rows.append({"side": side, "angle": c, **res})
    return pd.DataFrame(rows, columns=["side", "angle", "offset_deg", "rmse_deg", "r", "n"])


def within_cycles(angles: pd.DataFrame, cycles: pd.DataFrame) -> pd.DataFrame:
    """The rows of an angles table that fall inside an analysed stride of the same side.

    A sample of side s at input frame f is kept when some stride of side s has
    ``start <= f <= end`` (the closing IC included). This is where gaitscope reports angle
    values (curves and discrete values), so accuracy is measured there.
    """
    keep = np.zeros(len(angles), bool)
    frames = angles["frame"].to_numpy()
    sides = angles["side"].to_numpy()
    for row in cycles.itertuples(index=False):
        keep |= (sides == row.side) & (frames >= row.start) & (frames <= row.end)
    return angles[keep]
