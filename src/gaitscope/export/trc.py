"""OpenSim TRC marker file (tab-separated, metres).

Layout (OpenSim 4 ``.trc``): line 1 ``PathFileType 4 (X/Y/Z) name``; line 2 the header keys
``DataRate CameraRate NumFrames NumMarkers Units OrigDataRate OrigDataStartFrame
OrigNumFrames``; line 3 their values; line 4 ``Frame# Time`` then each marker name followed by
two empty cells; line 5 ``X1 Y1 Z1 ...``; an empty line; data rows ``frame time x y z ...``.
Missing values are empty cells (OpenSim's convention). Frame: gaitscope world (OpenSim's
own: +x forward, +y up, +z right).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gaitscope.export._atomic import atomic_path
from gaitscope.export.data import ExportData


def _cell(v: float) -> str:
    return f"{v:.6f}" if np.isfinite(v) else ""


def write_trc(data: ExportData, path: str | Path) -> Path:
    """Write ``data.points`` as an OpenSim TRC file in metres; returns the path written."""
    data.require_points()
    path = Path(path)
    names = list(data.points)
    n = len(data.t_s)
    rate = f"{data.rate_hz:.6g}"
    lines = [
        f"PathFileType\t4\t(X/Y/Z)\t{path.name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{rate}\t{rate}\t{n}\t{len(names)}\tm\t{rate}\t1\t{n}",
        "Frame#\tTime\t" + "\t".join(f"{nm}\t\t" for nm in names),
        "\t\t" + "\t".join(f"X{i + 1}\tY{i + 1}\tZ{i + 1}" for i in range(len(names))),
        "",
    ]
    arr = np.stack([data.points[nm] for nm in names], axis=1)  # (n, m, 3)
    for i in range(n):
        cells = [str(i + 1), f"{data.t_s[i]:.6f}"] + [_cell(v) for v in arr[i].reshape(-1)]
        lines.append("\t".join(cells))
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
