"""Cut-offs, body proportions, error model and quality limits of the static posture screen.

Loaded from ``posture_thresholds.csv`` with :mod:`importlib.resources` and validated on load.
Every row carries a unit and a source; rows that are gaitscope conventions or assumptions say so.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

POSTURE_FILE = "posture_thresholds.csv"
_COLUMNS = ["kind", "name", "comparison", "threshold", "unit", "severity", "source", "note"]
_KINDS = ("cutoff", "proportion", "error", "quality")
_COMPARISONS = ("<", ">", "<=", ">=", "=")


@dataclass(frozen=True)
class PostureRow:
    """One row of ``posture_thresholds.csv``."""

    kind: str
    name: str
    comparison: str
    threshold: float
    unit: str
    severity: int
    source: str
    note: str


@dataclass(frozen=True)
class PostureKnowledge:
    """All rows, with look-ups by kind and name."""

    rows: tuple[PostureRow, ...]
    version: str

    def cutoffs(self, name: str) -> tuple[PostureRow, ...]:
        """Clinical cut-offs of one measure, mildest first (ascending severity)."""
        return tuple(sorted((r for r in self.rows if r.kind == "cutoff" and r.name == name), key=lambda r: r.severity))

    def value(self, kind: str, name: str) -> float:
        """The threshold of the single ``kind``/``name`` row."""
        return self.row(kind, name).threshold

    def row(self, kind: str, name: str) -> PostureRow:
        hits = [r for r in self.rows if r.kind == kind and r.name == name]
        if len(hits) != 1:
            raise KeyError(f"{POSTURE_FILE}: expected one {kind} row named {name!r}, found {len(hits)}")
        return hits[0]


def _validate(df: pd.DataFrame) -> None:
    where = f"gaitscope/knowledge/{POSTURE_FILE}"
    if list(df.columns) != _COLUMNS:
        raise ValueError(f"{where}: columns {list(df.columns)}, expected {_COLUMNS}")
    required = df[["kind", "name", "comparison", "threshold", "unit", "severity", "source"]]
    if required.isna().any().any():
        raise ValueError(f"{where}: empty cells in required columns")
    bad = set(df["kind"]) - set(_KINDS)
    if bad:
        raise ValueError(f"{where}: unknown kinds {sorted(bad)}")
    bad = set(df["comparison"]) - set(_COMPARISONS)
    if bad:
        raise ValueError(f"{where}: unknown comparisons {sorted(bad)}")
    if (df["source"].str.strip().str.len() < 10).any():
        raise ValueError(f"{where}: every row needs a source")
    cut = df[df["kind"] == "cutoff"]
    if not cut["severity"].between(1, 3).all():
        raise ValueError(f"{where}: cut-off severities must be 1..3")
    if not cut["name"].str.endswith("_deg").all():
        raise ValueError(f"{where}: cut-off names need a unit suffix (_deg)")
    dup = df[df.duplicated(["kind", "name", "severity"])]
    if len(dup):
        raise ValueError(f"{where}: duplicate rows {list(dup['name'])}")
    for name, g in cut.groupby("name"):
        if g["comparison"].nunique() != 1:
            raise ValueError(f"{where}: cut-offs of {name} mix comparisons")
        thr = g.sort_values("severity")["threshold"].to_numpy()
        increasing = g["comparison"].iloc[0] in (">", ">=")
        if (increasing and (thr[1:] <= thr[:-1]).any()) or (not increasing and (thr[1:] >= thr[:-1]).any()):
            raise ValueError(f"{where}: cut-offs of {name} must get stricter with severity")


@lru_cache(maxsize=1)
def load_posture_knowledge() -> PostureKnowledge:
    """Read and validate ``posture_thresholds.csv`` (cached)."""
    with resources.files("gaitscope.knowledge").joinpath(POSTURE_FILE).open("r") as fh:
        text = fh.read()
    df = pd.read_csv(io.StringIO(text), comment="#")
    _validate(df)
    df["note"] = df["note"].fillna("")
    rows = tuple(
        PostureRow(
            kind=str(r.kind),
            name=str(r.name),
            comparison=str(r.comparison),
            threshold=float(r.threshold),
            unit=str(r.unit),
            severity=int(r.severity),
            source=str(r.source),
            note=str(r.note),
        )
        for r in df.itertuples(index=False)
    )
    return PostureKnowledge(rows=rows, version=hashlib.sha256(text.encode()).hexdigest()[:12])
