"""Left/right symmetry and stride-to-stride variability (pure functions)."""

from __future__ import annotations

import numpy as np


def symmetry_ratio(left: float, right: float) -> float:
    """Left / right ratio (1 = symmetric); NaN when right is 0 or either value is missing."""
    if not (np.isfinite(left) and np.isfinite(right)) or right == 0:
        return float("nan")
    return float(left / right)


def symmetry_index_pct(left: float, right: float) -> float:
    """Symmetry index ``100 * |L - R| / (0.5 * (L + R))`` in percent (0 = symmetric).

    Robinson et al. 1987 (J Manipulative Physiol Ther 10:172), with the absolute difference.
    NaN when the mean is 0 or a value is missing; meaningful for positive quantities
    (times, lengths), not for angles that cross zero.
    """
    if not (np.isfinite(left) and np.isfinite(right)):
        return float("nan")
    mean = 0.5 * (left + right)
    if mean == 0:
        return float("nan")
    return float(100.0 * abs(left - right) / abs(mean))


def describe(values: np.ndarray) -> dict[str, float]:
    """Mean, SD (ddof 1), coefficient of variation and count of the finite values.

    Returns
    -------
    dict
        ``mean``, ``sd``, ``cv_pct`` (100 * SD / |mean|), ``n``. ``sd`` and ``cv_pct`` are NaN
        with fewer than 2 values; ``cv_pct`` is NaN when the mean is 0.
    """
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    n = int(v.size)
    if n == 0:
        return {"mean": float("nan"), "sd": float("nan"), "cv_pct": float("nan"), "n": 0}
    mean = float(v.mean())
    sd = float(v.std(ddof=1)) if n >= 2 else float("nan")
    cv = float(100.0 * sd / abs(mean)) if (n >= 2 and mean != 0) else float("nan")
    return {"mean": mean, "sd": sd, "cv_pct": cv, "n": n}
