"""Settings of the signal and events stages (``signal_settings.csv``): values with unit and source."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from gaitscope.knowledge.settings_table import load_settings_table, setting_value

FILE_NAME = "signal_settings.csv"
REQUIRED = (
    "min_keypoint_score", "max_gap_s", "outlier_window_s", "outlier_min_dev_height", "outlier_mad_factor",
    "cutoff_walking_hz", "cutoff_running_hz", "swap_cost_height", "collapse_height", "max_collapse_s",
    "footprint_evidence_height", "footprint_same_place_height", "footprint_max_break_s",
    "moving_speed_height_per_s", "travel_window_s", "ramp_fraction", "min_pass_s", "min_usable_pass_s",
    "treadmill_foot_range_height", "min_swing_speed_height_per_s", "min_swing_interval_s", "ic_fraction",
    "fc_fraction", "running_duty_factor", "min_stance_s", "max_stance_s", "min_swing_s", "max_swing_s",
    "min_step_fraction", "max_phase_factor", "running_flight_fraction", "min_flight_frames",
    "cutoff_contact_hz", "ic_lowest_window_s", "ic_median_fraction", "fc_forward_fraction",
)


@lru_cache(maxsize=1)
def load_signal_settings() -> pd.DataFrame:
    """The validated settings table (columns ``name, value, unit, source``), indexed by ``name``."""
    return load_settings_table(FILE_NAME, REQUIRED)


def signal_setting(name: str) -> float:
    """One setting's value (unit in ``signal_settings.csv`` and in the name)."""
    return setting_value(load_signal_settings(), name, FILE_NAME)
