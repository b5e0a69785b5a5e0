"""Lab marker files written by hand for the tests (TRC and C3D), one writer each.

The TRC text follows the format's specification directly (not gaitscope's exporter), so an importer test
reads a file that gaitscope's own code did not make.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def trc_text(markers: dict[str, np.ndarray], rate_hz: float, *, unit: str = "mm", name: str = "walk.trc",
             decimals: int = 5) -> str:
    """A TRC file's text: ``markers`` maps each label to an (n, 3) array already in ``unit``; NaN -> empty cell."""
    names = list(markers)
    n = len(next(iter(markers.values())))
    lines = [
        f"PathFileType\t4\t(X/Y/Z)\t{name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{rate_hz:.2f}\t{rate_hz:.2f}\t{n}\t{len(names)}\t{unit}\t{rate_hz:.2f}\t1\t{n}",
        "Frame#\tTime\t" + "\t\t\t".join(names) + "\t\t\t",
        "\t\t" + "\t".join(f"X{i + 1}\tY{i + 1}\tZ{i + 1}" for i in range(len(names))),
        "",
    ]
    for i in range(n):
        vals = "\t".join("" if not np.isfinite(v) else f"{v:.{decimals}f}" for nm in names for v in markers[nm][i])
        lines.append(f"{i + 1}\t{i / rate_hz:.6f}\t{vals}")
    return "\n".join(lines) + "\n"


def write_c3d(path: Path, names: Sequence[str], arrays: Sequence[np.ndarray], rate_hz: float, *,
              unit: str | None = "mm", first_frame0: int = 0, events: Sequence[tuple[str, str, float]] = ()) -> Path:
    """A C3D with the given labels (duplicates allowed) and (n, 3) lab-frame arrays already in ``unit``
    (``unit=None``: no POINT:UNITS parameter); ``events`` as (label, context, time_s)."""
    import ezc3d

    c = ezc3d.c3d()
    n = arrays[0].shape[0]
    c["parameters"]["POINT"]["RATE"]["value"] = [rate_hz]
    c["parameters"]["POINT"]["LABELS"]["value"] = tuple(names)
    if unit is not None:
        c.add_parameter("POINT", "UNITS", [unit])
    pts = np.ones((4, len(names), n))
    for j, a in enumerate(arrays):
        pts[:3, j, :] = a.T
    c["data"]["points"] = pts
    if first_frame0:
        c["header"]["points"]["first_frame"] = first_frame0
    if events:
        c.add_parameter("EVENT", "USED", [len(events)])
        c.add_parameter("EVENT", "LABELS", [e[0] for e in events])
        c.add_parameter("EVENT", "CONTEXTS", [e[1] for e in events])
        c.add_parameter("EVENT", "TIMES", np.array([[0.0] * len(events), [e[2] for e in events]]))
    c.write(str(path))
    return path
