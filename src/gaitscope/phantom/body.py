"""Body model of the phantom: segment lengths scaled by height (Winter 2009, Fig. 4.1).

Fractions of height are read from ``knowledge/anthropometry.csv`` (each row names its source;
rows marked ``assumption`` are modelling choices, see ``docs/phantom.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

ANTHROPOMETRY_FILE = "anthropometry.csv"
_REQUIRED = (
    "shoulder_height",
    "hip_height",
    "knee_height",
    "ankle_height",
    "eye_height",
    "upper_arm_length",
    "forearm_length",
    "thigh_length",
    "shank_length",
    "foot_length",
    "shoulder_width",
    "hip_joint_centre_width",
    "heel_behind_ankle",
    "c7_height",
    "c7_behind_shoulder",
    "ear_height",
    "nose_height",
    "eye_ahead_of_ear",
    "nose_ahead_of_ear",
    "eye_width",
    "ear_width",
    "mtp_from_heel",
)


@lru_cache(maxsize=1)
def load_anthropometry() -> pd.DataFrame:
    """The anthropometry table (``quantity, kind, fraction_of_height, source``), validated."""
    with resources.files("gaitscope.knowledge").joinpath(ANTHROPOMETRY_FILE).open("r") as fh:
        df = pd.read_csv(fh, comment="#")
    where = f"gaitscope/knowledge/{ANTHROPOMETRY_FILE}"
    if list(df.columns) != ["quantity", "kind", "fraction_of_height", "source"]:
        raise ValueError(f"{where}: unexpected columns {list(df.columns)}")
    if df["source"].isna().any() or (df["source"].str.strip() == "").any():
        raise ValueError(f"{where}: every row needs a source")
    missing = set(_REQUIRED) - set(df["quantity"])
    if missing:
        raise ValueError(f"{where}: missing rows {sorted(missing)}")
    if not df["fraction_of_height"].abs().between(0.0, 1.0).all():
        raise ValueError(f"{where}: fractions of height must lie in [-1, 1]")
    return df


@dataclass(frozen=True)
class Body:
    """Segment dimensions in metres for one standing height.

    Attributes are lengths in metres; ``*_height_m`` are heights above the floor in quiet standing.
    """

    height_m: float
    thigh_m: float
    shank_m: float
    ankle_height_m: float
    foot_length_m: float
    heel_behind_ankle_m: float
    mtp_from_heel_m: float  # metatarsal heads (forefoot rocker) from the back of the heel
    hip_width_m: float  # distance between the hip joint centres
    trunk_m: float  # mid-hip joint centres to mid-shoulders
    shoulder_width_m: float
    upper_arm_m: float
    forearm_m: float
    c7_above_shoulder_m: float
    c7_behind_shoulder_m: float
    ear_above_shoulder_m: float
    eye_above_shoulder_m: float
    nose_above_shoulder_m: float
    eye_ahead_of_ear_m: float
    nose_ahead_of_ear_m: float
    eye_width_m: float
    ear_width_m: float

    @property
    def leg_length_m(self) -> float:
        """Hip joint centre to floor in quiet standing (thigh + shank + ankle height)."""
        return self.thigh_m + self.shank_m + self.ankle_height_m

    @property
    def toe_ahead_of_ankle_m(self) -> float:
        return self.foot_length_m - self.heel_behind_ankle_m

    @property
    def mtp_ahead_of_ankle_m(self) -> float:
        return self.mtp_from_heel_m - self.heel_behind_ankle_m

    @property
    def toe_length_m(self) -> float:
        """Metatarsal heads to the tip of the toes."""
        return self.foot_length_m - self.mtp_from_heel_m


def body_for_height(height_m: float) -> Body:
    """A :class:`Body` scaled to ``height_m`` (metres, 1.0 .. 2.3)."""
    if not 1.0 <= float(height_m) <= 2.3:
        raise ValueError(f"height_m must be between 1.0 and 2.3 m, got {height_m}")
    f = dict(zip(load_anthropometry()["quantity"], load_anthropometry()["fraction_of_height"]))
    h = float(height_m)
    return Body(
        height_m=h,
        thigh_m=f["thigh_length"] * h,
        shank_m=f["shank_length"] * h,
        ankle_height_m=f["ankle_height"] * h,
        foot_length_m=f["foot_length"] * h,
        heel_behind_ankle_m=f["heel_behind_ankle"] * h,
        mtp_from_heel_m=f["mtp_from_heel"] * h,
        hip_width_m=f["hip_joint_centre_width"] * h,
        trunk_m=(f["shoulder_height"] - f["hip_height"]) * h,
        shoulder_width_m=f["shoulder_width"] * h,
        upper_arm_m=f["upper_arm_length"] * h,
        forearm_m=f["forearm_length"] * h,
        c7_above_shoulder_m=(f["c7_height"] - f["shoulder_height"]) * h,
        c7_behind_shoulder_m=-f["c7_behind_shoulder"] * h,
        ear_above_shoulder_m=(f["ear_height"] - f["shoulder_height"]) * h,
        eye_above_shoulder_m=(f["eye_height"] - f["shoulder_height"]) * h,
        nose_above_shoulder_m=(f["nose_height"] - f["shoulder_height"]) * h,
        eye_ahead_of_ear_m=f["eye_ahead_of_ear"] * h,
        nose_ahead_of_ear_m=f["nose_ahead_of_ear"] * h,
        eye_width_m=f["eye_width"] * h,
        ear_width_m=f["ear_width"] * h,
    )
