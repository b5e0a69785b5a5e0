"""OpenSim motion file (.mot) of the sagittal angles, with OpenSim's coordinate names and signs.

Columns: ``time``, ``hip_flexion_r``, ``knee_angle_r``, ``ankle_angle_r``, then ``_l``.
Signs (OpenSim gait models, the inverse of :func:`gaitscope.capture.mot.ik_to_angles`):
``hip_flexion = hip_flex_deg`` (flexion +), ``knee_angle = -knee_flex_deg`` (OpenSim's knee
angle is negative in flexion), ``ankle_angle = ankle_dorsi_deg`` (dorsiflexion +). Degrees
(``inDegrees=yes``). Samples where gaitscope has no angle are written ``nan``. These are
gaitscope's 2-D sagittal angles (docs/conventions.md), not an inverse-kinematics solution.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gaitscope.export._atomic import atomic_path
from gaitscope.export.data import ExportData
from gaitscope.types import GaitscopeError

#: OpenSim coordinate -> (gaitscope column, sign)
OPENSIM_COORDINATES: dict[str, tuple[str, float]] = {
    "hip_flexion": ("hip_flex_deg", 1.0),
    "knee_angle": ("knee_flex_deg", -1.0),
    "ankle_angle": ("ankle_dorsi_deg", 1.0),
}


def write_mot(data: ExportData, path: str | Path) -> Path:
    """Write the sagittal angles of ``data`` as an OpenSim .mot; returns the path written."""
    path = Path(path)
    ang = data.angles
    if ang is None or len(ang) == 0:
        raise GaitscopeError(f"{data.source}: no joint angles to export as .mot")
    times = np.asarray(sorted(set(np.round(ang["t_s"].astype(float), 9))), float)
    cols: dict[str, np.ndarray] = {"time": times}
    for side, suffix in (("right", "r"), ("left", "l")):
        part = ang[ang["side"] == side]
        idx = np.searchsorted(times, np.round(part["t_s"].astype(float).to_numpy(), 9))
        for coord, (col, sign) in OPENSIM_COORDINATES.items():
            v = np.full(len(times), np.nan)
            if col in part.columns:
                v[idx] = sign * part[col].astype(float).to_numpy()
            cols[f"{coord}_{suffix}"] = v
    names = list(cols)
    # header as OpenSim writes it: name, key=value lines, endheader (no free-text lines)
    lines = [path.stem, "version=1", f"nRows={len(times)}", f"nColumns={len(names)}", "inDegrees=yes", "endheader",
             "\t".join(names)]
    for i in range(len(times)):
        lines.append("\t".join(f"{cols[c][i]:.6f}" if np.isfinite(cols[c][i]) else "nan" for c in names))
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
