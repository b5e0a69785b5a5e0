"""Read and write a :class:`PoseSequence` as a plain CSV plus a JSON sidecar.

This is both the keypoint cache written by ``gaitscope pose`` (``pose.csv`` + ``pose.json``)
and the "plain CSV" input format for keypoints from other tools.

CSV columns (one row per sample):
``frame`` (0-based sample index of the input), ``t_s`` (seconds from the first sample),
then for each keypoint ``<name>_x``, ``<name>_y``, ``<name>_z``, ``<name>_score``.
Units follow the frame: ``image`` = pixels (origin top-left, +y down), ``world`` = metres.

The sidecar ``<stem>.json`` holds ``frame``, ``image_size_px``, ``source``, ``meta``
(backend, version ...), ``n_frames`` and ``csv_sha256`` (the SHA-256 of the CSV's bytes): a CSV
that does not match its sidecar (cut short by a kill, a truncated copy, edited) is refused with
:class:`PoseCacheMismatch`, and the pose stage then recomputes it (``docs/reliability.md``).
Both files are written atomically (:mod:`gaitscope.outputs`). Without a sidecar (a CSV from another tool) the frame is ``image``
and the image size must be given, or ``world`` must be stated by the caller.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from gaitscope.outputs import json_ready
from gaitscope.types import KEYPOINT_NAMES, GaitscopeError, PoseSequence

SCHEMA_VERSION = 1


class PoseCacheMismatch(GaitscopeError):
    """A pose CSV whose bytes or row count do not match what its sidecar recorded.

    ``reason`` is the short cause ("its checksum does not match pose.json").
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def sidecar_path(csv_path: Path) -> Path:
    return Path(csv_path).with_suffix(".json")


def write_pose_csv(pose: PoseSequence, csv_path: str | Path) -> Path:
    """Write ``pose`` to ``csv_path`` and its sidecar JSON; returns the CSV path."""
    csv_path = Path(csv_path)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    cols: dict[str, np.ndarray] = {"frame": pose.frame_index, "t_s": pose.t_s}
    for j, name in enumerate(pose.names):
        for a, axis in enumerate("xyz"):
            cols[f"{name}_{axis}"] = pose.xyz[:, j, a]
        cols[f"{name}_score"] = pose.score[:, j]
    from gaitscope.outputs import write_bytes, write_text

    data = pd.DataFrame(cols).to_csv(None, index=False, float_format="%.9g").encode("utf-8")
    side = {
        "schema_version": SCHEMA_VERSION,
        "frame": pose.frame,
        "units": "px" if pose.frame == "image" else "m",
        "image_size_px": list(pose.image_size_px) if pose.image_size_px else None,
        "keypoints": list(pose.names),
        "n_frames": pose.n_frames,
        "csv_sha256": hashlib.sha256(data).hexdigest(),
        "source": pose.source,
        "meta": json_ready(pose.meta),
    }
    # CSV first, then the sidecar: a kill between the two leaves a pair whose checksum does not match
    write_bytes(csv_path, data)
    write_text(sidecar_path(csv_path), json.dumps(side, indent=2))
    return csv_path


