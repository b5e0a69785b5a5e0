"""Foot-marker CSV (heel, toe, 5th metatarsal per foot) -> heel/toe keypoints in the world frame.

Format (as in gaitmap's example data, ``foot_markers_healthy.csv``): two header rows, the
first naming the marker (``L_FCC`` heel/calcaneus, ``L_TOE`` toe, ``L_FM5`` 5th metatarsal
head, ``R_*`` likewise), the second the axis (``x``, ``y``, ``z``); an index column; one row
per sample. The file carries neither sampling rate nor unit: both are arguments.

Reference events come from a stride-event CSV (``<stem>_stride_events.csv``: ``foot``,
``ic``, ``tc`` in samples of another system, e.g. an IMU at 204.8 Hz). They are converted with
``t_s = sample / events_rate_hz`` and ``frame = round(t_s * rate_hz)``; ``tc`` becomes ``fc``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gaitscope.capture.markers import (
    EVENT_COLUMNS,
    MarkerRecording,
    _unit_scale,
    build_pose,
    lab_to_world_rotation,
    load_marker_maps,
    map_markers,
)
from gaitscope.types import SIDES, GaitscopeError


def is_foot_marker_csv(path: str | Path) -> bool:
    """True when the first two lines look like a marker-name row and an x/y/z row."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            first, second = fh.readline(), fh.readline()
    except OSError:
        return False
    axes = [c.strip().lower() for c in second.split(",")[1:] if c.strip()]
    return bool(axes) and set(axes) <= {"x", "y", "z"} and len(first.split(",")) == len(second.split(","))


