"""Settings of the gait-analysis stage (``analysis_settings.csv``): values with unit and source."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from gaitscope.knowledge.settings_table import load_settings_table, setting_value

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
    "mot_fo_hip_ext_offset_pct",
    "mot_fo_knee_vel_offset_pct",
    "mot_fo_ankle_vel_offset_pct",
)


@lru_cache(maxsize=1)
def load_analysis_settings() -> pd.DataFrame:
    """The validated settings table (columns ``name, value, unit, source``), indexed by ``name``."""
    return load_settings_table(FILE_NAME, REQUIRED)


def analysis_setting(name: str) -> float:
    """One setting's value (unit in ``analysis_settings.csv`` and in the name)."""
    return setting_value(load_analysis_settings(), name, FILE_NAME)
