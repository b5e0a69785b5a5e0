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


def side_comparison(stats: dict[str, dict], *, min_n: int, ratio_ok: bool) -> tuple[str, object] | None:
    """The left/right comparison of one parameter, by one policy for every view.

    ``stats`` maps ``left``/``right`` to ``{"mean", "n", "quality"?}``. Returns ``("symmetry", {...})``,
    ``("symmetry_not_computed", reason)`` when a side is the far leg of a side-on video or has fewer than
    ``min_n`` strides (a difference would then be visibility or stride-to-stride noise), or None when a side
    is missing. ``ratio_ok``: the ratio and symmetry index are given only for positive ratio-scale values.
    """
    if "left" not in stats or "right" not in stats:
        return None
    far = [sd for sd in ("left", "right") if stats[sd].get("quality") == "far"]
    few = [sd for sd in ("left", "right") if stats[sd]["n"] < min_n]
    if far:
        return ("symmetry_not_computed",
                f"the {far[0]} leg was the far leg in this side-on view: its value is an estimate, not compared")
    if few:
        return ("symmetry_not_computed",
                f"fewer than {min_n} strides on the {' and '.join(few)} side: a difference between the sides "
                "would be mostly stride-to-stride noise")
    lm, rm = float(stats["left"]["mean"]), float(stats["right"]["mean"])
    sym: dict[str, float] = {"difference_left_minus_right": round(lm - rm, 4)}
    if ratio_ok and lm > 0 and rm > 0:
        sym["ratio"] = round(symmetry_ratio(lm, rm), 4)
        sym["symmetry_index_pct"] = round(symmetry_index_pct(lm, rm), 2)
    return ("symmetry", sym)
