"""Settings of the signal and events stages (``signal_settings.csv``): values with unit and source."""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

FILE_NAME = "signal_settings.csv"
REQUIRED = (
    "min_keypoint_score", "max_gap_s", "outlier_window_s", "outlier_min_dev_height", "outlier_mad_factor",
    "cutoff_walking_hz", "cutoff_running_hz", "swap_cost_height", "collapse_height", "max_collapse_s",
    "footprint_evidence_height", "footprint_same_place_height", "footprint_max_break_s",
    "moving_speed_height_per_s", "travel_window_s", "ramp_fraction", "min_pass_s", "min_usable_pass_s",
    "treadmill_foot_range_height", "min_swing_speed_height_per_s", "min_swing_interval_s", "ic_fraction",
    "fc_fraction", "running_duty_factor", "min_stance_s", "max_stance_s", "min_swing_s", "max_swing_s",
    "min_step_fraction", "max_phase_factor",
)


@lru_cache(maxsize=1)
def load_signal_settings() -> pd.DataFrame:
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
    for col in ("unit", "source"):
        if df[col].isna().any() or (df[col].astype(str).str.strip() == "").any():
            raise ValueError(f"{FILE_NAME}: every row needs a {col}")
    return df.set_index("name")


def signal_setting(name: str) -> float:
    """One setting's value (unit in ``signal_settings.csv``)."""
    df = load_signal_settings()
    if name not in df.index:
        raise KeyError(f"{name!r} is not in {FILE_NAME}")
    return float(df.at[name, "value"])
