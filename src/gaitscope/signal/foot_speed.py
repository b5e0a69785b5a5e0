"""Foot speed relative to the ground and the foot's contact phases (pure functions).

Shared by walking-mode detection (:mod:`gaitscope.signal.prepare`) and the event detector
(:mod:`gaitscope.events`). Inputs are sagittal-plane (or image-plane) coordinates
``(n_frames, 2)`` = (forward, up) of a foot's heel and toe, in any length unit; outputs are
in that unit per second.

Method (documented in ``docs/events.md``): a foot is in contact while the slowest of its
points (heel or toe) is nearly stationary *relative to the ground*. The ground is the floor
for overground walking and the belt on a treadmill, whose horizontal velocity is estimated
per foot as the median velocity of the foot's lower point while it stands
(:func:`foot_ground_velocity`; ~0 overground, minus the belt speed on a treadmill). This is a foot-velocity method in the family of O'Connor et
al. 2007 (Gait Posture 25:469) and Ghoussayni et al. 2004 (Gait Posture 20:266), with the
threshold made relative to each stride's own peak swing speed so that it works in metres,
body heights or pixels, at any walking speed, and on a treadmill.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import find_peaks


def point_velocity(p: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """Velocity ``(n, 2)`` of a trajectory ``(n, 2)`` by central differences on ``t_s`` (units/s)."""
    if p.shape[0] < 2:
        return np.full_like(p, np.nan)
    return np.gradient(p, t_s, axis=0)


def foot_ground_velocity(heel: np.ndarray, toe: np.ndarray, t_s: np.ndarray, *, low_fraction: float = 0.4) -> float:
    """Horizontal ground velocity seen under one foot (units/s).

    The median horizontal velocity of the foot's lower point (heel or toe) over the frames
    in which that point is in its lowest ``low_fraction`` of heights (the foot is standing).
    Per foot, because through a perspective camera the belt under the near foot appears to
    move faster than under the far foot. Returns 0.0 when it cannot be estimated.
    """
    if heel.shape[0] < 5:
        return 0.0
    h_up = np.where(np.isfinite(heel[:, 1]), heel[:, 1], np.inf)
    t_up = np.where(np.isfinite(toe[:, 1]), toe[:, 1], np.inf)
    use_heel = h_up <= t_up
    low = np.where(use_heel, h_up, t_up)
    vx = np.where(use_heel, np.gradient(heel[:, 0], t_s), np.gradient(toe[:, 0], t_s))
    ok = np.isfinite(low) & np.isfinite(vx)
    if ok.sum() < 5:
        return 0.0
    cut = np.quantile(low[ok], low_fraction)
    sel = ok & (low <= cut)
    return float(np.median(vx[sel])) if sel.any() else 0.0


def foot_speeds(
    heel: np.ndarray, toe: np.ndarray, t_s: np.ndarray, ground_vx: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """Speed of the foot's slowest point and of its centre, relative to the ground (units/s).

    Parameters
    ----------
    heel, toe
        ``(n, 2)`` (forward, up) trajectories.
    ground_vx
        Horizontal ground velocity per frame (or one value), from :func:`foot_ground_velocity` (0 overground).

    Returns
    -------
    contact_speed
        ``min(|v_heel|, |v_toe|)``: near 0 while any part of the foot rests on the ground.
    centre_speed
        Mean of the heel and toe speeds: peaks once per swing.
    """
    vh = point_velocity(heel, t_s)
    vt = point_velocity(toe, t_s)
    g = np.asarray(ground_vx, dtype=float)
    sh = np.hypot(vh[:, 0] - g, vh[:, 1])
    st = np.hypot(vt[:, 0] - g, vt[:, 1])
    contact = np.fmin(sh, st)
    centre = np.where(np.isfinite(sh) & np.isfinite(st), 0.5 * (sh + st), np.fmax(sh, st))
    return contact, centre


def forward_contact_speed(heel: np.ndarray, toe: np.ndarray, t_s: np.ndarray, ground_vx: np.ndarray | float) -> np.ndarray:
    """``min(|vx_heel|, |vx_toe|)`` relative to the ground: the slower point's speed *along the walk* only.

    The final-contact cue for video (``docs/events.md``, "The outdoor walker's final contacts"): while the
    heel rises and the foot pivots over its toes, a video model's toe keypoint (it marks the forefoot, not
    the toe tip) rises with the foot; its vertical motion is the foot's rotation, not the toes leaving. The
    toes leave when the foot moves forward, which this measures.
    """
    g = np.asarray(ground_vx, dtype=float)
    vh = point_velocity(heel, t_s)[:, 0] - g
    vt = point_velocity(toe, t_s)[:, 0] - g
    return np.fmin(np.abs(vh), np.abs(vt))


def swing_peaks(
    centre_speed: np.ndarray, t_s: np.ndarray, *, min_speed: float, min_interval_s: float
) -> np.ndarray:
    """Sample indices of the swing-speed peaks (one per swing).

    A peak must exceed ``min_speed`` (units/s) and half the 95th percentile of the speed, and
    be at least ``min_interval_s`` from a higher peak. A speed still high at the first or last
    sample (a swing cut by the recording's edge) counts as a peak at that sample.
    """
    s = np.where(np.isfinite(centre_speed), centre_speed, 0.0)
    n = s.size
    if n < 3:
        return np.zeros(0, dtype=int)
    rate_hz = 1.0 / float(np.median(np.diff(t_s)))
    level = max(min_speed, 0.5 * float(np.percentile(s, 95)))
    dist = max(1, int(round(min_interval_s * rate_hz)))
    peaks, _ = find_peaks(s, height=level, distance=dist)
    extra = []
    # a swing cut by the edge of the recording: still fast and slowing down (start) or
    # speeding up (end) at the edge; its own peak is unseen, so it needs only a third of the
    # level (the thresholds then use the median of the seen peaks, see contact_phases)
    edge_level = max(min_speed, 0.3 * float(np.median(s[peaks]))) if peaks.size else level
    if s[0] >= edge_level and (peaks.size == 0 or peaks[0] >= dist // 2) and s[0] > s[1]:
        extra.append(0)
    if s[-1] >= edge_level and (peaks.size == 0 or n - 1 - peaks[-1] >= dist // 2) and s[-1] > s[-2]:
        extra.append(n - 1)
    return np.unique(np.concatenate([peaks, np.asarray(extra, dtype=int)])).astype(int)


def first_below(y: np.ndarray, i0: int, i1: int, thr: float) -> float | None:
    """First fractional index in ``(i0, i1)`` where ``y`` falls below ``thr`` (linear interpolation)."""
    seg = y[i0:i1]
    if seg.size < 2:
        return None
    below = seg < thr
    cross = np.flatnonzero(below[1:] & ~below[:-1])
    if cross.size == 0:
        return None
    j = int(cross[0])
    a, b = seg[j], seg[j + 1]
    if not (np.isfinite(a) and np.isfinite(b)):
        return None
    return i0 + j + float((a - thr) / (a - b))


def last_below(y: np.ndarray, i0: int, i1: int, thr: float) -> float | None:
    """Last fractional index in ``(i0, i1)`` where ``y`` rises above ``thr`` from below."""
    seg = y[i0:i1]
    if seg.size < 2:
        return None
    below = seg < thr
    cross = np.flatnonzero(below[:-1] & ~below[1:])
    if cross.size == 0:
        return None
    j = int(cross[-1])
    a, b = seg[j], seg[j + 1]
    if not (np.isfinite(a) and np.isfinite(b)):
        return None
    return i0 + j + float((thr - a) / (b - a))


def peak_speeds(centre_speed: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """Reference swing speed of each peak: its own value, or for a peak at the first or last
    sample (a swing cut by the recording's edge) the median of the other peaks."""
    vals = np.asarray(centre_speed, float)[peaks].copy()
    n = np.asarray(centre_speed).size
    edge = (peaks == 0) | (peaks == n - 1)
    if edge.any() and (~edge).any():
        vals[edge] = float(np.median(vals[~edge]))
    return vals


def contact_phases(
    contact_speed: np.ndarray,
    centre_speed: np.ndarray,
    peaks: np.ndarray,
    *,
    ic_fraction: float,
    fc_fraction: float,
    fc_speed: np.ndarray | None = None,
) -> list[tuple[float | None, float | None, int]]:
    """Contacts of one foot between consecutive swing peaks.

    For each swing peak ``k`` (speed ``P_k``): the contact that follows begins (IC) where the
    contact speed first falls below ``ic_fraction * P_k``; the contact that precedes it ends
    (FC) where the contact speed (or ``fc_speed``, e.g. :func:`forward_contact_speed`, when given)
    last rises above ``fc_fraction * P_k``.

    Returns
    -------
    list of ``(ic_index, fc_index, peak_index)``
        Fractional sample indices; ``ic_index`` is the IC after peak ``peak_index`` and
        ``fc_index`` the FC before it (``None`` when not found).
    """
    out: list[tuple[float | None, float | None, int]] = []
    n = contact_speed.size
    ref = peak_speeds(centre_speed, peaks)
    for k, p in enumerate(peaks):
        peak = float(ref[k])
        nxt = int(peaks[k + 1]) if k + 1 < len(peaks) else n
        prv = int(peaks[k - 1]) if k > 0 else 0
        ic = first_below(contact_speed, int(p), nxt, ic_fraction * peak)
        fc = last_below(contact_speed if fc_speed is None else fc_speed, prv, int(p) + 1, fc_fraction * peak)
        out.append((ic, fc, int(p)))
    return out


def knee_index(y: np.ndarray) -> float | None:
    """Fractional index of the knee of a falling curve (``y[0]`` its start, ``y[-1]`` its end).

    The sample farthest below the straight chord from the first to the last sample, both axes scaled to
    0..1 (the "kneedle" point; Satopaa et al. 2011, ICDCS Workshops p. 166), refined by a parabola through
    its neighbours. For a foot's contact speed from its swing peak to its stance minimum, this is the end
    of the rapid deceleration, found without a speed threshold. ``None`` when ``y`` does not fall or has
    gaps.
    """
    y = np.asarray(y, dtype=float)
    if y.size < 4 or not np.isfinite(y).all() or y[0] <= y[-1]:
        return None
    z = (y - y[-1]) / (y[0] - y[-1])
    d = (1.0 - np.linspace(0.0, 1.0, z.size)) - z
    j = int(np.argmax(d))
    off = 0.0
    if 0 < j < z.size - 1:
        den = d[j - 1] - 2 * d[j] + d[j + 1]
        if den < 0:
            off = float(np.clip(0.5 * (d[j - 1] - d[j + 1]) / den, -0.5, 0.5))
    return j + off


def lowest_point(y: np.ndarray) -> float | None:
    """Fractional index of the lowest finite sample of ``y`` (parabola through its neighbours when they are
    finite); ``None`` when ``y`` has no finite sample."""
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(y)
    if not ok.any():
        return None
    j = int(np.argmin(np.where(ok, y, np.inf)))
    off = 0.0
    if 0 < j < y.size - 1 and np.isfinite(y[j - 1 : j + 2]).all():
        den = y[j - 1] - 2 * y[j] + y[j + 1]
        if den > 0:
            off = float(np.clip(0.5 * (y[j - 1] - y[j + 1]) / den, -0.5, 0.5))
    return j + off


def initial_contact_votes(
    contact_speed: np.ndarray,
    heel_up: np.ndarray | None,
    t_s: np.ndarray,
    peak: int,
    next_peak: int,
    threshold_index: float,
    *,
    knee_offset_s: float,
    lowest_window_s: float,
) -> float:
    """Initial contact as the median of three criteria that fail on different walkers (fractional index).

    1. ``threshold_index``: the contact speed falls below a fraction of the swing's peak speed (see
       :func:`contact_phases`); fires early for a slow walker whose foot creeps in, late for a heel that
       still moves fast when it loads.
    2. The knee of the contact speed between the swing peak ``peak`` and the contact speed's minimum
       before ``next_peak`` (:func:`knee_index`), plus ``knee_offset_s``: the end of the rapid deceleration,
       no fraction.
    3. The heel's lowest point (:func:`lowest_point` of ``heel_up``, the heel marker's height, up = +) from
       the swing peak to ``lowest_window_s`` after the threshold time: a heel marker sits above and behind the
       point of the heel that strikes the floor, so it descends until the floor stops the heel and rises as
       the foot rolls flat about it (docs/accuracy.md). ``heel_up`` should be filtered less than the walking
       cut-off (``PreparedWalk.up_contact``); ``None`` (video, or a virtual heel built from an ankle marker,
       which has no such dip) leaves this vote out.

    Criterion 2 is left out when not found; with two votes the median is their mean. Times are medians in
    seconds, returned as a fractional index into ``t_s``. Measured leave-one-file-out on 15 lab files in
    ``docs/accuracy.md``.
    """
    idx = np.arange(t_s.size, dtype=float)
    votes = [float(np.interp(threshold_index, idx, t_s))]
    seg = contact_speed[peak:next_peak]
    if seg.size >= 4:
        m = peak + int(np.argmin(np.where(np.isfinite(seg), seg, np.inf)))
        k = knee_index(contact_speed[peak : m + 1])
        if k is not None:
            votes.append(float(np.interp(peak + k, idx, t_s)) + knee_offset_s)
    if heel_up is not None:
        end = int(np.searchsorted(t_s, votes[0] + lowest_window_s, side="right"))
        end = min(next_peak, end, t_s.size)
        if end - peak >= 3:
            low = lowest_point(heel_up[peak:end])
            if low is not None:
                votes.append(float(np.interp(peak + low, idx, t_s)))
    return float(np.interp(float(np.median(votes)), t_s, idx))
