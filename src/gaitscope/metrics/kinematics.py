"""Sagittal-plane joint and segment angles from sagittal coordinates (pure functions).

Every angle is computed from the 2D sagittal coordinates ``sag_xy`` of a
:class:`~gaitscope.signal.PreparedWalk` (``forward`` = the direction the person faces, ``up`` = +),
so video (one camera, side view) and 3D input (mocap, phantom) go through the same maths.
Definitions (zero and sign) are in ``docs/conventions.md``, section "Joint angles":

- segment angle: angle of a segment (proximal -> distal point) from the downward vertical,
  + when the distal end is ahead of the proximal end;
- trunk lean forward: hip -> shoulder of the same side (mean of the sides seen; else hip
  midpoint -> C7) from the upward vertical, + = shoulders ahead of the hips (leaning forward);
- hip flexion = thigh segment angle + trunk lean: the thigh relative to the trunk line,
  0 = thigh in line with the trunk, + = flexion (as Stenum et al. 2021, PLoS Comput Biol 17:e1008935);
- knee flexion = thigh angle - shank angle: 0 = thigh and shank aligned, + = flexion;
- ankle dorsiflexion = foot pitch - shank angle: 0 = the heel-toe line perpendicular to the shank,
  + = dorsiflexion (toes towards the shin), - = plantarflexion;
- foot angle to the floor = foot pitch (heel -> toe line, + = toes up) minus the same foot's pitch
  when flat on the floor (median over its foot-flat samples), so 0 = foot flat, + = toes up
  (heel first), - = toes down (forefoot first).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Columns of the angles table (``angles.csv``), in order.
ANGLE_COLUMNS: tuple[str, ...] = (
    "hip_flex_deg",
    "knee_flex_deg",
    "ankle_dorsi_deg",
    "trunk_lean_fwd_deg",
    "foot_angle_deg",
)
SIDES: tuple[str, str] = ("left", "right")


def segment_angle_deg(proximal: np.ndarray, distal: np.ndarray) -> np.ndarray:
    """Angle of the segment ``proximal -> distal`` from the downward vertical.

    Parameters
    ----------
    proximal, distal
        Arrays ``(..., 2)`` of sagittal (forward, up) coordinates.

    Returns
    -------
    ndarray
        Degrees; 0 = distal point straight below the proximal one, + = distal end forward.
        NaN where either point is missing.
    """
    d = np.asarray(distal, float) - np.asarray(proximal, float)
    return np.degrees(np.arctan2(d[..., 0], -d[..., 1]))


def upward_lean_deg(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Angle of ``lower -> upper`` from the upward vertical; + = upper point forward. Degrees."""
    d = np.asarray(upper, float) - np.asarray(lower, float)
    return np.degrees(np.arctan2(d[..., 0], d[..., 1]))


def pitch_deg(rear: np.ndarray, front: np.ndarray) -> np.ndarray:
    """Pitch of the line ``rear -> front`` to the horizontal; + = front end up. Degrees."""
    d = np.asarray(front, float) - np.asarray(rear, float)
    return np.degrees(np.arctan2(d[..., 1], d[..., 0]))


def _point(sag_xy: np.ndarray, names: tuple[str, ...], name: str) -> np.ndarray:
    if name in names:
        return sag_xy[:, names.index(name), :]
    return np.full((sag_xy.shape[0], 2), np.nan)


