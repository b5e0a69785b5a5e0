"""Keypoint cleaning: gap filling, outlier rejection, zero-lag low-pass filter, left/right swap repair.

Pure functions on arrays whose first dimension is time (``(n_frames, n_keypoints, d)``).
Missing values are NaN. Nothing here knows about passes or events.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import median_filter
from scipy.signal import butter, sosfiltfilt

from gaitscope.types import SIDES

#: Keypoints that belong to a leg (they swap together when a pose model confuses the legs).
LEG_PARTS: tuple[str, ...] = ("hip", "knee", "ankle", "heel", "toe")


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open ``[start, end)`` runs where a 1-D boolean ``mask`` is True."""
    m = np.concatenate(([False], np.asarray(mask, bool), [False]))
    d = np.diff(m.astype(np.int8))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def fill_gaps(xyz: np.ndarray, t_s: np.ndarray, *, max_gap_s: float) -> tuple[np.ndarray, int]:
    """Fill short runs of missing samples by linear interpolation in time.

    Parameters
    ----------
    xyz
        ``(n_frames, n_keypoints, d)``; NaN where missing.
    t_s
        ``(n_frames,)`` sample times in seconds.
    max_gap_s
        Longest gap (s, from the last valid sample before to the first after) that is filled.
        Longer gaps and gaps at either end stay NaN.

    Returns
    -------
    filled, n_filled
        A new array and the number of (frame, keypoint) samples that were filled.
    """
    out = np.array(xyz, dtype=float, copy=True)
    n, k, d = out.shape
    flat = out.reshape(n, k * d)
    n_filled = 0
    for j in range(k * d):
        col = flat[:, j]
        bad = ~np.isfinite(col)
        if not bad.any() or bad.all():
            continue
        good = np.flatnonzero(~bad)
        for s, e in _runs(bad):
            if s == 0 or e == n:
                continue  # never extrapolate
            if t_s[e] - t_s[s - 1] > max_gap_s:
                continue
            col[s:e] = np.interp(t_s[s:e], t_s[good], col[good])
            if j % d == 0:
                n_filled += e - s
    return out, n_filled


def reject_outliers(
    xyz: np.ndarray, *, window: int, max_dev: float, mad_factor: float
) -> tuple[np.ndarray, int]:
    """Set to NaN the samples that jump away from a running median of their own trajectory.

    A sample is an outlier when its distance from the running median (``window`` samples)
    exceeds both ``max_dev`` (absolute, in the units of ``xyz``) and ``mad_factor`` times the
    keypoint's median absolute deviation from that running median. The double condition keeps
    clean mocap untouched while removing the single-frame jumps of video pose models.

    Returns
    -------
    cleaned, n_rejected
    """
    out = np.array(xyz, dtype=float, copy=True)
    n = out.shape[0]
    if n < 3:
        return out, 0
    win = max(3, int(window) | 1)
    # median filter ignores NaN poorly: fill NaN temporarily with the column's nearest value
    filled = out.copy()
    for j in range(out.shape[1]):
        for a in range(out.shape[2]):
            col = filled[:, j, a]
            ok = np.isfinite(col)
            if ok.sum() >= 2 and not ok.all():
                idx = np.flatnonzero(ok)
                col[~ok] = np.interp(np.flatnonzero(~ok), idx, col[idx])
    med = median_filter(filled, size=(win, 1, 1), mode="nearest")
    dev = np.linalg.norm(out - med, axis=2)  # (n, k)
    mad = np.zeros(dev.shape[1])
    for j in range(dev.shape[1]):
        d = dev[:, j][np.isfinite(dev[:, j])]
        if d.size:
            mad[j] = float(np.median(d))
    limit = np.maximum(max_dev, mad_factor * mad)
    bad = dev > limit[None, :]
    out[bad] = np.nan
    return out, int(bad.sum())


