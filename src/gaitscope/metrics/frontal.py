"""Frontal-plane gait measures (and arm swing) per stride, plus contact detection for frontal video.

Input: a :class:`~gaitscope.signal.PreparedWalk` whose ``lat_xy`` is set (frontal video: the image plane
with the person's right = +; 3D input: the world's lateral axis and up), its events and the stride table.
Arm swing is read from ``sag_xy`` (side-view video or 3D). Pure numpy/pandas; no video or pose imports.

Per-stride columns (names, units and signs of ``knowledge/metrics.csv``; definitions in ``docs/frontal.md``):

============================== =====================================================================
``pelvic_drop_stance_max_deg`` peak pelvic obliquity of this side in its stance (IC -> own FC): + = the
                               other (swing) side lower. Obliquity = angle of the hip-joint line,
                               ``atan2(y_this - y_other, |x_this - x_other|)``.
``pelvic_obliquity_mean_deg``  mean obliquity of this side over the stride; + = this side higher.
``pelvic_obliquity_persistent_deg``  80th percentile of this side's obliquity over the stride:
    negative = this side stays lower for at least 80 % of the stride (persistent, not phasic).
``trunk_lean_lat_stance_max_deg`` peak lateral lean of mid-hips -> mid-shoulders (C7 without shoulders)
                               from the upward vertical in this side's stance; + = toward this side.
``knee_fppa_stance_max_deg``   peak knee frontal-plane projection angle in stance: thigh angle minus
                               shank angle, each from the downward vertical, + toward the midline
                               (Willson & Davis 2008); + = valgus (knee medial).
``step_width_m``               lateral distance between this side's footprint (median heel position in
                               this stance) and the other foot's latest footprint before this IC.
``circumduction_m``            peak outward excursion of this side's ankle in swing beyond the straight
                               line joining its footprints before and after the swing.
``heel_eversion_deg``          back-view video only: median rearfoot angle in mid-stance (20-80 % of
                               stance; the median because the short heel segment is noisy in pixels) = calcaneus line (ankle -> heel) minus shank line (knee ->
                               ankle), each from the downward vertical, + = heel lateral (eversion).
``foot_progression_deg``       3D only: median angle of the heel -> toe line to the walking direction in
                               the horizontal plane over 20-60 % of stance; + = out-toeing.
``arm_swing_amplitude_deg``    side view / 3D: range (max - min) over the stride of the upper-arm angle
                               (shoulder -> elbow, else shoulder -> wrist) from the downward vertical in
                               the sagittal plane.
============================== =====================================================================

Frontal video has no metric scale across depth: the lateral scale of every frame comes from the apparent
trunk length (mid-hips to mid-shoulders = 0.288 standing heights, Winter 2009 Fig. 4.1), so metres need
``--height-m`` and assume the walker stays near the camera's optical axis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gaitscope.signal import foot_speed
from gaitscope.types import SIDES

#: Columns added to cycles.csv by :func:`compute_frontal`.
FRONTAL_COLUMNS: tuple[str, ...] = (
    "pelvic_drop_stance_max_deg",
    "pelvic_obliquity_mean_deg",
    "pelvic_obliquity_persistent_deg",
    "trunk_lean_lat_stance_max_deg",
    "knee_fppa_stance_max_deg",
    "step_width_m",
    "arm_swing_amplitude_deg",
    "heel_eversion_deg",
    "foot_progression_deg",
    "circumduction_m",
)
#: Timing columns not reported from frontal video when its contacts come from foot stillness (approximate);
#: with the shoe-motion contacts (real video, each within one frame of an eye reading) they are.
FRONTAL_VIDEO_UNRELIABLE_TIMING: tuple[str, ...] = (
    "stance_pct",
    "swing_pct",
    "double_support_pct",
    "single_support_pct",
)
#: ... and read with them only from this frame rate (Hz): contacts within one frame each then move stance by at
#: most 2 frames = 5 % of a 1.35 s stride (the stated error, knowledge/frontal_video_errors.csv); at 15 frames/s
#: the real clip's stance read 4-5 % high (docs/frontal.md).
FRONTAL_TIMING_MIN_RATE_HZ = 25.0
#: Centred running-mean window applied to frontal-video angle curves before their peaks are taken, seconds.
SMOOTH_FRONTAL_S = 0.2
#: Mid-hips to mid-shoulders as a fraction of standing height (Winter 2009, Fig. 4.1: 0.818 - 0.530 H).
TRUNK_FRACTION_OF_HEIGHT = 0.288
_EVENT_COLUMNS = ("event", "side", "frame", "t_s", "pass", "score")
_OUT = {"right": 1.0, "left": -1.0}  # lateral (away from the midline) direction in lat_xy x (right = +)


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def _pt(arr: np.ndarray | None, names: tuple[str, ...], name: str) -> np.ndarray:
    n = 0 if arr is None else arr.shape[0]
    if arr is None or name not in names:
        return np.full((n, 2), np.nan)
    return arr[:, names.index(name), :]


def _mid(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return 0.5 * (a + b)


def _running_median(x: np.ndarray, k: int) -> np.ndarray:
    s = pd.Series(x)
    return s.rolling(max(1, k), center=True, min_periods=1).median().to_numpy(float)


# --------------------------------------------------------------------------- per-frame angles
def pelvic_obliquity_deg(hip_this: np.ndarray, hip_other: np.ndarray) -> np.ndarray:
    """Angle of the hip-joint line in the frontal plane, degrees; 0 = level, + = this side higher.

    ``hip_*``: ``(n, 2)`` (lateral, up) coordinates, any unit.
    """
    dy = hip_this[:, 1] - hip_other[:, 1]
    dx = np.abs(hip_this[:, 0] - hip_other[:, 0])
    return np.degrees(np.arctan2(dy, dx))


def trunk_lean_lat_deg(mid_hip: np.ndarray, top: np.ndarray, side: str) -> np.ndarray:
    """Lateral lean of mid-hips -> ``top`` (mid-shoulders or C7) from the upward vertical, degrees;
    + = toward ``side``."""
    return np.degrees(np.arctan2(_OUT[side] * (top[:, 0] - mid_hip[:, 0]), top[:, 1] - mid_hip[:, 1]))


def knee_fppa_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, side: str) -> np.ndarray:
    """Knee frontal-plane projection angle, degrees: thigh angle minus shank angle, each from the downward
    vertical and + toward the midline; 0 = hip, knee and ankle in line, + = valgus (knee medial)."""
    med = -_OUT[side]
    thigh = np.degrees(np.arctan2(med * (knee[:, 0] - hip[:, 0]), hip[:, 1] - knee[:, 1]))
    shank = np.degrees(np.arctan2(med * (ankle[:, 0] - knee[:, 0]), knee[:, 1] - ankle[:, 1]))
    return thigh - shank


def rearfoot_eversion_deg(knee: np.ndarray, ankle: np.ndarray, heel: np.ndarray, side: str) -> np.ndarray:
    """Rearfoot angle seen from behind, degrees: calcaneus line (ankle -> heel) minus shank line (knee ->
    ankle), each from the downward vertical and + laterally; + = eversion (heel lateral)."""
    out = _OUT[side]
    calc = np.degrees(np.arctan2(out * (heel[:, 0] - ankle[:, 0]), ankle[:, 1] - heel[:, 1]))
    shank = np.degrees(np.arctan2(out * (ankle[:, 0] - knee[:, 0]), knee[:, 1] - ankle[:, 1]))
    return calc - shank


def upper_arm_angle_deg(shoulder: np.ndarray, distal: np.ndarray) -> np.ndarray:
    """Sagittal angle of shoulder -> elbow (or wrist) from the downward vertical, degrees; + = forward.

    ``shoulder``, ``distal``: ``(n, 2)`` (forward, up)."""
    return np.degrees(np.arctan2(distal[:, 0] - shoulder[:, 0], shoulder[:, 1] - distal[:, 1]))


def foot_progression_angle_deg(heel_fwd_lat: np.ndarray, toe_fwd_lat: np.ndarray, side: str) -> np.ndarray:
    """Angle of heel -> toe to the forward axis in the horizontal plane, degrees; + = out-toeing.

    Inputs ``(n, 2)`` (forward, lateral with right = +), metres."""
    d = toe_fwd_lat - heel_fwd_lat
    return np.degrees(np.arctan2(_OUT[side] * d[:, 1], d[:, 0]))


# --------------------------------------------------------------------------- frontal-video scale
def lateral_positions(prep: Any) -> tuple[np.ndarray | None, str]:
    """Lateral (person's right +) positions of every keypoint, ``(n_frames, n_keypoints)``.

    3D input: ``lat_xy[..., 0]`` (metres). Frontal video: ``(x_px - image centre) * k(t)`` with the
    per-frame scale ``k(t) = 0.288 * height / trunk length in pixels`` (running median over 1 s), sign
    flipped when the person faces the camera. Units: metres with a known height, else standing heights.

    Returns
    -------
    (positions or None, reason when None)
    """
    if prep.lat_xy is None:
        return None, "needs a frontal view (front or back) or 3D input"
    if prep.view == "3d":
        return prep.lat_xy[:, :, 0].copy(), ""
    names = prep.names
    xy = prep.pose.xyz[:, :, :2]
    if not all(f"{s}_{k}" in names for s in SIDES for k in ("hip", "shoulder")):
        return None, "the hips and shoulders are needed for the frontal-video scale"
    mh = _mid(xy[:, names.index("left_hip")], xy[:, names.index("right_hip")])
    ms = _mid(xy[:, names.index("left_shoulder")], xy[:, names.index("right_shoulder")])
    trunk_px = np.hypot(*(ms - mh).T)
    k_frames = max(3, int(round(prep.rate_hz)))
    trunk_px = _running_median(trunk_px, k_frames)
    k = TRUNK_FRACTION_OF_HEIGHT * prep.height / trunk_px
    size = prep.pose.image_size_px
    cx = 0.5 * float(size[0]) if size is not None else float(np.nanmedian(mh[:, 0]))
    sign = np.ones(xy.shape[0])
    for p in prep.passes:
        if p.facing == "toward_camera":
            sign[p.start : p.end] = -1.0
    return sign[:, None] * (xy[:, :, 0] - cx) * k[:, None], ""


# --------------------------------------------------------------------------- frontal-video contacts
@dataclass(frozen=True)
class FootStillnessEventDetector:
    """Contacts in frontal video from the stillness of each foot in the image.

    A static camera sees a planted foot standing still in the image whatever its distance. Between two
    swing peaks of the foot's image speed, the *stance position* is where the slower of heel and toe is
    slowest; the contact lasts while the heel or the toe stays within ``tolerance_height`` (x the apparent
    standing height at that time) of its stance position: IC = first such sample, FC = last. Movement along
    the camera's line of sight is invisible, so IC comes early when filmed from behind and FC late when
    filmed from the front (measured on the phantom: ``docs/frontal.md``); the stride period is unaffected.

    Parameters
    ----------
    tolerance_height
        Distance to the stance position that still counts as contact, in standing heights.
    min_swing_speed_height_per_s
        A swing peak of the foot's image speed must reach this many standing heights per second.
    min_interval_s
        Minimum time between two swings of the same foot.
    """

    tolerance_height: float = 0.012
    min_swing_speed_height_per_s: float = 0.02
    min_interval_s: float = 0.35

    def detect(self, prep: Any) -> pd.DataFrame:
        """Events (``event, side, frame, t_s, pass, score``) of every usable pass, sorted by time."""
        rows: list[dict] = []
        if prep.plane_xy is None:
            return pd.DataFrame(columns=list(_EVENT_COLUMNS))
        names = prep.names
        plane = prep.plane_xy
        t_all = prep.pose.t_s
        hip = _mid(_pt(plane, names, "left_hip"), _pt(plane, names, "right_hip"))
        ank = _mid(_pt(plane, names, "left_ankle"), _pt(plane, names, "right_ankle"))
        # apparent standing height per frame (hip to ankle height is about 0.49 H)
        size = np.abs(hip[:, 1] - ank[:, 1]) / 0.491
        for p in prep.passes:
            if not p.usable:
                continue
            sl = slice(p.start, p.end)
            t = t_all[sl]
            if t.size < 10:
                continue
            for side in SIDES:
                heel = _pt(plane, names, f"{side}_heel")[sl]
                toe = _pt(plane, names, f"{side}_toe")[sl]
                c, cen = foot_speed.foot_speeds(heel, toe, t, 0.0)
                sz = size[sl]
                # image speeds shrink with distance: compare them in apparent standing heights per second
                rel = sz / float(np.nanmedian(sz))
                rel = np.where(np.isfinite(rel) & (rel > 0), rel, 1.0)
                c, cen = c / rel, cen / rel
                pk = foot_speed.swing_peaks(
                    cen, t, min_speed=self.min_swing_speed_height_per_s * prep.height,
                    min_interval_s=self.min_interval_s,
                )
                score = prep.pose.score[sl]
                ks = [names.index(f"{side}_heel"), names.index(f"{side}_toe")]
                # stance positions: where the foot is slowest between two swing peaks
                mids = []
                for a, b in zip(pk[:-1], pk[1:]):
                    seg = c[a:b]
                    if np.isfinite(seg).any():
                        mids.append(int(a + np.nanargmin(seg)))
                ref = []
                for m in mids:
                    lo_m, hi_m = max(m - 1, 0), min(m + 2, t.size)
                    hs = np.nanmedian(heel[lo_m:hi_m], axis=0)
                    ts = np.nanmedian(toe[lo_m:hi_m], axis=0)
                    d = np.fmin(np.hypot(*(heel - hs).T), np.hypot(*(toe - ts).T))
                    ref.append((m, d, self.tolerance_height * float(sz[m]) if np.isfinite(sz[m]) else np.nan))
                found: list[tuple[str, float, int]] = []
                for k, (m, d, tol) in enumerate(ref):
                    if not np.isfinite(tol) or tol <= 0:
                        continue
                    lo = ref[k - 1][0] if k > 0 else int(pk[0])
                    hi = ref[k + 1][0] if k + 1 < len(ref) else int(pk[-1])
                    ic = _first_within(d, lo, m + 1, tol)
                    fc = _last_within(d, m, hi + 1, tol)
                    for kind, x in (("ic", ic), ("fc", fc)):
                        if x is not None:
                            found.append((kind, x, m))
                for kind, x, m in found:
                    i_local = int(round(x))
                    win = score[max(0, i_local - 2):i_local + 3][:, ks]
                    conf = float(np.mean(win)) if win.size else 0.0
                    rows.append({
                        "event": kind,
                        "side": side,
                        "frame": int(prep.pose.frame_index[p.start + i_local]),
                        "t_s": float(np.interp(x, np.arange(t.size), t)),
                        "pass": int(p.index),
                        "score": float(np.clip(0.5 * conf, 0.0, 1.0)),  # half: timing is approximate
                    })
        if not rows:
            return pd.DataFrame(columns=list(_EVENT_COLUMNS))
        df = pd.DataFrame(rows, columns=list(_EVENT_COLUMNS))
        return df.sort_values("t_s", kind="stable").reset_index(drop=True)


def shoe_motion_available(pose: Any) -> bool:
    """True when the pose stage measured each shoe's own image motion (``meta["shoe_motion_px"]``)."""
    sm = (pose.meta or {}).get("shoe_motion_px") or {}
    return all(len(sm.get(s) or ()) == pose.n_frames for s in SIDES)


def apparent_height_px(xy: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Apparent standing height per frame (px) from thigh + shank of both legs (0.491 H, Winter 2009),
    running median over 15 frames; NaN where no leg is seen. ``xy``: ``(n, k, 2)`` image px."""
    legs = []
    for side in SIDES:
        hip, knee, ank = (_pt(xy, names, f"{side}_{k}") for k in ("hip", "knee", "ankle"))
        legs.append(np.hypot(*(hip - knee).T) + np.hypot(*(knee - ank).T))
    both = np.stack(legs, 1)
    cnt = np.isfinite(both).sum(axis=1)
    leg = np.where(cnt > 0, np.where(np.isfinite(both), both, 0.0).sum(axis=1) / np.maximum(cnt, 1), np.nan)
    return _running_median(leg / 0.491, 15)


@dataclass(frozen=True)
class ShoeMotionEventDetector:
    """Contacts in frontal video from each shoe's own image motion (measured on its pixels).

    The pose stage tracks the pixels of each shoe from frame to frame with the camera's motion taken
    out (:mod:`gaitscope.capture.camera_motion`): ``meta["shoe_motion_px"]``. Seen from the front the
    swinging shoe comes toward the camera and moves *down* the image (from behind: away, *up*); standing
    on the floor its pixels hardly move. Per frame, the shoe's velocity along the walking direction in
    the image is ``v = dy / apparent height / dt`` (standing heights per second; ``dy`` of frame ``i`` is
    the motion from frame ``i - 1``).

    * A swing is a run of frames with ``v >= still_height_per_s`` that reaches
      ``min_swing_height_per_s`` and lasts ``min_swing_s``.
    * **FC**: the shoe has moved on toward the camera by the run's first frame ``i``. Seen from the front the
      toe's lift moves the shoe *up* the image and the first forward motion *down*, so the frame that holds
      the lift can show no motion at all; the heel rise before it moves the shoe up (``v <= -still``) with the
      toe still on the floor. FC = the middle of the bracket from the last such rising frame (within
      ``heel_rise_window_s`` before ``i``) to ``i`` (may fall half-way between two frames); ``i`` when no
      rising frame is seen (a first step from standing).
    * **IC** = the last frame, within ``landing_window_s`` before the shoe is still again, whose motion is
      at least ``landing_fraction`` of the largest in that window: the shoe reaches the floor with one last
      large move and then only settles (the forefoot comes down, by less than half as much).

    Settings were chosen on the left foot of ``walk_frontal_toward_camera.mp4`` against contacts read by
    eye (``tests/data/video_contacts_frontal_eye.csv``) and reported on its right foot, its mirror image
    and the clip at half the frame rate (``benchmarks/frontal_video.py``, ``docs/frontal.md``).
    From behind, the heel rising before the toe leaves moves the shoe up the image too, so FC there is the
    heel rise (early); that view has no eye-read truth yet.

    Parameters
    ----------
    still_height_per_s
        Shoe speed along the walk (standing heights per second) below which it counts as still (0.08 H/s:
        0.27 % of the height per frame at 30 frames/s; standing shoes: about 0.03 H/s on the real clip).
    min_swing_height_per_s
        A swing must reach this speed (0.15 H/s; swings peak at 0.5-1 H/s, the first step from standing
        at 0.2 H/s).
    min_swing_s
        Shortest swing (s).
    landing_window_s, landing_fraction
        IC rule, see above.
    heel_rise_window_s
        FC rule: how far before the first forward frame a rising frame still counts (0.1 s: the heel rises 2-3
        frames before the toe leaves in the eye reading; 0.067-0.2 s give the same contacts on the real clip).
    """

    still_height_per_s: float = 0.08
    min_swing_height_per_s: float = 0.15
    min_swing_s: float = 0.1
    landing_window_s: float = 0.15
    landing_fraction: float = 0.6
    heel_rise_window_s: float = 0.1

    def detect(self, prep: Any) -> pd.DataFrame:
        """Events (``event, side, frame, t_s, pass, score``) of every usable pass, sorted by time."""
        pose = prep.pose
        if not shoe_motion_available(pose):
            return pd.DataFrame(columns=list(_EVENT_COLUMNS))
        names = prep.names
        t_all = pose.t_s
        height_px = apparent_height_px(pose.xyz[:, :, :2], names)
        dt = np.r_[np.nan, np.diff(t_all)]
        rows: list[dict] = []
        for p in prep.passes:
            if not p.usable:
                continue
            toward = -1.0 if p.facing == "away_from_camera" else 1.0  # image +y = toward the camera
            for side in SIDES:
                sm = np.array([[np.nan, np.nan] if v is None else v for v in pose.meta["shoe_motion_px"][side]],
                              dtype=float)
                v_all = toward * sm[:, 1] / height_px / dt
                v = v_all[p.start : p.end]
                t = t_all[p.start : p.end]
                moving = np.nan_to_num(v, nan=0.0) >= self.still_height_per_s
                n = v.size
                step_s = float(np.median(np.diff(t))) if n > 1 else 1.0
                win = max(1, int(round(self.landing_window_s / step_s)))
                rise_win = max(1, int(round(self.heel_rise_window_s / step_s)))
                i = 0
                while i < n:
                    if not moving[i]:
                        i += 1
                        continue
                    j = i
                    while j < n and moving[j]:
                        j += 1
                    if np.nanmax(v[i:j]) >= self.min_swing_height_per_s and t[j - 1] - t[i] >= self.min_swing_s:
                        if i > 0 and np.isfinite(v[i - 1]):  # a swing already under way at the start is not an FC
                            rows.append(self._row("fc", side, p, self._lift_off(v, i, rise_win), prep))
                        if j < n:  # the shoe is still again inside the pass
                            lo = max(i, j - win)
                            vm = float(np.nanmax(v[lo:j]))
                            k = max(kk for kk in range(lo, j) if np.isfinite(v[kk]) and v[kk] >= self.landing_fraction * vm)
                            rows.append(self._row("ic", side, p, k, prep))
                    i = j
        if not rows:
            return pd.DataFrame(columns=list(_EVENT_COLUMNS))
        df = pd.DataFrame(rows, columns=list(_EVENT_COLUMNS))
        return df.sort_values("t_s", kind="stable").reset_index(drop=True)

    def _lift_off(self, v: np.ndarray, i: int, rise_win: int) -> float:
        """Lift-off (local frame index, may end in .5) for the swing run that starts at frame ``i``.

        ``v[k]`` is the shoe's motion from frame ``k - 1`` to ``k``. Seen from the front, a shoe rising about its
        toe (the heel rise: up the image, ``v <= -still``) has its toe on the floor at the start of that motion,
        and by frame ``i`` it has moved on toward the camera, off the floor. In between, the end of the rise and
        the first forward motion cancel (the toe's lift moves the shoe up the image, the swing moves it down), so
        the first frame showing the toe off the floor is one of ``a .. i``, ``a`` = the last rising frame within
        ``heel_rise_window_s`` before ``i``: the middle of that bracket is returned. Without a rising frame (a
        first step from standing; a view from behind, where the heel rise moves the shoe up the image like the
        swing) it is ``i``."""
        lo = max(0, i - rise_win)
        rising = [k for k in range(lo, i) if np.isfinite(v[k]) and v[k] <= -self.still_height_per_s]
        return 0.5 * (rising[-1] + i) if rising else float(i)

    @staticmethod
    def _row(kind: str, side: str, p: Any, x_local: float, prep: Any) -> dict:
        names = prep.names
        ks = [names.index(f"{side}_heel"), names.index(f"{side}_toe")]
        g = p.start + int(np.ceil(x_local))  # the first frame at or after the event
        win = prep.pose.score[max(p.start, g - 2) : g + 3][:, ks]
        t_all = prep.pose.t_s[p.start : p.end]
        return {
            "event": kind,
            "side": side,
            "frame": int(prep.pose.frame_index[g]),
            "t_s": float(np.interp(x_local, np.arange(t_all.size), t_all)),
            "pass": int(p.index),
            "score": float(np.clip(np.mean(win), 0.0, 1.0)) if win.size else 0.0,
        }


def _first_within(d: np.ndarray, i0: int, i1: int, tol: float) -> float | None:
    for j in range(i0, min(i1, d.size)):
        if d[j] < tol:
            if j == i0 or not np.isfinite(d[j - 1]):
                return float(j) if j > i0 else None
            a, b = d[j - 1], d[j]
            return j - 1 + float((a - tol) / (a - b))
    return None


def _last_within(d: np.ndarray, i0: int, i1: int, tol: float) -> float | None:
    i1 = min(i1, d.size)
    for j in range(i1 - 1, i0 - 1, -1):
        if d[j] < tol:
            if j == i1 - 1 or not np.isfinite(d[j + 1]):
                return float(j) if j < i1 - 1 else None
            a, b = d[j], d[j + 1]
            return j + float((tol - a) / (b - a))
    return None


# --------------------------------------------------------------------------- per-stride values
def _fc_times(events: pd.DataFrame) -> dict[str, np.ndarray]:
    """Sorted FC times (s) per side."""
    side = events["side"].to_numpy()
    is_fc = events["event"].to_numpy() == "fc"
    t = events["t_s"].to_numpy(float)
    return {s: np.sort(t[is_fc & (side == s)]) for s in SIDES}


def _stance_fc(fc_times: dict[str, np.ndarray], side: str, t_start: float, t_end: float) -> float | None:
    x = fc_times.get(side, np.empty(0))
    x = x[(x > t_start) & (x < t_end)]
    return float(x[0]) if x.size else None


def _mask(t: np.ndarray, a: float, b: float) -> np.ndarray:
    return (t >= a) & (t < b)


def _peak(x: np.ndarray, m: np.ndarray) -> float:
    v = x[m]
    v = v[np.isfinite(v)]
    return float(np.max(v)) if v.size >= 2 else np.nan


def compute_frontal(prep: Any, events: pd.DataFrame, cycles: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Frontal-plane and arm-swing values per stride.

    Parameters
    ----------
    prep
        The :class:`~gaitscope.signal.PreparedWalk`.
    events
        Its events (IC/FC per side, ``t_s``).
    cycles
        The stride table (``side``, ``start``, ``end`` as input frame indices).

    Returns
    -------
    (values, not_assessable)
        ``values``: one row per row of ``cycles`` (same index), columns :data:`FRONTAL_COLUMNS`, NaN where not
        measurable; ``not_assessable``: ``(metric, reason)`` for every column that is NaN throughout.
    """
    out = pd.DataFrame(np.nan, index=cycles.index, columns=list(FRONTAL_COLUMNS))
    reasons: dict[str, str] = {}
    names = prep.names
    t = prep.pose.t_s
    fidx = np.asarray(prep.pose.frame_index)
    lat = prep.lat_xy
    view = prep.view
    back_view = view == "frontal" and any(p.facing == "away_from_camera" for p in prep.passes if p.usable)
    X, why_x = lateral_positions(prep)

    def L(name: str) -> np.ndarray:
        return _pt(lat, names, name)

    series: dict[str, dict[str, np.ndarray]] = {s: {} for s in SIDES}
    if lat is not None:
        top_name = None
        if "left_shoulder" in names and "right_shoulder" in names:
            top = _mid(L("left_shoulder"), L("right_shoulder"))
            top_name = "shoulders"
        elif "c7" in names:
            top = L("c7")
            top_name = "c7"
        mh = _mid(L("left_hip"), L("right_hip"))
        for s in SIDES:
            o = _other(s)
            series[s]["obl"] = pelvic_obliquity_deg(L(f"{s}_hip"), L(f"{o}_hip"))
            if top_name:
                series[s]["lean"] = trunk_lean_lat_deg(mh, top, s)
            series[s]["fppa"] = knee_fppa_deg(L(f"{s}_hip"), L(f"{s}_knee"), L(f"{s}_ankle"), s)
            if back_view:
                series[s]["ever"] = rearfoot_eversion_deg(L(f"{s}_knee"), L(f"{s}_ankle"), L(f"{s}_heel"), s)
            if view == "3d":
                fl_heel = np.stack([prep.sag_xy[:, names.index(f"{s}_heel"), 0], lat[:, names.index(f"{s}_heel"), 0]], -1)
                fl_toe = np.stack([prep.sag_xy[:, names.index(f"{s}_toe"), 0], lat[:, names.index(f"{s}_toe"), 0]], -1)
                series[s]["fpa"] = foot_progression_angle_deg(fl_heel, fl_toe, s)
    if view == "frontal":
        # a 2D frontal angle from pixels is noisy and the peak of a noisy curve is biased upward: smooth with a
        # centred running mean over SMOOTH_FRONTAL_S (the stance-long peaks are far wider)
        k = max(1, int(round(SMOOTH_FRONTAL_S * prep.rate_hz)))
        for s in SIDES:
            for key in list(series[s]):
                series[s][key] = pd.Series(series[s][key]).rolling(k, center=True, min_periods=1).mean().to_numpy(float)
    if prep.view in ("sagittal", "3d", "oblique"):
        for s in SIDES:
            sh = _pt(prep.sag_xy, names, f"{s}_shoulder")
            dist = _pt(prep.sag_xy, names, f"{s}_elbow")
            if not np.isfinite(dist).any():
                dist = _pt(prep.sag_xy, names, f"{s}_wrist")
            if np.isfinite(sh).any() and np.isfinite(dist).any():
                arm = upper_arm_angle_deg(sh, dist)
                if prep.pose.frame == "image":
                    # the range of a noisy curve is biased upward; a 0.1 s running mean removes most pixel
                    # noise and keeps 98 % of a 1 Hz arm swing
                    k = max(1, int(round(0.1 * prep.rate_hz)))
                    arm = pd.Series(arm).rolling(k, center=True, min_periods=1).mean().to_numpy(float)
                series[s]["arm"] = arm

    # footprints: median lateral heel position over the middle of each stance
    fc_times = _fc_times(events)
    prints: dict[str, list[tuple[float, float, float]]] = {s: [] for s in SIDES}  # (t_ic, t_fc, x)
    if X is not None:
        for s in SIDES:
            ics = events[(events["side"] == s) & (events["event"] == "ic")]["t_s"].to_numpy(float)
            hx = X[:, names.index(f"{s}_heel")] if f"{s}_heel" in names else np.full(t.size, np.nan)
            for a in ics:
                b = _stance_fc(fc_times, s, a, a + 2.5)
                if b is None:
                    continue
                m = _mask(t, a + 0.2 * (b - a), a + 0.6 * (b - a))
                v = hx[m]
                v = v[np.isfinite(v)]
                if v.size:
                    prints[s].append((a, b, float(np.median(v))))

    metres = prep.spatial_scale == "metres"
    for i, row in cycles.iterrows():
        s = row["side"]
        o = _other(s)
        i0 = int(np.searchsorted(fidx, int(row["start"])))
        i1 = int(np.searchsorted(fidx, int(row["end"])))
        if i1 <= i0 or i0 >= t.size:
            continue
        ta, tb = float(t[i0]), float(t[min(i1, t.size - 1)])
        stride = _mask(t, ta, tb)
        tf = _stance_fc(fc_times, s, ta, tb)
        stance = _mask(t, ta, tf) if tf is not None else np.zeros_like(stride)
        ser = series[s]
        if "obl" in ser:
            if stance.any():
                out.at[i, "pelvic_drop_stance_max_deg"] = _peak(ser["obl"], stance)
            v = ser["obl"][stride]
            if np.isfinite(v).sum() >= 3:
                out.at[i, "pelvic_obliquity_mean_deg"] = float(np.nanmean(v))
                # the level this side stays below for 80 % of the stride: negative only when the
                # side is low through both stances (a leg-length sign), not for the phasic drop of
                # a Trendelenburg gait, which lasts one single stance (about 40 % of the stride)
                out.at[i, "pelvic_obliquity_persistent_deg"] = float(np.nanpercentile(v, 80))
        if "lean" in ser and stance.any():
            out.at[i, "trunk_lean_lat_stance_max_deg"] = _peak(ser["lean"], stance)
        if "fppa" in ser and stance.any():
            out.at[i, "knee_fppa_stance_max_deg"] = _peak(ser["fppa"], stance)
        if "ever" in ser and tf is not None:
            v = ser["ever"][_mask(t, ta + 0.2 * (tf - ta), ta + 0.8 * (tf - ta))]
            v = v[np.isfinite(v)]
            if v.size >= 2:
                out.at[i, "heel_eversion_deg"] = float(np.median(v))
        if "fpa" in ser and tf is not None:
            v = ser["fpa"][_mask(t, ta + 0.2 * (tf - ta), ta + 0.6 * (tf - ta))]
            v = v[np.isfinite(v)]
            if v.size:
                out.at[i, "foot_progression_deg"] = float(np.median(v))
        if "arm" in ser:
            v = ser["arm"][stride]
            v = v[np.isfinite(v)]
            if v.size >= max(3, 0.5 * stride.sum()):
                out.at[i, "arm_swing_amplitude_deg"] = float(np.max(v) - np.min(v))
        if X is not None and metres:
            tol_t = 1.5 / prep.rate_hz
            own = [fp for fp in prints[s] if abs(fp[0] - ta) < tol_t]
            prev_other = [fp for fp in prints[o] if fp[0] < ta]
            if own and prev_other:
                out.at[i, "step_width_m"] = abs(own[0][2] - prev_other[-1][2])
            if tf is not None and f"{s}_ankle" in names:
                before = own
                after = [fp for fp in prints[s] if abs(fp[0] - tb) < 0.5 * (tb - ta) and fp[0] > ta]
                swing = _mask(t, tf, tb)
                ax = X[:, names.index(f"{s}_ankle")]
                nxt = after[0] if after else None
                st0 = ax[_mask(t, before[0][0] + 0.2 * (before[0][1] - before[0][0]), tf)] if before else ax[:0]
                st1 = ax[_mask(t, nxt[0], nxt[0] + 0.6 * (nxt[1] - nxt[0]))] if nxt else ax[:0]
                # both stance ends need the ankle marker (a 3-D recording's first/last step can leave the volume)
                if swing.sum() >= 3 and np.isfinite(st0).any() and np.isfinite(st1).any():
                    # stance line: the ankle's lateral position at the end of the stance before and at the start of the next
                    a0 = float(np.nanmedian(st0))
                    a1 = float(np.nanmedian(st1))
                    ts = t[swing]
                    line = a0 + (a1 - a0) * (ts - tf) / max(tb - tf, 1e-6)
                    exc = _OUT[s] * (ax[swing] - line)
                    if np.isfinite(exc).sum() >= 3:
                        out.at[i, "circumduction_m"] = float(np.nanmax(exc))

    # reasons for whole-column gaps
    frontal_need = "needs a frontal view (video from the front or back) or 3D input; this recording is " + view
    for col in FRONTAL_COLUMNS:
        if out[col].notna().any():
            continue
        if col == "arm_swing_amplitude_deg":
            if view == "frontal":
                r = "arm swing is measured in the sagittal plane: needs a side view or 3D input"
            elif not any("arm" in series[s] for s in SIDES):
                r = "needs shoulder and elbow (or wrist) keypoints, which this input does not have"
            else:
                r = "the arms were not tracked through a whole stride"
        elif col == "heel_eversion_deg":
            if view == "3d":
                r = ("needs a video from behind: 3D heel markers sit on the back of the calcaneus, so the ankle -> heel "
                     "line does not show the rearfoot angle")
            elif view == "frontal" and not back_view:
                r = "needs a video from behind (the heel is hidden from the front)"
            elif lat is None:
                r = "needs a video from behind; this recording is " + view
            else:
                r = "heel, ankle and knee not tracked in stance"
        elif col == "foot_progression_deg":
            r = ("a transverse-plane angle: needs 3D input (markers); from one camera the foot's long axis is "
                 "foreshortened and the angle is not measured")
        elif col in ("step_width_m", "circumduction_m"):
            if lat is None:
                r = frontal_need
            elif not metres:
                r = "no body height given: lateral distances need --height-m for metres"
            elif X is None:
                r = why_x
            else:
                r = "footprints or swing phases could not be measured"
        elif lat is None:
            r = frontal_need
        elif col == "trunk_lean_lat_stance_max_deg" and "lean" not in series["left"]:
            r = "needs shoulder or C7 keypoints"
        else:
            r = "no stride with stance measured"
        reasons[col] = r
    return out, list(reasons.items())


def frontal_summary(cycles: pd.DataFrame, columns: tuple[str, ...] = FRONTAL_COLUMNS, *,
                    legs: dict[str, dict] | None = None, min_n: int = 3) -> dict[str, Any]:
    """The summary.json parameters of ``columns`` (default the frontal ones) that have values, built by the one
    parameter builder (:func:`gaitscope.metrics.summary.parameter_entry`): ``legs`` (the quality layer's near/far
    grades) marks a far leg's visibility-limited values; sides with fewer than ``min_n`` strides are not compared.
    """
    from gaitscope.knowledge.analysis_settings import analysis_setting
    from gaitscope.metrics.summary import parameter_entry, unit_of

    min_var = int(analysis_setting("min_strides_variability"))
    res: dict[str, Any] = {}
    for col in columns:
        entry = parameter_entry(cycles, col, unit=unit_of(col), legs=legs, min_var=min_var, min_compare=min_n)
        if entry is not None:
            res[col] = entry
    return res


# --------------------------------------------------------------------------- stated errors (frontal video)
def frontal_video_errors() -> dict[str, tuple[float, str, str]]:
    """``{metric: (error, unit, how it was measured)}`` from ``knowledge/frontal_video_errors.csv``: the
    measurement error of a side mean of each frontal measure from one video camera (docs/frontal.md)."""
    import io
    from importlib import resources

    text = resources.files("gaitscope.knowledge").joinpath("frontal_video_errors.csv").read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(text), comment="#")
    out = {}
    for _, r in df.iterrows():
        err = float(r["error"])
        if not np.isfinite(err) or err <= 0 or not str(r["source"]).strip():
            raise ValueError(f"frontal_video_errors.csv: row {r['metric']!r} needs a positive error and a source")
        out[str(r["metric"])] = (err, str(r["unit"]), str(r["source"]))
    return out


def rules_within_error(thresholds: Any, errors: dict[str, tuple[float, str, str]]) -> dict[str, str]:
    """``{metric: reason}`` for the frontal metrics whose rule cut-off lies within the frontal-video error
    of its normal value (such a rule cannot tell a finding from measurement error, so it is not read)."""
    out: dict[str, str] = {}
    for t in thresholds.values():
        if t.metric not in errors or "frontal" not in t.views:
            continue
        err, unit, _ = errors[t.metric]
        if abs(t.value - t.normal_ref) <= err:
            out[t.metric] = (f"not read from frontal video: the cut-off {t.value:g} {unit} lies within the measured "
                             f"frontal-video error ({err:g} {unit}) of the normal value {t.normal_ref:g} {unit} "
                             "(docs/frontal.md)")
    return out