def pair_midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Midpoint of two paired points ``(n_frames, 2)``, also when one of them is missing.

    Where only one point of the pair is seen (the far shoulder hidden, a keypoint leaving the
    image), the midpoint is that point plus its median offset to the midpoint over the frames
    where both are seen; so the midpoint does not jump when one point drops out. NaN where
    neither is seen (or one is seen but the pair was never seen together).
    """
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    ok_a = np.isfinite(a).all(axis=1)
    ok_b = np.isfinite(b).all(axis=1)
    both = ok_a & ok_b
    mid = np.full(a.shape, np.nan)
    mid[both] = 0.5 * (a[both] + b[both])
    if both.any():
        off_a = np.median(mid[both] - a[both], axis=0)
        off_b = np.median(mid[both] - b[both], axis=0)
        only_a = ok_a & ~ok_b
        only_b = ok_b & ~ok_a
        mid[only_a] = a[only_a] + off_a
        mid[only_b] = b[only_b] + off_b
    return mid


def trunk_lean_deg(sag_xy: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Forward trunk lean, degrees from the upward vertical; + = shoulders ahead of the hips.

    Measured on each side from the hip to the shoulder of the same side (the two points lie at
    the same depth, so the angle survives camera perspective) and averaged over the sides seen;
    where no hip-shoulder pair is seen, from the hip midpoint to C7 (mocap marker sets without
    shoulders). NaN where neither is available.
    """
    per_side = []
    for side in SIDES:
        lean = upward_lean_deg(_point(sag_xy, names, f"{side}_hip"), _point(sag_xy, names, f"{side}_shoulder"))
        per_side.append(lean)
    stack = np.vstack(per_side)
    ok = np.isfinite(stack)
    n = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        lean = np.where(ok, stack, 0.0).sum(axis=0) / n
    lean[n == 0] = np.nan
    missing = ~np.isfinite(lean)
    if missing.any() and "c7" in names:
        hip_mid = pair_midpoint(_point(sag_xy, names, "left_hip"), _point(sag_xy, names, "right_hip"))
        lean[missing] = upward_lean_deg(hip_mid, _point(sag_xy, names, "c7"))[missing]
    return lean


def foot_flat_pitch_deg(heel: np.ndarray, toe: np.ndarray, *, tolerance: float) -> float:
    """Median foot pitch over the samples where the foot is flat on the floor.

    A sample is "foot flat" when both the heel and the toe are within ``tolerance`` of their
    own lowest level (5th percentile of height over the recording).

    Parameters
    ----------
    heel, toe
        ``(n_frames, 2)`` sagittal coordinates.
    tolerance
        Height tolerance in the units of the coordinates (metres or body heights).

    Returns
    -------
    float
        Degrees (+ = toes up); NaN when no sample qualifies.
    """
    ok = np.isfinite(heel).all(axis=1) & np.isfinite(toe).all(axis=1)
    if ok.sum() < 3:
        return float("nan")
    hy, ty = heel[ok, 1], toe[ok, 1]
    flat = (hy <= np.percentile(hy, 5) + tolerance) & (ty <= np.percentile(ty, 5) + tolerance)
    if not flat.any():
        return float("nan")
    return float(np.median(pitch_deg(heel[ok][flat], toe[ok][flat])))


def sagittal_angles(
    sag_xy: np.ndarray, names: tuple[str, ...], *, flat_tolerance: float
) -> dict[str, dict[str, np.ndarray]]:
    """Sagittal angles per side.

    Parameters
    ----------
    sag_xy
        ``(n_frames, n_keypoints, 2)`` sagittal coordinates (forward, up).
    names
        Keypoint names of the columns.
    flat_tolerance
        Height tolerance that defines "foot flat" for the foot-angle zero (units of ``sag_xy``).

    Returns
    -------
    dict
        ``{"left": {column: (n_frames,) array}, "right": {...}}`` with the columns of
        :data:`ANGLE_COLUMNS` (degrees; NaN where a needed point is missing). The trunk lean
        is the same for both sides.

    Notes
    -----
    Zero and sign of each angle: see the module docstring and ``docs/conventions.md``.
    """
    sag_xy = np.asarray(sag_xy, float)
    trunk = trunk_lean_deg(sag_xy, names)
    out: dict[str, dict[str, np.ndarray]] = {}
    for side in SIDES:
        hip = _point(sag_xy, names, f"{side}_hip")
        knee = _point(sag_xy, names, f"{side}_knee")
        ankle = _point(sag_xy, names, f"{side}_ankle")
        heel = _point(sag_xy, names, f"{side}_heel")
        toe = _point(sag_xy, names, f"{side}_toe")
        thigh = segment_angle_deg(hip, knee)
        shank = segment_angle_deg(knee, ankle)
        foot = pitch_deg(heel, toe)
        flat = foot_flat_pitch_deg(heel, toe, tolerance=flat_tolerance)
        out[side] = {
            "hip_flex_deg": thigh + trunk,
            "knee_flex_deg": thigh - shank,
            "ankle_dorsi_deg": foot - shank,
            "trunk_lean_fwd_deg": trunk.copy(),
            "foot_angle_deg": foot - flat,
        }
    return out


