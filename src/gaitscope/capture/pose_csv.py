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
        "meta": _jsonable(pose.meta),
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
    csv_path = Path(csv_path)
    side: dict = {}
    sc = sidecar_path(csv_path)
    if sc.exists():
        try:
            side = json.loads(sc.read_text())
        except json.JSONDecodeError as err:
            raise GaitscopeError(f"{sc}: broken sidecar JSON ({err}); delete it or fix it") from None
    try:
        data = csv_path.read_bytes()
    except OSError as err:
        raise GaitscopeError(f"{csv_path}: cannot read as a pose CSV ({err.strerror}); check the path") from None
    check_sidecar(csv_path, data, side)
    try:
        df = pd.read_csv(io.BytesIO(data))
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise GaitscopeError(f"{csv_path}: cannot read as a pose CSV ({err}); see docs/conventions.md for the format") from None
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
    frame_idx = df["frame"].to_numpy(dtype=np.int64) if "frame" in df.columns else np.arange(n)
    if "t_s" in df.columns:
        t_s = df["t_s"].to_numpy(dtype=float)
    elif rate_hz:
        t_s = frame_idx / float(rate_hz)
    else:
        raise GaitscopeError(f"{csv_path}: no t_s column; give the frame rate (--fps on the command line, rate_hz in Python) to derive time from frame")
    xyz = np.full((n, len(names), 3), np.nan)
    score = np.zeros((n, len(names)))
    for j, name in enumerate(names):
        xyz[:, j, 0] = df[f"{name}_x"].to_numpy(dtype=float)
        xyz[:, j, 1] = df[f"{name}_y"].to_numpy(dtype=float)
        if f"{name}_z" in df.columns:
            xyz[:, j, 2] = df[f"{name}_z"].to_numpy(dtype=float)
        if f"{name}_score" in df.columns:
            score[:, j] = np.clip(np.nan_to_num(df[f"{name}_score"].to_numpy(dtype=float)), 0, 1)
        else:
            score[:, j] = np.isfinite(xyz[:, j, :2]).all(axis=1).astype(float)
    fr = frame or side.get("frame") or "image"
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


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    return obj
