"""C3D with the points and the detected events (ezc3d writes it).

* POINT: every exported point in millimetres (``POINT:UNITS = mm``), lab frame with +z up
  (the C3D convention of Vicon, Visual3D and Mokka): C3D x = forward, y = the person's left,
  z = up (right-handed; gaitscope world x, -z, y). Missing samples are written as missing
  (residual -1).
* Header first frame 1, so data row ``i`` is at ``i / rate`` s and an event's time is
  ``EVENT:TIMES`` (minutes row 0, seconds row 1) directly.
* EVENT: ``LABELS`` Foot Strike (IC) / Foot Off (FC), ``CONTEXTS`` Left / Right,
  ``ICON_IDS`` 1 / 2, ``GENERIC_FLAGS`` 0, ``DESCRIPTIONS``, ``SUBJECTS`` (empty), ``USED``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gaitscope.export._atomic import atomic_path
from gaitscope.export.data import ExportData
from gaitscope.types import GaitscopeError

_LABEL = {"ic": "Foot Strike", "fc": "Foot Off"}
_DESCRIPTION = {"ic": "initial contact detected by gaitscope", "fc": "final contact detected by gaitscope"}


def world_to_c3d(xyz: np.ndarray) -> np.ndarray:
    """gaitscope world (x forward, y up, z right) -> C3D lab (x forward, y left, z up), same units."""
    return np.stack([xyz[..., 0], -xyz[..., 2], xyz[..., 1]], axis=-1)


def write_c3d(data: ExportData, path: str | Path) -> Path:
    """Write points and events of ``data`` as a C3D file; returns the path written."""
    try:
        import ezc3d
    except ImportError:  # pragma: no cover - ezc3d is a pinned dependency
        raise GaitscopeError("writing C3D needs the ezc3d package; install gaitscope's dependencies (make test)") from None
    data.require_points()
    path = Path(path)
    names = list(data.points)
    n = len(data.t_s)
    c = ezc3d.c3d()
    c["parameters"]["POINT"]["RATE"]["value"] = [float(data.rate_hz)]
    c["parameters"]["POINT"]["LABELS"]["value"] = tuple(names)
    c["parameters"]["POINT"]["DESCRIPTIONS"]["value"] = tuple("gaitscope keypoint or marker" for _ in names)
    c.add_parameter("POINT", "UNITS", ["mm"])
    pts = np.ones((4, len(names), n))
    residuals = np.zeros((1, len(names), n))
    for j, nm in enumerate(names):
        xyz = world_to_c3d(np.asarray(data.points[nm], float)) * 1000.0
        missing = ~np.all(np.isfinite(xyz), axis=1)
        xyz[missing] = 0.0  # C3D convention: a missing sample is 0, 0, 0 with residual -1
        pts[:3, j, :] = xyz.T
        residuals[0, j, missing] = -1.0
    c["data"]["points"] = pts
    c["data"]["meta_points"] = {"residuals": residuals, "camera_masks": np.zeros((7, len(names), n), dtype=bool)}
    ev = data.events.sort_values("t_s").reset_index(drop=True)
    if len(ev):
        t = ev["t_s"].astype(float).to_numpy()
        c.add_parameter("EVENT", "USED", [len(ev)])
        c.add_parameter("EVENT", "LABELS", [_LABEL[e] for e in ev["event"]])
        c.add_parameter("EVENT", "CONTEXTS", [s.capitalize() for s in ev["side"]])
        c.add_parameter("EVENT", "DESCRIPTIONS", [_DESCRIPTION[e] for e in ev["event"]])
        c.add_parameter("EVENT", "SUBJECTS", ["" for _ in range(len(ev))])
        c.add_parameter("EVENT", "ICON_IDS", [1 if e == "ic" else 2 for e in ev["event"]])
        c.add_parameter("EVENT", "GENERIC_FLAGS", [0] * len(ev))
        c.add_parameter("EVENT", "TIMES", np.array([np.floor(t / 60.0), t - 60.0 * np.floor(t / 60.0)]))
    with atomic_path(path) as tmp:
        c.write(str(tmp))
    return path
