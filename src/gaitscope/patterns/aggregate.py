"""Per-side summaries of the per-stride table (cycles.csv) that the pattern rules compare with thresholds.

Pure functions over pandas/numpy; no video or pose imports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from gaitscope.types import SIDES

#: Key of the pooled (both sides together) statistics in :attr:`Aggregates.stats`.
POOLED = "all"


@dataclass(frozen=True)
class MetricStats:
    """Summary of one metric over the strides of one side (or all strides).

    ``n`` counts the strides with a finite value (or a known category). Numeric statistics are NaN for a
    categorical metric; ``fractions`` maps each category to its share of the strides (0..1).
    ``cv_pct`` = 100 * SD / mean (sample SD, ddof=1; NaN with fewer than 2 strides or a mean of 0).
    """

    n: int
    mean: float = math.nan
    median: float = math.nan
    min: float = math.nan
    max: float = math.nan
    sd: float = math.nan
    cv_pct: float = math.nan
    fractions: Mapping[str, float] = field(default_factory=dict)

    def get(self, aggregate: str) -> float:
        """The statistic named by a threshold row's ``aggregate`` (``frac_<category>`` included)."""
        if aggregate.startswith("frac_"):
            return float(self.fractions.get(aggregate[5:], 0.0)) if self.n else math.nan
        return float(getattr(self, aggregate))


@dataclass(frozen=True)
class Aggregates:
    """Statistics per side (``"left"``, ``"right"``) and pooled (``"all"``), per metric."""

    stats: Mapping[str, Mapping[str, MetricStats]]
    n_strides: Mapping[str, int]

    def stat(self, side: str, metric: str) -> MetricStats | None:
        return self.stats.get(side, {}).get(metric)

    @classmethod
    def from_side_stats(cls, side_stats: Mapping[str, Mapping[str, Mapping[str, float]]]) -> "Aggregates":
        """Build from already summarised values, e.g. summary.json's per-side parameters.

        Parameters
        ----------
        side_stats
            ``{side: {metric: {"mean": .., "sd": .., "cv_pct": .., "n": .., "median"/"min"/"max"
            (optional), "fractions" (optional, categorical)}}}`` with side ``left``/``right``
            (and optionally ``all``).
        """
        stats: dict[str, dict[str, MetricStats]] = {}
        n_strides: dict[str, int] = {}
        for side, metrics in side_stats.items():
            stats[side] = {}
            for metric, d in metrics.items():
                stats[side][metric] = MetricStats(
                    n=int(d.get("n", 0)),
                    mean=float(d.get("mean", math.nan)),
                    median=float(d.get("median", d.get("mean", math.nan))),
                    min=float(d.get("min", math.nan)),
                    max=float(d.get("max", math.nan)),
                    sd=float(d.get("sd", math.nan)),
                    cv_pct=float(d.get("cv_pct", math.nan)),
                    fractions=dict(d.get("fractions", {})),
                )
            n_strides[side] = max((s.n for s in stats[side].values()), default=0)
        return cls(stats=stats, n_strides=n_strides)


def _numeric_stats(x: np.ndarray) -> MetricStats:
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return MetricStats(n=0)
    mean = float(np.mean(x))
    sd = float(np.std(x, ddof=1)) if n >= 2 else math.nan
    cv = 100.0 * sd / abs(mean) if n >= 2 and mean != 0 else math.nan
    return MetricStats(n=n, mean=mean, median=float(np.median(x)), min=float(np.min(x)), max=float(np.max(x)),
                       sd=sd, cv_pct=cv)


def _categorical_stats(s: pd.Series) -> MetricStats:
    s = s.dropna().astype(str)
    s = s[s.str.len() > 0]
    n = int(s.size)
    if n == 0:
        return MetricStats(n=0)
    counts = s.value_counts()
    return MetricStats(n=n, fractions={str(k): float(v) / n for k, v in counts.items()})


def aggregate_cycles(cycles: pd.DataFrame, categorical: tuple[str, ...] = ("foot_contact",)) -> Aggregates:
    """Summarise a cycles.csv table per side and pooled.

    Parameters
    ----------
    cycles
        One row per stride with a ``side`` column (``left``/``right``) and metric columns named as in
        ``gaitscope/knowledge/metrics.csv``. Non-numeric cells of numeric columns count as missing.
    categorical
        Columns summarised as category fractions instead of numbers.

    Returns
    -------
    Aggregates
        ``stats[side][metric]`` for side in ``left``, ``right`` and ``all`` (pooled).
    """
    if cycles is None or len(cycles) == 0:
        return Aggregates(stats={s: {} for s in (*SIDES, POOLED)}, n_strides={s: 0 for s in (*SIDES, POOLED)})
    if "side" not in cycles.columns:
        raise ValueError("the cycle table needs a 'side' column (left/right)")
    bad = set(cycles["side"].dropna().unique()) - set(SIDES)
    if bad:
        raise ValueError(f"unknown side values {sorted(bad)}; use 'left'/'right'")
    skip = {"side", "pass", "start", "end", "t_start_s"}
    stats: dict[str, dict[str, MetricStats]] = {}
    n_strides: dict[str, int] = {}
    groups = {s: cycles[cycles["side"] == s] for s in SIDES}
    groups[POOLED] = cycles
    for key, g in groups.items():
        stats[key] = {}
        n_strides[key] = int(len(g))
        for col in cycles.columns:
            if col in skip:
                continue
            if col in categorical:
                stats[key][col] = _categorical_stats(g[col])
            else:
                x = pd.to_numeric(g[col], errors="coerce").to_numpy(dtype=float)
                stats[key][col] = _numeric_stats(x)
    return Aggregates(stats=stats, n_strides=n_strides)