def lowpass_zero_lag(xyz: np.ndarray, *, rate_hz: float, cutoff_hz: float, order: int = 2) -> np.ndarray:
    """Zero-lag Butterworth low-pass filter (forward-backward, ``scipy.signal.sosfiltfilt``).

    Each contiguous run of finite samples of each coordinate is filtered on its own, so gaps
    that were too long to fill stay NaN and do not smear. Runs too short to pad are left as is.

    Parameters
    ----------
    rate_hz
        Sampling rate (the median of the timestamps for video with a variable rate).
    cutoff_hz
        -3 dB cut-off of the *combined* forward-backward filter is at ``cutoff_hz`` after the
        usual correction for the double pass (Winter 2009, Biomechanics and Motor Control of
        Human Movement, 4th ed., section 3.4.4.3: ``f_c / 0.802`` for a 2nd-order filter run twice).
    order
        Order of the single-pass filter (the double pass gives twice the roll-off).
    """
    out = np.array(xyz, dtype=float, copy=True)
    nyq = 0.5 * rate_hz
    corrected = cutoff_hz / 0.802 if order == 2 else cutoff_hz
    wn = min(corrected / nyq, 0.95)
    sos = butter(order, wn, output="sos")
    n = out.shape[0]
    flat = out.reshape(n, -1)
    ok_cols = np.isfinite(flat)
    full = ok_cols.all(axis=0)
    padlen = 3 * (2 * len(sos) + 1)
    if full.any() and n > padlen:
        flat[:, full] = sosfiltfilt(sos, flat[:, full], axis=0)
    for j in np.flatnonzero(~full):
        for s, e in _runs(ok_cols[:, j]):
            if e - s > padlen:
                flat[s:e, j] = sosfiltfilt(sos, flat[s:e, j])
    return flat.reshape(out.shape)


def collapsed_feet(xy: np.ndarray, names: tuple[str, ...], *, tol: float) -> np.ndarray:
    """Frames where the left and right heel *and* toe lie within ``tol`` of each other.

    A video pose model that loses the (blurred) swinging foot puts both feet's labels on the
    standing foot. Real feet never coincide like that: when they pass each other in a side
    view the swinging foot is lifted, so heels or toes stay apart. Returns ``(n_frames,)`` bool.
    """
    need = [f"{s}_{k}" for s in SIDES for k in ("heel", "toe")]
    if any(nm not in names for nm in need):
        return np.zeros(xy.shape[0], bool)
    d = [np.linalg.norm(xy[:, names.index(f"left_{k}")] - xy[:, names.index(f"right_{k}")], axis=1)
         for k in ("heel", "toe")]
    with np.errstate(invalid="ignore"):
        return (d[0] < tol) & (d[1] < tol)


def leg_index_pairs(names: tuple[str, ...]) -> list[tuple[int, int]]:
    """Column pairs ``(left, right)`` of the leg keypoints present on both sides."""
    pairs = []
    for part in LEG_PARTS:
        left, right = f"{SIDES[0]}_{part}", f"{SIDES[1]}_{part}"
        if left in names and right in names:
            pairs.append((names.index(left), names.index(right)))
    return pairs


def swap_legs(xyz: np.ndarray, pairs: list[tuple[int, int]], frames: np.ndarray) -> np.ndarray:
    """Exchange left and right leg keypoints on the frames where ``frames`` is True."""
    out = np.array(xyz, copy=True)
    li = [a for a, _ in pairs]
    ri = [b for _, b in pairs]
    sel = np.flatnonzero(frames)
    left = out[sel][:, li].copy()
    out[np.ix_(sel, li)] = out[sel][:, ri]
    out[np.ix_(sel, ri)] = left
    return out


