"""Settings of the gait-analysis stage (``analysis_settings.csv``): values with unit and source."""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

FILE_NAME = "analysis_settings.csv"
REQUIRED = (
    "max_stride_time_s",
    "foot_flat_tolerance_m",
    "foot_flat_tolerance_rel",
    "foot_contact_heel_min_deg",
    "foot_contact_forefoot_max_deg",
    "loading_window_pct",
    "pushoff_after_fc_pct",
    "min_strides_variability",
    "min_strides_curve",
)


@lru_cache(maxsize=1)
def load_analysis_settings() -> pd.DataFrame:
    """The validated settings table (columns ``name, value, unit, source``), indexed by ``name``."""
    text = resources.files("gaitscope.knowledge").joinpath(FILE_NAME).read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(text), comment="#")
    if list(df.columns) != ["name", "value", "unit", "source"]:
        raise ValueError(f"{FILE_NAME}: columns must be name,value,unit,source")
    missing = sorted(set(REQUIRED) - set(df["name"]))
    if missing:
        raise ValueError(f"{FILE_NAME}: missing settings {missing}")
    if df["name"].duplicated().any():
        raise ValueError(f"{FILE_NAME}: duplicate names")
    if not np.all(np.isfinite(df["value"].to_numpy(float))):
        raise ValueError(f"{FILE_NAME}: every value must be a finite number")
    if df["unit"].isna().any() or df["source"].isna().any():
        raise ValueError(f"{FILE_NAME}: every row needs a unit and a source")
    return df.set_index("name")


def analysis_setting(name: str) -> float:
    """Value of one setting (unit as given in the file and in its name)."""
    df = load_analysis_settings()
    if name not in df.index:
        raise KeyError(f"no analysis setting {name!r} in {FILE_NAME}")
    return float(df.loc[name, "value"])
