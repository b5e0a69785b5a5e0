"""What an export holds, gathered from an analysis: points in metres, events, sagittal angles."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from gaitscope.types import GaitscopeError

#: Export formats and their file suffixes.
EXPORT_FORMATS: dict[str, str] = {"trc": ".trc", "mot": ".mot", "c3d": ".c3d"}
#: Default file names inside an ``analyze`` output folder.
ANALYZE_EXPORT_NAMES: dict[str, str] = {"trc": "keypoints.trc", "mot": "angles.mot", "c3d": "keypoints_events.c3d"}
_MAX_RATE_JITTER = 0.01  # relative; beyond it the points are resampled onto a uniform time grid


@dataclass(frozen=True, eq=False)
class ExportData:
    """Points, events and angles of one analysis, ready to write.

    Attributes
    ----------
    points
        ``name -> (n, 3)`` metres in gaitscope's world frame (+x forward = walking direction,
        +y up, +z the person's right); NaN = missing.
    t_s
        ``(n,)`` uniform times, seconds from the first sample (``t_s[i] = i / rate_hz``).
    rate_hz
        Sampling rate of ``points``.
    events
        ``event`` (ic/fc), ``side``, ``t_s`` (same time base).
    angles
        ``t_s``, ``side``, ``hip_flex_deg``, ``knee_flex_deg``, ``ankle_dorsi_deg`` (gaitscope signs).
    source, notes
        Input path and what was done (frame, resampling).
    """

    points: Mapping[str, np.ndarray]
    t_s: np.ndarray
    rate_hz: float
    events: pd.DataFrame
    angles: pd.DataFrame
    source: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    points_error: str = ""

    def require_points(self) -> None:
        if self.points_error:
            raise GaitscopeError(self.points_error)
        if not self.points:
            raise GaitscopeError(f"{self.source}: no keypoints to export")


def _uniform(points: dict[str, np.ndarray], t_s: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray, float, str]:
    """Points on a uniform time grid: kept as they are when the input is uniform, else resampled."""
    t = np.asarray(t_s, float) - float(t_s[0])
    dt = np.diff(t)
    rate = 1.0 / float(np.median(dt))
    grid = np.arange(len(t)) / rate
    if np.max(np.abs(t - grid)) <= _MAX_RATE_JITTER / rate:
        return points, grid, rate, ""
    n_new = int(np.floor(t[-1] * rate)) + 1
    grid = np.arange(n_new) / rate
    out = {}
    for name, arr in points.items():
        res = np.full((n_new, 3), np.nan)
        ok = np.all(np.isfinite(arr), axis=1)
        if ok.sum() >= 2:
            for c in range(3):
                res[:, c] = np.interp(grid, t[ok], arr[ok, c])
            # keep gaps: a grid time is missing when the nearest input sample is missing
            nearest = np.clip(np.searchsorted(t, grid), 0, len(t) - 1)
            prev = np.clip(nearest - 1, 0, len(t) - 1)
            res[~(ok[nearest] & ok[prev])] = np.nan
        out[name] = res
    note = (f"input frame times are not uniform (variable frame rate); points resampled linearly onto "
            f"{rate:.3f} Hz ({n_new} samples)")
    return out, grid, rate, note


def export_data(result: Any) -> ExportData:
    """Gather the export of an :class:`~gaitscope.pipeline.AnalysisResult`.

    World-frame input (marker files in 3-D, landmark JSON): the input keypoints plus the
    file's raw markers (names kept; a raw name equal to a keypoint name is left out).
    Image input (video, OpenPose, pose CSV, a virtual camera): the cleaned sagittal-plane
    keypoints (forward, up) in metres with z = 0 -- only when the analysis is in metres
    (``--height-m`` given); otherwise points cannot be exported (``require_points`` says so).
    """
    pose = result.pose
    src = str(result.summary.get("input", {}).get("path") or getattr(pose, "source", "") or "the input")
    notes: list[str] = []
    points: dict[str, np.ndarray] = {}
    err = ""
    if pose is not None and pose.frame == "world":
        points = {nm: np.asarray(pose.xyz[:, j], float) for j, nm in enumerate(pose.names)}
        raw = getattr(result.reference, "markers", None) or {}
        points.update({k: np.asarray(v, float) for k, v in raw.items() if k not in points})
        t_s = np.asarray(pose.t_s, float)
        notes.append("points: gaitscope world frame (m; +x walking direction, +y up, +z the person's right)")
    elif result.prep is not None:
        prep = result.prep
        t_s = np.asarray(prep.pose.t_s, float)
        if prep.spatial_scale != "metres":
            err = (f"{src}: keypoints from an image are not in metres without the person's height; "
                   "give --height-m (e.g. --height-m 1.68) to export them as TRC or C3D")
        else:
            sag = np.asarray(prep.sag_xy, float)
            for j, nm in enumerate(prep.names):
                points[nm] = np.stack([sag[:, j, 0], sag[:, j, 1], np.zeros(len(t_s))], axis=1)
                points[nm][~np.isfinite(sag[:, j]).all(axis=1)] = np.nan
            notes.append("points: sagittal plane of the video (m; +x walking direction, +y up, 0 at the floor), z = 0")
    else:  # an OpenSim .mot analysed alone: angles only
        t_s = np.asarray(sorted(set(result.angles["t_s"])), float) if len(result.angles) else np.zeros(1)
        err = f"{src}: a motion (.mot) input holds angles only, no keypoints; export it as mot or give the marker file"
    if len(t_s) < 2:
        raise GaitscopeError(f"{src}: fewer than two samples; nothing to export")
    t0 = float(t_s[0])
    if points:
        points, grid, rate, note = _uniform(points, t_s)
        if note:
            notes.append(note)
    else:
        grid = np.asarray(t_s, float) - t0
        rate = 1.0 / float(np.median(np.diff(grid)))
    ev = result.events.loc[:, ["event", "side", "t_s"]].copy()
    ev["t_s"] = ev["t_s"].astype(float) - t0
    ang = result.angles.copy()
    ang["t_s"] = ang["t_s"].astype(float) - t0
    return ExportData(points=points, t_s=grid, rate_hz=rate, events=ev.reset_index(drop=True), angles=ang,
                      source=src, notes=tuple(notes), points_error=err)


def export_result(result: Any, formats: list[str] | tuple[str, ...], paths: Mapping[str, str | Path]) -> dict[str, Path]:
    """Write ``result`` in each of ``formats`` to ``paths[format]``; returns the written paths."""
    from gaitscope.export.c3d import write_c3d
    from gaitscope.export.mot import write_mot
    from gaitscope.export.trc import write_trc

    writers = {"trc": write_trc, "mot": write_mot, "c3d": write_c3d}
    data = export_data(result)
    if any(f in ("trc", "c3d") for f in formats):
        data.require_points()  # refuse before writing anything
    out: dict[str, Path] = {}
    for fmt in formats:
        out[fmt] = writers[fmt](data, paths[fmt])
    return out


def parse_formats(text: str) -> list[str]:
    """``"trc,mot"`` -> ``["trc", "mot"]``; GaitscopeError for an unknown format."""
    fmts = [f.strip().lower() for f in str(text).split(",") if f.strip()]
    bad = [f for f in fmts if f not in EXPORT_FORMATS]
    if bad or not fmts:
        raise GaitscopeError(f"--export {text!r}: unknown format(s) {', '.join(bad) or '(none)'}; choose from trc, mot, c3d (comma-separated)")
    return list(dict.fromkeys(fmts))