def load_foot_markers_csv(
    path: str | Path,
    *,
    rate_hz: float | None = None,
    unit: str = "mm",
    events_path: str | Path | None = None,
    events_rate_hz: float | None = None,
    mapping_file: str | Path | None = None,
) -> MarkerRecording:
    """Read a foot-marker CSV into a :class:`MarkerRecording` (heel and toe keypoints only).

    Parameters
    ----------
    path
        The CSV (two header rows: marker, axis).
    rate_hz
        Sampling rate of the CSV rows (required: the file does not say).
    unit
        Unit of the coordinates (``mm``, ``cm`` or ``m``).
    events_path
        Stride-event CSV; default ``<stem>_stride_events.csv`` beside the file when present.
    events_rate_hz
        Sampling rate the event samples are counted in (required to use the events).
    mapping_file
        Optional user marker-set TOML (see ``knowledge/marker_maps.toml``).

    Returns
    -------
    MarkerRecording with a world-frame pose (``left/right_heel``, ``left/right_toe``), the
    raw markers in world metres and, when available, reference events.
    """
    from gaitscope.capture.validate import check_coordinates, check_rate_hz, numeric_column, read_csv_table

    p = Path(path)
    if rate_hz is None:
        raise GaitscopeError(f"{p}: a foot-marker CSV does not state its sampling rate; give it (--fps 100 on the command line, rate_hz=100 in Python)")
    rate_hz = check_rate_hz(rate_hz, source=p, name="the sampling rate (--fps)")
    scale = _unit_scale(unit, p)
    fix = "expected two header rows (marker, axis) and one row of numbers per sample"
    df = read_csv_table(p, what="foot-marker CSV", fix=fix, header=[0, 1], index_col=0)
    if df.empty:
        raise GaitscopeError(f"{p}: the foot-marker CSV has no data rows")
    markers: dict[str, np.ndarray] = {}
    for name in dict.fromkeys(str(c[0]) for c in df.columns):
        if not all((name, a) in df.columns for a in "xyz"):
            continue
        cols = [df[(name, a)] for a in "xyz"]
        if any(getattr(c, "ndim", 1) != 1 for c in cols):
            raise GaitscopeError(f"{p}: marker {name} has more than one {'/'.join('xyz')} column; rename the duplicates")
        markers[name] = np.stack([numeric_column(c, source=p, column=f"{name} {a}", fix="the file is damaged, export it again")
                                  for c, a in zip(cols, "xyz")], axis=1) * scale
    for name, v in markers.items():
        check_coordinates(v, source=p, frame="world", what=f"coordinates of marker {name}")
    if markers and not any(np.isfinite(v).any() for v in markers.values()):
        raise GaitscopeError(f"{p}: every marker coordinate is empty; nothing can be measured, export the trial again")
    sets = load_marker_maps(mapping_file)
    ms, kp_lab, how = map_markers(markers, sets, source=str(p))
    try:
        rot, frame_notes = lab_to_world_rotation(kp_lab, vertical_hint=ms.vertical_hint)
    except ValueError as err:
        raise GaitscopeError(f"{p}: cannot orient the lab frame ({err})") from None
    n = len(df)
    t_s = np.arange(n) / float(rate_hz)
    kp_world = {k: v @ rot.T for k, v in kp_lab.items() if not k.startswith("_")}
    notes = [f"marker set '{ms.name}': {ms.description}", f"units: {unit} (given) converted to metres", *frame_notes]
    notes += [f"{k}: {v}" for k, v in sorted(how.items())]
    ev_path = Path(events_path) if events_path else p.with_name(p.stem + "_stride_events.csv")
    events = None
    if events_path or ev_path.is_file():
        if events_rate_hz is None:
            notes.append(f"{ev_path.name} found but events_rate_hz not given: reference events not loaded")
        else:
            events = _stride_events(ev_path, events_rate_hz=events_rate_hz, rate_hz=float(rate_hz), n_frames=n)
            notes.append(
                f"reference events: {len(events)} from {ev_path.name} (samples at {events_rate_hz:g} Hz -> "
                f"t_s = sample / {events_rate_hz:g}; frame = round(sample * {rate_hz:g} / {events_rate_hz:g}))"
            )
    meta = {"source_format": "foot_markers_csv", "marker_set": ms.name, "keypoint_sources": how, "rate_hz": float(rate_hz), "lab_to_world": rot.tolist()}
    pose = build_pose(kp_world, t_s, source=str(p), meta=meta)
    return MarkerRecording(
        pose=pose,
        rate_hz=float(rate_hz),
        reference_events=events,
        model_angles=None,
        markers={k: v @ rot.T for k, v in markers.items()},
        source=str(p),
        notes=tuple(notes),
    )


def _stride_events(path: Path, *, events_rate_hz: float, rate_hz: float, n_frames: int) -> pd.DataFrame:
    from gaitscope.capture.validate import check_rate_hz, numeric_column, read_csv_table

    events_rate_hz = check_rate_hz(events_rate_hz, source=path, name="the events' sampling rate")
    ev = read_csv_table(path, what="stride-event CSV", fix="expected columns foot, ic, tc")
    need = {"foot", "ic", "tc"}
    if not need <= set(ev.columns):
        raise GaitscopeError(f"{path}: stride events need columns foot, ic, tc; found {', '.join(map(str, ev.columns))[:200]}")
    for c in ("ic", "tc"):
        ev[c] = numeric_column(ev[c], source=path, column=c, fix="the file is damaged, export it again")
    rows = []
    for col, kind in (("ic", "ic"), ("tc", "fc")):
        for side, sample in zip(ev["foot"], ev[col]):
            side = str(side).strip().lower()
            if side not in SIDES or not np.isfinite(sample) or abs(sample) > 1e12:
                continue
            t_s = float(sample) / events_rate_hz
            rows.append({"event": kind, "side": side, "t_s": t_s, "frame": int(round(t_s * rate_hz))})
    out = pd.DataFrame(rows, columns=list(EVENT_COLUMNS)).drop_duplicates(["event", "side", "frame"])
    out = out[(out["frame"] >= 0) & (out["frame"] < n_frames)]
    return out.sort_values(["t_s", "side"]).reset_index(drop=True)