def detect_leg_swaps(
    xy: np.ndarray,
    pairs: list[tuple[int, int]],
    *,
    swap_cost: float,
    evidence_cost: np.ndarray | None = None,
) -> np.ndarray:
    """Frames whose left/right leg labels are swapped, by a constant-velocity Viterbi path.

    Hidden state per frame: labels as given (0) or swapped (1). The cost of a path is the sum
    over frames of the distance between each leg keypoint and its constant-velocity prediction
    from the two previous frames (``2 p[t-1] - p[t-2]``, under the states chosen there), plus
    ``swap_cost`` for every frame spent in the swapped state (so that, of two equally smooth
    labellings, the one the pose model gave most of the time wins). Using the velocity, not
    only the position, resolves the moments when the legs cross in a side view.

    Parameters
    ----------
    xy
        ``(n_frames, n_keypoints, d)`` positions (NaN allowed; missing terms cost nothing).
    pairs
        ``(left, right)`` column pairs from :func:`leg_index_pairs`.
    swap_cost
        Cost (units of ``xy``) of one frame in the swapped state.
    evidence_cost
        Optional ``(n_frames, 2)`` extra cost of each state per frame (independent evidence
        about the labels, e.g. which footprint each foot stands on).

    Returns
    -------
    swapped
        ``(n_frames,)`` bool.
    """
    n = xy.shape[0]
    if n < 3 or not pairs:
        return np.zeros(n, bool)
    li = [a for a, _ in pairs]
    ri = [b for _, b in pairs]
    legs = np.stack([xy[:, li], xy[:, ri]], axis=1)  # (n, 2 sides, p, d)
    # version[s] of frame: s=0 as given, s=1 swapped -> (n, 2 states, 2 sides, p, d)
    ver = np.stack([legs, legs[:, ::-1]], axis=1)

    # an observed keypoint without a prediction (its history under that labelling is missing)
    # costs a fixed amount, so that relabelling a visible leg as the missing one is not free
    unexplained = 2.0 * swap_cost

    def dist(obs: np.ndarray, pred: np.ndarray) -> np.ndarray:
        d = np.linalg.norm(obs - pred, axis=-1)  # (..., 2 sides, p)
        seen = np.isfinite(obs).all(axis=-1)
        d = np.where(np.isfinite(d), d, np.where(seen, unexplained, 0.0))
        return d.sum(axis=(-1, -2))

    # cost3[t, a, b, c]: state a at t-2, b at t-1, c at t
    cost3 = np.zeros((n, 2, 2, 2))
    for a in range(2):
        for b in range(2):
            pred = 2 * ver[1:-1, b] - ver[:-2, a]  # prediction for frames 2..n-1
            for c in range(2):
                cost3[2:, a, b, c] = dist(ver[2:, c], pred)
    # first-order cost for frame 1 (no velocity yet)
    cost2 = np.zeros((2, 2))
    for b in range(2):
        for c in range(2):
            cost2[b, c] = dist(ver[1, c], ver[0, b])
    # Viterbi over pair states (s[t-1], s[t]); plain Python floats: 4 states, fast enough
    ev = np.zeros((n, 2)) if evidence_cost is None else np.nan_to_num(np.asarray(evidence_cost, float))
    unary = (ev + np.array([0.0, swap_cost])[None, :]).tolist()
    acc = [[unary[0][b] + unary[1][c] + float(cost2[b, c]) for c in range(2)] for b in range(2)]
    c3 = cost3.tolist()
    back = [[[0, 0], [0, 0]] for _ in range(n)]
    for t in range(2, n):
        ct = c3[t]
        ut = unary[t]
        new = [[0.0, 0.0], [0.0, 0.0]]
        for b in range(2):
            for c in range(2):
                v0 = acc[0][b] + ct[0][b][c]
                v1 = acc[1][b] + ct[1][b][c]
                if v1 < v0:
                    back[t][b][c] = 1
                    new[b][c] = v1 + ut[c]
                else:
                    new[b][c] = v0 + ut[c]
        acc = new
    flat = [acc[0][0], acc[0][1], acc[1][0], acc[1][1]]
    best = flat.index(min(flat))
    states = np.zeros(n, dtype=np.int8)
    states[-2], states[-1] = divmod(best, 2)
    for t in range(n - 1, 1, -1):
        states[t - 2] = back[t][states[t - 1]][states[t]]
    return states.astype(bool)
