"""A minimal synthetic stepper for signal/event tests: contacts are known by construction.

Not the phantom (``gaitscope.phantom`` is the realistic walker); this one only moves feet and
hips so that each test controls exactly one thing: the duty factor (walking vs running), the
foot that lands on the forefoot, the travel direction, the view. World frame: +x forward
(facing), +y up, +z right; metres.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gaitscope.types import PoseSequence

NAMES = (
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_toe", "right_toe",
)
FOOT_L_M = 0.20  # heel marker to toe marker
HEEL_H_M = 0.05  # heel marker height when the foot is flat
TOE_H_M = 0.03


def stepper(
    *,
    duration_s: float = 8.0,
    rate_hz: float = 100.0,
    stride_s: float = 1.1,
    duty: float = 0.62,
    speed_mps: float = 1.2,
    forefoot_side: str | None = None,
    forefoot_delay_s: float = 0.08,
    standing: bool = False,
) -> tuple[PoseSequence, pd.DataFrame]:
    """World-frame keypoints of a stepping person and the true contacts.

    Each foot rests flat on the floor for ``duty * stride_s`` (stance), then swings to the
    next footprint one stride length ahead. At touchdown the swing is still moving at 30 % of
    its peak speed (a foot lands with a collision, it does not glide to a stop). With
    ``forefoot_side`` that foot lands toe first; its heel comes down ``forefoot_delay_s``
    later while the toe stays put. ``standing`` keeps both feet still.

    Returns
    -------
    pose, truth
        ``truth`` columns ``event`` (ic/fc), ``side``, ``t_s``: the exact contact times.
    """
    t = np.arange(0.0, duration_s, 1.0 / rate_hz)
    n = t.size
    stride_len = speed_mps * stride_s
    xyz = np.full((n, len(NAMES), 3), np.nan)
    rows = []
    for side, off, zs in (("left", 0.0, -0.1), ("right", 0.5, 0.1)):
        phase = (t / stride_s + off) % 1.0
        k = np.floor(t / stride_s + off)
        heel = np.zeros((n, 2))
        toe = np.zeros((n, 2))
        if standing:
            heel[:] = (0.0 + off * 0.1, HEEL_H_M)
            toe[:] = (FOOT_L_M + off * 0.1, TOE_H_M)
        else:
            stance = phase < duty
            xc = k * stride_len - off * stride_len
            # stance: flat foot at its footprint
            heel[stance, 0] = xc[stance]
            toe[stance, 0] = xc[stance] + FOOT_L_M
            heel[stance, 1] = HEEL_H_M
            toe[stance, 1] = TOE_H_M
            # swing: u in [0, 1) from the footprint xc to xc + stride_len
            sw = ~stance
            u = (phase[sw] - duty) / (1.0 - duty)
            # speed profile sin(pi*(0.15 + 0.7u)): 45 % of peak at lift-off, 45 % at touchdown
            a, b = 0.15 * np.pi, 0.85 * np.pi
            prof = (np.cos(a) - np.cos(a + (b - a) * u)) / (np.cos(a) - np.cos(b))
            heel[sw, 0] = xc[sw] + stride_len * prof
            toe[sw, 0] = heel[sw, 0] + FOOT_L_M
            lift = 0.10 * np.sin(np.pi * u)
            heel[sw, 1] = HEEL_H_M + lift
            toe[sw, 1] = TOE_H_M + lift
            if forefoot_side == side:
                # toe first: the heel is raised at touchdown and comes down during early stance
                drop = 0.04
                uu = np.zeros(n)
                uu[sw] = u
                raise_sw = sw & (uu > 0.6)
                heel[raise_sw, 1] += drop * (uu[raise_sw] - 0.6) / 0.4
                ts_in = (phase - 0.0) * stride_s  # time since this stance began
                early = stance & (ts_in < forefoot_delay_s)
                heel[early, 1] += drop * (1.0 - ts_in[early] / forefoot_delay_s)
            # truth: IC at phase 0 (stride k starts), FC at phase duty
            for kk in range(int(k.min()) - 1, int(k.max()) + 2):
                t_ic = (kk - off) * stride_s
                t_fc = t_ic + duty * stride_s
                for ev, tt in (("ic", t_ic), ("fc", t_fc)):
                    if 0.0 <= tt < duration_s:
                        rows.append((ev, side, tt))
        hip = np.stack([speed_mps * t * (0.0 if standing else 1.0), np.full(n, 0.9), np.full(n, zs)], 1)
        ankle = np.stack([heel[:, 0] + 0.05, heel[:, 1] + 0.04, np.full(n, zs)], 1)
        knee = 0.5 * (hip + ankle) + np.array([0.05, 0.0, 0.0])
        for name, arr in (("hip", hip), ("knee", knee), ("ankle", ankle)):
            xyz[:, NAMES.index(f"{side}_{name}")] = arr
        xyz[:, NAMES.index(f"{side}_heel")] = np.stack([heel[:, 0], heel[:, 1], np.full(n, zs)], 1)
        xyz[:, NAMES.index(f"{side}_toe")] = np.stack([toe[:, 0], toe[:, 1], np.full(n, zs)], 1)
    truth = pd.DataFrame(rows, columns=["event", "side", "t_s"]).sort_values("t_s").reset_index(drop=True)
    pose = PoseSequence(xyz, np.ones(xyz.shape[:2]), NAMES, t, "world", source="synthetic stepper")
    return pose, truth


def to_image(
    pose: PoseSequence, *, view: str = "sagittal", px_per_m: float = 300.0, mirror: bool = False
) -> PoseSequence:
    """Orthographic camera: sagittal (image x = world x, or -x when ``mirror``) or frontal
    (image x = world z, the person walking toward the camera is not rendered in depth)."""
    w = pose.xyz
    if view == "sagittal":
        x = w[:, :, 0] * (-1.0 if mirror else 1.0)
    else:
        x = w[:, :, 2]
    x_px = 640.0 + px_per_m * (x - np.nanmean(x))
    y_px = 650.0 - px_per_m * w[:, :, 1]
    xyz = np.stack([x_px, y_px, np.full_like(x_px, np.nan)], axis=-1)
    return PoseSequence(xyz, pose.score, pose.names, pose.t_s, "image", image_size_px=(1280, 720),
                        source=f"{pose.source} ({view} image)")


def compare_events(found: pd.DataFrame, truth: pd.DataFrame, *, tol_s: float) -> tuple[pd.DataFrame, int, int]:
    """Match each true event to the nearest found one of the same kind and side.

    Returns the matched pairs (columns event, side, t_true_s, err_s), the number of true
    events without a match within ``tol_s`` and the number of found events inside the true
    span that match nothing.
    """
    pairs = []
    used: set[int] = set()
    missed = 0
    for _, r in truth.iterrows():
        cand = found[(found["event"] == r["event"]) & (found["side"] == r["side"])]
        if cand.empty:
            missed += 1
            continue
        err = cand["t_s"].to_numpy() - r["t_s"]
        j = int(np.argmin(np.abs(err)))
        if abs(err[j]) > tol_s:
            missed += 1
            continue
        used.add(int(cand.index[j]))
        pairs.append((r["event"], r["side"], r["t_s"], err[j]))
    lo, hi = truth["t_s"].min() - tol_s, truth["t_s"].max() + tol_s
    inside = found[(found["t_s"] >= lo) & (found["t_s"] <= hi)]
    extra = int(sum(1 for i in inside.index if int(i) not in used))
    return pd.DataFrame(pairs, columns=["event", "side", "t_true_s", "err_s"]), missed, extra
