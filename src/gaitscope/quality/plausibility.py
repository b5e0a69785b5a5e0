"""Physiological plausibility ranges per metric (``knowledge/plausibility.csv``)."""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

FILE_NAME = "plausibility.csv"


@lru_cache(maxsize=1)
def load_plausibility() -> pd.DataFrame:
    """The validated plausibility table, indexed by metric (``low``, ``high``, ``unit``, ``source``).

    Raises
    ------
    ValueError
        If the packaged file lacks a column, a source, or has low > high.
    """
    text = resources.files("gaitscope.knowledge").joinpath(FILE_NAME).read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(text), comment="#")
    for c in ("metric", "low", "high", "unit", "source"):
        if c not in df.columns:
            raise ValueError(f"{FILE_NAME}: missing column {c!r}")
    if df["metric"].duplicated().any():
        raise ValueError(f"{FILE_NAME}: a metric is listed twice")
    lo, hi = df["low"].to_numpy(float), df["high"].to_numpy(float)
    if not (np.isfinite(lo).all() and np.isfinite(hi).all() and (lo < hi).all()):
        raise ValueError(f"{FILE_NAME}: every row needs finite low < high")
    if (df["source"].fillna("").astype(str).str.strip() == "").any():
        raise ValueError(f"{FILE_NAME}: every row needs a source")
    return df.set_index("metric")


def plausible_mask(metric: str, values: np.ndarray) -> np.ndarray:
    """``True`` where a value is inside its metric's plausibility range (or NaN, or the metric has no range)."""
    v = np.asarray(values, float)
    table = load_plausibility()
    if metric not in table.index:
        return np.ones(v.shape, bool)
    lo, hi = float(table.at[metric, "low"]), float(table.at[metric, "high"])
    with np.errstate(invalid="ignore"):
        return ~np.isfinite(v) | ((v >= lo) & (v <= hi))