def read_pose_csv(
    csv_path: str | Path,
    *,
    frame: str | None = None,
    image_size_px: tuple[int, int] | None = None,
    rate_hz: float | None = None,
) -> PoseSequence:
    """Read a pose CSV (with or without sidecar).

    ``frame`` / ``image_size_px`` override or supply what a sidecar would say. A CSV without
    ``t_s`` needs ``rate_hz`` (then ``t_s = frame / rate_hz``): no silent default rate.
    """
    from gaitscope.capture.validate import (
        MAX_SMALL_FILE_BYTES, check_coordinates, check_rate_hz, check_time_axis, numeric_column, parse_json,
        read_bytes_capped, read_csv_table, read_text,
    )

    csv_path = Path(csv_path)
    fix = "see docs/conventions.md for the format"
    side: dict = {}
    sc = sidecar_path(csv_path)
    if sc.exists():
        side = parse_json(read_text(sc, what="sidecar JSON", max_bytes=MAX_SMALL_FILE_BYTES, fix="delete it or fix it"),
                          source=sc, what="sidecar JSON", fix="delete it or fix it", allow_nan=True)
        if not isinstance(side, dict):
            raise GaitscopeError(f"{sc}: the sidecar JSON must be an object (see docs/conventions.md); delete it or fix it")
        if side.get("frame") not in (None, "image", "world"):
            raise GaitscopeError(f"{sc}: 'frame' must be \"image\" or \"world\"; delete the sidecar or fix it")
        size_px = side.get("image_size_px")
        if size_px is not None and not (isinstance(size_px, list) and len(size_px) == 2
                                        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 100000 and v == int(v)
                                                for v in size_px)):
            raise GaitscopeError(f"{sc}: 'image_size_px' must be [width, height] in pixels; delete the sidecar or fix it")
        if not isinstance(side.get("meta", {}), dict):
            raise GaitscopeError(f"{sc}: 'meta' must be an object; delete the sidecar or fix it")
    data = read_bytes_capped(csv_path, what="pose CSV", fix=fix)
    check_sidecar(csv_path, data, side)
    df = read_csv_table(csv_path, what="pose CSV", fix=fix, data=data)
    if isinstance(side, dict) and isinstance(side.get("n_frames"), int) and side.get("csv_sha256") \
            and side["n_frames"] != len(df):
        reason = f"it has {len(df)} rows but {sc.name} says {side['n_frames']} frames"
        raise PoseCacheMismatch(f"{csv_path}: {reason}; delete both files (or re-run with --force) to recompute them",
                                reason)
    names = [n for n in KEYPOINT_NAMES if f"{n}_x" in df.columns and f"{n}_y" in df.columns]
    if not names:
        raise GaitscopeError(
            f"{csv_path}: no keypoint columns found; expected columns like left_heel_x, left_heel_y "
            "(see docs/conventions.md)"
        )
    n = len(df)
    if n == 0:
        raise GaitscopeError(f"{csv_path}: the pose CSV has no rows")
    def col(c: str) -> np.ndarray:
        return numeric_column(df[c], source=csv_path, column=c, fix=fix)

    if "frame" in df.columns:
        f = col("frame")
        if not np.all(np.isfinite(f)) or np.any(f != np.round(f)) or np.any(np.abs(f) > 1e9):
            raise GaitscopeError(f"{csv_path}: the 'frame' column must hold whole frame numbers in every row; {fix}")
        frame_idx = f.astype(np.int64)
    else:
        frame_idx = np.arange(n)
    if "t_s" in df.columns:
        t_s = col("t_s")
    elif rate_hz:
        t_s = frame_idx / check_rate_hz(rate_hz, source=csv_path, name="the frame rate (--fps)")
    else:
        raise GaitscopeError(f"{csv_path}: no t_s column; give the frame rate (--fps on the command line, rate_hz in Python) to derive time from frame")
    check_time_axis(t_s, source=csv_path, fix=fix)
    xyz = np.full((n, len(names), 3), np.nan)
    score = np.zeros((n, len(names)))
    for j, name in enumerate(names):
        xyz[:, j, 0] = col(f"{name}_x")
        xyz[:, j, 1] = col(f"{name}_y")
        if f"{name}_z" in df.columns:
            xyz[:, j, 2] = col(f"{name}_z")
        if f"{name}_score" in df.columns:
            sc_j = col(f"{name}_score")
            if np.isinf(sc_j).any():
                raise GaitscopeError(f"{csv_path}: column '{name}_score' holds an infinite value; {fix}")
            score[:, j] = np.clip(np.nan_to_num(sc_j), 0, 1)
        else:
            score[:, j] = np.isfinite(xyz[:, j, :2]).all(axis=1).astype(float)
    fr = frame or side.get("frame") or "image"
    check_coordinates(xyz, source=csv_path, frame=fr, what="keypoint coordinates")
    if not np.isfinite(xyz[:, :, :2]).any():
        raise GaitscopeError(f"{csv_path}: every keypoint coordinate is empty; nothing can be measured, {fix}")
    size = image_size_px or (tuple(side["image_size_px"]) if side.get("image_size_px") else None)
    meta = dict(side.get("meta", {}))
    if fr == "image" and size is None:
        # A CSV from another tool, without sidecar: as for OpenPose, the keypoints' own extent stands in
        # for the image size (it only locates the image centre for frontal views), and the meta says so.
        extent = np.nanmax(xyz[:, :, :2], axis=(0, 1)) if np.isfinite(xyz[:, :, :2]).any() else None
        if extent is None or not np.all(np.isfinite(extent)) or np.any(extent <= 0):
            raise GaitscopeError(
                f"{csv_path}: image-frame keypoints need the image size and none can be inferred; "
                "write a sidecar JSON (see docs/conventions.md)"
            )
        size = (int(np.ceil(extent[0])) + 1, int(np.ceil(extent[1])) + 1)
        meta["image_size_note"] = "image size not given: largest keypoint extent used (may be smaller than the video)"
    try:
        return PoseSequence(
            xyz=xyz,
            score=score,
            names=tuple(names),
            t_s=t_s,
            frame=fr,
            frame_index=frame_idx,
            image_size_px=size if fr == "image" else None,
            source=side.get("source") or str(csv_path),
            meta=meta,
        )
    except ValueError as err:
        raise GaitscopeError(f"{csv_path}: invalid pose data ({err})") from None


def check_sidecar(csv_path: Path, data: bytes, side: dict) -> None:
    """Refuse a CSV whose bytes do not match the ``csv_sha256`` its sidecar recorded.

    A sidecar without a checksum (a CSV from another tool, a cache from before the checksum)
    is not checked here.
    """
    want = side.get("csv_sha256") if isinstance(side, dict) else None
    if not want:
        return
    if hashlib.sha256(data).hexdigest() != want:
        reason = (f"its checksum does not match {sidecar_path(csv_path).name} (cut short by a kill, copied "
                  "incompletely or edited)")
        raise PoseCacheMismatch(f"{csv_path}: {reason}; delete both files (or re-run with --force) to recompute them",
                                reason)