def angles_table(
    angles: dict[str, dict[str, np.ndarray]], frame: np.ndarray, t_s: np.ndarray
) -> pd.DataFrame:
    """Long table (``angles.csv``): one row per sample per side.

    Columns ``frame, t_s, side`` then :data:`ANGLE_COLUMNS`; rows ordered by side (left first),
    then frame.
    """
    n = len(frame)
    parts = []
    for side in SIDES:
        cols = {"frame": np.asarray(frame, np.int64), "t_s": np.asarray(t_s, float), "side": [side] * n}
        for c in ANGLE_COLUMNS:
            cols[c] = angles[side][c]
        parts.append(pd.DataFrame(cols))
    return pd.concat(parts, ignore_index=True)


def time_normalise(
    values: np.ndarray, t_s: np.ndarray, start: int, end: int, n_points: int = 101
) -> np.ndarray:
    """Resample one cycle onto ``n_points`` equally spaced instants (0..100 % of the cycle).

    Parameters
    ----------
    values, t_s
        ``(n_frames,)`` signal and its sample times in seconds (the time base is used, not the
        sample index, so a variable frame rate is handled).
    start, end
        Sample indices of two consecutive initial contacts of the same foot; the sample at
        ``end`` (the next contact) is included, so 100 % is the next contact.
    n_points
        Number of output points (101 gives one per percent).

    Returns
    -------
    ndarray
        ``(n_points,)``; point i is at ``100 * i / (n_points - 1)`` % of the cycle. Short gaps
        are interpolated over; all NaN when less than half of the cycle's samples are present.
        Never extrapolated.
    """
    seg = np.asarray(values[start : end + 1], float)
    ts = np.asarray(t_s[start : end + 1], float)
    ok = np.isfinite(seg)
    if seg.size < 2 or ok.sum() < max(2, seg.size // 2):
        return np.full(n_points, np.nan)
    tq = np.linspace(ts[0], ts[-1], n_points)
    out = np.interp(tq, ts[ok], seg[ok])
    out[(tq < ts[ok][0]) | (tq > ts[ok][-1])] = np.nan
    return out


def time_normalise_many(
    values: np.ndarray, t_s: np.ndarray, starts: np.ndarray, ends: np.ndarray, n_points: int = 101
) -> np.ndarray:
    """:func:`time_normalise` of many cycles at once (vectorised), one row per cycle.

    Parameters
    ----------
    values, t_s
        ``(n_frames,)`` signal and sample times (s).
    starts, ends
        ``(n_cycles,)`` sample indices of each cycle's IC and the next IC of the same foot.

    Returns
    -------
    ndarray
        ``(n_cycles, n_points)``, same rules as :func:`time_normalise`: interpolated over gaps,
        never extrapolated beyond the cycle's first and last measured sample, all NaN for a
        cycle with fewer than half of its samples measured.
    """
    v = np.asarray(values, float)
    t = np.asarray(t_s, float)
    s = np.asarray(starts, np.int64)
    e = np.asarray(ends, np.int64)
    out = np.full((s.size, n_points), np.nan)
    ok = np.isfinite(v)
    if s.size == 0 or ok.sum() < 2:
        return out
    tv, vv = t[ok], v[ok]
    frac = np.linspace(0.0, 1.0, n_points)
    tq = t[s][:, None] + (t[e] - t[s])[:, None] * frac[None, :]
    res = np.interp(tq.ravel(), tv, vv).reshape(tq.shape)
    # measured samples per cycle (inclusive of the closing IC) and the first/last measured time
    csum = np.concatenate([[0], np.cumsum(ok)])
    n_ok = csum[e + 1] - csum[s]
    n_all = e - s + 1
    enough = (n_all >= 2) & (n_ok >= np.maximum(2, n_all // 2))
    idx_ok = np.flatnonzero(ok)
    first = idx_ok[np.clip(np.searchsorted(idx_ok, s, side="left"), 0, idx_ok.size - 1)]
    last = idx_ok[np.clip(np.searchsorted(idx_ok, e, side="right") - 1, 0, idx_ok.size - 1)]
    inside = (tq >= t[first][:, None]) & (tq <= t[last][:, None])
    good = enough[:, None] & inside
    out[good] = res[good]
    return out
