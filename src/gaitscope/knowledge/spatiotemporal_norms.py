"""Normal ranges of spatiotemporal gait parameters (``normative_spatiotemporal.csv``).

The data file is read with :mod:`importlib.resources` and validated on load. Each row gives a
normal range (mean - 1 SD .. mean + 1 SD) for one parameter, sex, age band and pace, with its
source. :func:`spatiotemporal_normal_range` picks the rows that fit a person.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

FILE_NAME = "normative_spatiotemporal.csv"
COLUMNS = ("sex", "age_min_years", "age_max_years", "pace", "parameter", "unit", "low", "high", "source")
PARAMETERS = (
    "speed_mps",
    "cadence_spm",
    "stride_time_s",
    "step_time_s",
    "stride_length_m",
    "step_length_m",
    "step_width_m",
    "swing_pct",
    "stance_pct",
    "single_support_pct",
    "double_support_pct",
)
#: Age band used when the person's age is not given: adults of working age.
DEFAULT_AGE_YEARS = (18, 69)


@dataclass(frozen=True)
class NormalRange:
    """A normal range of one parameter for one reference group.

    ``low`` and ``high`` are in ``unit`` (mean - 1 SD .. mean + 1 SD of the reference group);
    ``group`` describes who the reference group is; ``source`` names the study.
    """

    parameter: str
    low: float
    high: float
    unit: str
    group: str
    source: str

    def as_dict(self) -> dict:
        return {
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "group": self.group,
            "definition": "mean - 1 SD .. mean + 1 SD",
            "source": self.source,
        }


@lru_cache(maxsize=1)
def load_spatiotemporal_norms() -> pd.DataFrame:
    """The validated table of ``normative_spatiotemporal.csv`` (one row per group and parameter).

    Raises
    ------
    ValueError
        If the packaged file is malformed (missing columns, unknown parameter, low > high, no source).
    """
    text = resources.files("gaitscope.knowledge").joinpath(FILE_NAME).read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(text), comment="#")
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{FILE_NAME}: missing columns {missing}")
    unknown = sorted(set(df["parameter"]) - set(PARAMETERS))
    if unknown:
        raise ValueError(f"{FILE_NAME}: unknown parameters {unknown}")
    if not set(df["sex"]) <= {"male", "female"}:
        raise ValueError(f"{FILE_NAME}: sex must be male/female")
    if not set(df["pace"]) <= {"slow", "normal", "fast"}:
        raise ValueError(f"{FILE_NAME}: pace must be slow/normal/fast")
    lo, hi = df["low"].to_numpy(float), df["high"].to_numpy(float)
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)) and np.all(lo <= hi)):
        raise ValueError(f"{FILE_NAME}: every row needs finite low <= high")
    if df["source"].isna().any() or (df["source"].astype(str).str.strip() == "").any():
        raise ValueError(f"{FILE_NAME}: every row needs a source")
    if df["unit"].isna().any():
        raise ValueError(f"{FILE_NAME}: every row needs a unit")
    return df


@lru_cache(maxsize=512)
def spatiotemporal_normal_range(
    parameter: str,
    *,
    age_years: float | None = None,
    sex: str | None = None,
    pace: str = "normal",
) -> NormalRange | None:
    """Normal range of one spatiotemporal parameter for a person.

    Parameters
    ----------
    parameter
        Canonical metric name (``cadence_spm``, ``step_length_m`` ...).
    age_years
        The person's age; when None, adults 18-69 years are used.
    sex
        ``"male"``, ``"female"`` or None (then both sexes are pooled).
    pace
        ``"slow"``, ``"normal"`` (self-selected) or ``"fast"``.

    Returns
    -------
    NormalRange or None
        None when the table has no row for this parameter and group. When several rows fit
        (both sexes, several age bands), the range is their envelope (lowest low, highest high).
    """
    df = load_spatiotemporal_norms()
    sel = df[(df["parameter"] == parameter) & (df["pace"] == pace)]
    if age_years is None:
        a0, a1 = DEFAULT_AGE_YEARS
        sel = sel[(sel["age_min_years"] >= a0) & (sel["age_max_years"] <= a1)]
        age_txt = f"age not given: adults {a0}-{a1} years assumed"
    else:
        age = int(np.floor(age_years))
        sel = sel[(sel["age_min_years"] <= age) & (sel["age_max_years"] >= age)]
        age_txt = f"age {age} years"
    if sex is not None:
        if sex not in ("male", "female"):
            raise ValueError(f"sex must be 'male', 'female' or None, got {sex!r}")
        sel = sel[sel["sex"] == sex]
    if sel.empty:
        return None
    sex_txt = sex if sex is not None else "both sexes"
    sources = "; ".join(dict.fromkeys(sel["source"].astype(str)))
    return NormalRange(
        parameter=parameter,
        low=float(sel["low"].min()),
        high=float(sel["high"].max()),
        unit=str(sel["unit"].iloc[0]),
        group=f"{age_txt}, {sex_txt}, {pace} pace",
        source=sources,
    )
