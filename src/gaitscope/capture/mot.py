"""OpenSim motion/storage files (.mot, .sto): joint angles and ground reaction forces.

* :func:`read_mot` -- the table (``time`` + data columns) with the header handled.
* :func:`ik_to_angles` -- inverse-kinematics coordinates -> gaitscope angle table.
* :func:`events_from_grf` -- initial/final contacts from force-plate vertical force.

OpenSim joint-angle conventions (gait2354/gait2392 models, as in the shared data README):
``hip_flexion`` positive = flexion; ``knee_angle`` negative = flexion; ``ankle_angle``
positive = dorsiflexion; ``hip_adduction`` positive = adduction; ``pelvis_tilt`` is a
rotation about the model's right-pointing axis, positive = the front of the pelvis rises
(posterior tilt); ``pelvis_list`` a rotation about the forward axis, positive = the right
side drops.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from gaitscope.types import SIDES, GaitscopeError

#: Largest magnitude accepted in any .mot column (angles deg, positions m, forces N, moments N m): ground
#: reaction forces stay below 1e4 N in walking; values beyond 1e6 are fill values or corruption.
_MAX_MOT_VALUE = 1.0e6
_ANGLE_COLUMNS = ("hip_flex_deg", "hip_add_deg", "knee_flex_deg", "ankle_dorsi_deg", "pelvis_tilt_deg", "pelvis_obliquity_deg")


def read_mot(path: str | Path) -> pd.DataFrame:
    """Read an OpenSim ``.mot``/``.sto`` file.

    Returns a DataFrame with a ``time`` column (seconds, the file's own time axis) and one
    column per data column of the file. ``df.attrs`` holds ``in_degrees`` (bool or None when
    the header does not say), ``header`` (dict of ``key=value`` header lines) and ``source``.
    Angles are returned as stored (degrees when ``inDegrees=yes``; radians are converted to
    degrees when ``inDegrees=no``, except translations ``*_tx/_ty/_tz``).
    """
    from gaitscope.capture.validate import check_time_axis, first_beyond, read_text

    p = Path(path)
    lines = read_text(p, what="OpenSim motion file", fix="export it from OpenSim again").splitlines()
    end = next((i for i, ln in enumerate(lines) if ln.strip().lower() == "endheader"), None)
    if end is None:
        raise GaitscopeError(f"{p}: not an OpenSim .mot/.sto file (no 'endheader' line); export it from OpenSim again")
    header: dict[str, str] = {}
    for ln in lines[:end]:
        if "=" in ln:
            k, v = ln.split("=", 1)
            header[k.strip()] = v.strip()
    body = [ln for ln in lines[end + 1 :] if ln.strip()]
    if len(body) < 2:
        raise GaitscopeError(f"{p}: the motion file has no data rows after its header")
    cols = body[0].split()
    rows = []
    for ln in body[1:]:
        cells = ln.split()
        if len(cells) != len(cols):
            raise GaitscopeError(f"{p}: a data row has {len(cells)} values for {len(cols)} columns; the file is damaged")
        try:
            rows.append([float(c) for c in cells])
        except ValueError:
            raise GaitscopeError(f"{p}: a data row holds a non-number; the file is damaged") from None
    df = pd.DataFrame(rows, columns=cols)
    if "time" not in df.columns:
        raise GaitscopeError(f"{p}: the motion file has no 'time' column")
    check_time_axis(df["time"].to_numpy(float), source=p, fix="export it from OpenSim again")
    values = df.drop(columns="time").to_numpy(float)
    v = first_beyond(values, _MAX_MOT_VALUE)
    if v is not None:
        raise GaitscopeError(
            f"{p}: the motion file holds the value {v:.3g}, which no angle, position or force in a gait trial reaches "
            "(probably a fill value for missing data); export it again with missing samples as NaN"
        )
    if values.size and not np.isfinite(values).any():
        raise GaitscopeError(f"{p}: every value in the motion file is NaN; nothing can be measured, export it from OpenSim again")
    flag = header.get("inDegrees", "").lower()
    in_deg = True if flag == "yes" else False if flag == "no" else None
    if in_deg is False:
        for c in df.columns:
            if c != "time" and not c.endswith(("_tx", "_ty", "_tz")) and "force" not in c and "torque" not in c:
                df[c] = np.degrees(df[c])
    df.attrs.update({"in_degrees": in_deg, "header": header, "source": str(p)})
    return df


def ik_to_angles(df: pd.DataFrame) -> pd.DataFrame:
    """OpenSim inverse-kinematics coordinates -> gaitscope angle table.

    Parameters
    ----------
    df
        Output of :func:`read_mot` (columns ``hip_flexion_r``, ``knee_angle_r``, ...).

    Returns
    -------
    DataFrame with one row per sample per side: ``frame`` (0-based row of the .mot),
    ``t_s`` (the file's own time, seconds -- OpenSim time shared with the TRC/GRF of the
    same trial), ``side``, and the columns available of ``hip_flex_deg`` (flexion +),
    ``hip_add_deg`` (adduction +), ``knee_flex_deg`` (flexion + = -knee_angle),
    ``ankle_dorsi_deg`` (dorsiflexion +), ``pelvis_tilt_deg`` (anterior + = -pelvis_tilt; zero
    is the model's pelvis frame, not the ASIS-PSIS line), ``pelvis_obliquity_deg`` (this side's
    hemipelvis up +: left = +pelvis_list, right = -pelvis_list).
    For the time-normalised cycle files (``cycle_*.mot``, 1 s) ``t_s`` is the cycle fraction.
    """
    if "time" not in df.columns:
        raise GaitscopeError(f"{df.attrs.get('source', 'motion table')}: no 'time' column; read it with read_mot")
    n = len(df)
    src = df.attrs.get("source", "motion table")
    if not any(f"knee_angle_{s}" in df.columns for s in "rl"):
        raise GaitscopeError(f"{src}: no OpenSim knee_angle_r/knee_angle_l columns; is this an inverse-kinematics file?")
    knee = df[[c for c in df.columns if c.startswith("knee_angle")]].to_numpy(float)
    if not np.isfinite(knee).any():
        raise GaitscopeError(f"{src}: the knee angle columns hold no numbers (all NaN); nothing can be measured, export the IK results again")
    if df.attrs.get("in_degrees") is None:
        kmax = np.nanmax(np.abs(knee))
        if kmax < 2 * math.pi:
            raise GaitscopeError(f"{src}: angles look like radians but the header does not say inDegrees; add 'inDegrees=no'")
    out = []
    for side in SIDES:
        s = side[0]
        cols: dict[str, np.ndarray] = {
            "frame": np.arange(n),
            "t_s": df["time"].to_numpy(dtype=float),
            "side": np.full(n, side),
        }

        def col(name: str) -> np.ndarray | None:
            return df[name].to_numpy(dtype=float) if name in df.columns else None

        pairs = {
            "hip_flex_deg": (col(f"hip_flexion_{s}"), 1.0),
            "hip_add_deg": (col(f"hip_adduction_{s}"), 1.0),
            "knee_flex_deg": (col(f"knee_angle_{s}"), -1.0),
            "ankle_dorsi_deg": (col(f"ankle_angle_{s}"), 1.0),
            "pelvis_tilt_deg": (col("pelvis_tilt"), -1.0),
            "pelvis_obliquity_deg": (col("pelvis_list"), 1.0 if side == "left" else -1.0),
        }
        for name in _ANGLE_COLUMNS:
            v, sign = pairs[name]
            if v is not None:
                cols[name] = sign * v
        out.append(pd.DataFrame(cols))
    res = pd.concat(out, ignore_index=True)
    from gaitscope.capture.validate import check_angles_deg

    check_angles_deg(res[[c for c in _ANGLE_COLUMNS if c in res.columns]].to_numpy(float), source=src)
    res.attrs["source"] = src
    return res


def events_from_grf(
    mot_path: str | Path,
    threshold_n: float = 20.0,
    *,
    rate_hz: float | None = None,
    t0_s: float = 0.0,
    sides: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Initial and final contacts from OpenSim ground-reaction forces by thresholding.

    Each force plate (columns ``<prefix>_vx, _vy, _vz, _px, _py, _pz``; ``vy`` vertical, y up)
    gives contacts: ``ic`` at the first sample with vertical force > ``threshold_n`` after a
    sample at or below it, ``fc`` at the first sample at or below it after one above.

    Parameters
    ----------
    mot_path
        The ``*_grf.mot`` file.
    threshold_n
        Contact threshold on the vertical force, newtons.
    rate_hz
        Sampling rate of the data the events are for (e.g. 60 for a TRC); ``frame`` is
        ``round(t_s * rate_hz)``. If None, ``frame`` is the row of the GRF file.
    t0_s
        File time of the target data's first sample; ``t_s = grf_time - t0_s``.
    sides
        Optional ``{prefix: side}``; else a plate's side is from its centre of pressure while
        loaded: ``pz > 0`` is the right foot (OpenSim z points right).

    Returns
    -------
    DataFrame ``event, side, t_s, frame`` sorted by time.
    """
    df = read_mot(mot_path)
    prefixes = [c[: -len("_vy")] for c in df.columns if c.endswith("_vy") and "force" in c]
    if not prefixes:
        raise GaitscopeError(f"{mot_path}: no vertical force columns (*_force_vy); is this a ground-reaction .mot?")
    t = df["time"].to_numpy(dtype=float)
    rows = []
    for pre in prefixes:
        f = df[f"{pre}_vy"].to_numpy(dtype=float)
        on = f > threshold_n
        if sides and pre in sides:
            side = sides[pre]
        else:
            pz = df.get(f"{pre}_pz")
            if pz is None or not on.any():
                continue
            side = "right" if float(np.median(pz.to_numpy()[on])) > 0 else "left"
        if side not in SIDES:
            raise GaitscopeError(f"{mot_path}: side {side!r} for plate {pre!r} must be 'left' or 'right'")
        change = np.flatnonzero(np.diff(on.astype(int))) + 1
        for i in change:
            ev = "ic" if on[i] else "fc"
            t_s = float(t[i]) - t0_s
            frame = int(round(t_s * rate_hz)) if rate_hz else int(i)
            rows.append({"event": ev, "side": side, "t_s": t_s, "frame": frame})
    out = pd.DataFrame(rows, columns=["event", "side", "t_s", "frame"])
    return out.sort_values(["t_s", "side"]).reset_index(drop=True)
