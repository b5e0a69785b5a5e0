"""From raw keypoints to a walk ready for event detection and metrics: :func:`prepare_walk`.

Steps, in order (each documented in ``docs/events.md``):

1. Low-confidence keypoints (score below ``min_score``) become missing.
2. Left/right leg swaps are repaired (constant-velocity Viterbi, :func:`~gaitscope.signal.clean.detect_leg_swaps`).
3. Outliers (jumps away from a running median) become missing.
4. Gaps up to ``max_gap_s`` are filled by linear interpolation.
5. Zero-lag 4th-order Butterworth low-pass (2nd order run forwards and backwards) at ``cutoff_hz``
   (6 Hz: Winter 2009 for walking kinematics; raised for running).
6. Scale: the person's standing height in the data's units from the leg segment lengths
   (thigh + shank = 0.491 of standing height: Drillis & Contini 1966 in Winter 2009, Fig. 4.1),
   so image input is expressed in metres (``height_m`` given) or in body heights.
7. View (sagittal / frontal / oblique for image input, 3d for world input), walking passes
   (travel direction, facing direction, backward walking, treadmill), gait mode (walking /
   running / not walking).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
from scipy.ndimage import uniform_filter1d

from gaitscope.knowledge.signal_settings import signal_setting
from gaitscope.signal import clean, foot_speed, footprints
from gaitscope.types import SIDES, GaitscopeError, PoseSequence

ANTHROPOMETRY_FILE = "anthropometry.csv"


@lru_cache(maxsize=1)
def height_fractions() -> dict[str, float]:
    """Segment lengths as fractions of standing height from ``knowledge/anthropometry.csv``
    (Drillis & Contini 1966 as tabulated in Winter 2009, Fig. 4.1): ``leg`` = thigh + shank
    (0.245 + 0.246 = 0.491 H) and ``foot`` (0.152 H)."""
    text = resources.files("gaitscope.knowledge").joinpath(ANTHROPOMETRY_FILE).read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(text), comment="#").set_index("quantity")
    for q in ("thigh_length", "shank_length", "foot_length"):
        if q not in df.index or not 0 < float(df.at[q, "fraction_of_height"]) < 1:
            raise ValueError(f"{ANTHROPOMETRY_FILE}: needs a fraction of height for {q}")
    return {
        "leg": float(df.at["thigh_length", "fraction_of_height"] + df.at["shank_length", "fraction_of_height"]),
        "foot": float(df.at["foot_length", "fraction_of_height"]),
    }


@dataclass(frozen=True)
class WalkingPass:
    """One straight stretch of walking (or the whole of a treadmill trial).

    ``start``, ``end``: half-open sample indices into the pose arrays.
    ``travel``: ``"+x"``/``"-x"`` (image or world x of the input), ``"treadmill"``,
    ``"toward_camera"``/``"away_from_camera"`` (frontal video).
    ``facing``: ``"+x"``/``"-x"`` or ``"toward_camera"``/``"away_from_camera"``.
    ``kind``: ``"forward"``, ``"backward"`` (travel and facing disagree) or ``"treadmill"``.
    ``usable``: False with a ``reason`` when metrics must not be computed on it.
    ``speed``: median travel speed in the units of ``PreparedWalk.sag_xy`` per second (0 on a treadmill).
    """

    index: int
    start: int
    end: int
    travel: str
    facing: str
    kind: str
    usable: bool
    reason: str = ""
    speed: float = float("nan")

    @property
    def n_frames(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class PreparedWalk:
    """A cleaned walk with its passes, view and gait mode (see ``docs/events.md``).

    ``pose``: cleaned copy of the input, same frame and units.
    ``sag_xy``: ``(n_frames, n_keypoints, 2)`` sagittal (forward, up): forward = the direction
    the person faces in the pass (+ ahead; outside passes, the nearest pass's direction), up = +,
    0 at the floor for image input. Metres when ``spatial_scale == "metres"``, else body heights.
    For frontal video the forward component is NaN (not observable).
    ``lat_xy``: ``(n_frames, n_keypoints, 2)`` frontal plane (person's right = +, up = +) or None.
    ``plane_xy``: ``(n_frames, n_keypoints, 2)`` the 2-D coordinates used for event detection
    (the sagittal plane, or the image plane scaled for frontal video).
    ``height``: the person's standing height in the units of ``sag_xy`` (1.0 when relative).
    ``up_contact``: ``(n_frames, n_keypoints)`` height (up) of every keypoint filtered at ``cutoff_contact_hz``
    instead of the walking cut-off, for 3-D (world) input only (else None): the heel marker's lowest point at
    contact is a short dip that the walking cut-off smooths away (``docs/accuracy.md``, issue 11).
    """

    pose: PoseSequence
    sag_xy: np.ndarray
    lat_xy: np.ndarray | None
    passes: tuple[WalkingPass, ...]
    view: str
    gait_mode: str
    spatial_scale: str
    filter_cutoff_hz: float
    swaps_repaired: int
    notes: tuple[str, ...] = ()
    not_assessable: tuple[tuple[str, str], ...] = ()
    plane_xy: np.ndarray | None = None
    height: float = 1.0
    rate_hz: float = float("nan")
    height_source: str = ""
    duty_factor: float = float("nan")
    meta: dict = field(default_factory=dict)
    up_contact: np.ndarray | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return self.pose.names

    def usable_passes(self) -> tuple[WalkingPass, ...]:
        return tuple(p for p in self.passes if p.usable)

    def pass_of_frame(self) -> np.ndarray:
        """``(n_frames,)`` pass index of each sample, -1 outside every pass."""
        out = np.full(self.pose.n_frames, -1, dtype=int)
        for p in self.passes:
            out[p.start : p.end] = p.index
        return out


@dataclass(frozen=True)
class PrepareSettings:
    """Settings of :func:`prepare_walk` (units in the names). Defaults, with their unit and
    source, come from ``knowledge/signal_settings.csv``; pass values to override."""

    min_score: float = field(default_factory=lambda: signal_setting("min_keypoint_score"))
    max_gap_s: float = field(default_factory=lambda: signal_setting("max_gap_s"))
    outlier_window_s: float = field(default_factory=lambda: signal_setting("outlier_window_s"))
    outlier_min_dev_height: float = field(default_factory=lambda: signal_setting("outlier_min_dev_height"))
    outlier_mad_factor: float = field(default_factory=lambda: signal_setting("outlier_mad_factor"))
    cutoff_hz: float = field(default_factory=lambda: signal_setting("cutoff_walking_hz"))
    cutoff_running_hz: float = field(default_factory=lambda: signal_setting("cutoff_running_hz"))
    cutoff_contact_hz: float = field(default_factory=lambda: signal_setting("cutoff_contact_hz"))
    swap_cost_height: float = field(default_factory=lambda: signal_setting("swap_cost_height"))
    collapse_height: float = field(default_factory=lambda: signal_setting("collapse_height"))
    max_collapse_s: float = field(default_factory=lambda: signal_setting("max_collapse_s"))
    footprint_evidence_height: float = field(default_factory=lambda: signal_setting("footprint_evidence_height"))
    footprint_same_place_height: float = field(default_factory=lambda: signal_setting("footprint_same_place_height"))
    footprint_max_break_s: float = field(default_factory=lambda: signal_setting("footprint_max_break_s"))
    min_contact_s: float = field(default_factory=lambda: signal_setting("min_stance_s"))
    moving_speed_height_per_s: float = field(default_factory=lambda: signal_setting("moving_speed_height_per_s"))
    ramp_fraction: float = field(default_factory=lambda: signal_setting("ramp_fraction"))
    min_pass_s: float = field(default_factory=lambda: signal_setting("min_pass_s"))
    travel_window_s: float = field(default_factory=lambda: signal_setting("travel_window_s"))
    min_usable_pass_s: float = field(default_factory=lambda: signal_setting("min_usable_pass_s"))
    treadmill_foot_range_height: float = field(default_factory=lambda: signal_setting("treadmill_foot_range_height"))
    min_swing_speed_height_per_s: float = field(default_factory=lambda: signal_setting("min_swing_speed_height_per_s"))
    min_swing_interval_s: float = field(default_factory=lambda: signal_setting("min_swing_interval_s"))
    ic_fraction: float = field(default_factory=lambda: signal_setting("ic_fraction"))
    fc_fraction: float = field(default_factory=lambda: signal_setting("fc_fraction"))
    running_duty_factor: float = field(default_factory=lambda: signal_setting("running_duty_factor"))
    running_flight_fraction: float = field(default_factory=lambda: signal_setting("running_flight_fraction"))
    min_flight_frames: float = field(default_factory=lambda: signal_setting("min_flight_frames"))
    min_step_fraction: float = field(default_factory=lambda: signal_setting("min_step_fraction"))




def _leg_length(xyz: np.ndarray, names: tuple[str, ...]) -> float:
    """Thigh + shank length (units of xyz): per side 90th percentile over frames, mean of sides."""
    vals = []
    for s in SIDES:
        try:
            h, k, a = (names.index(f"{s}_{p}") for p in ("hip", "knee", "ankle"))
        except ValueError:
            continue
        thigh = np.linalg.norm(xyz[:, h] - xyz[:, k], axis=1)
        shank = np.linalg.norm(xyz[:, k] - xyz[:, a], axis=1)
        leg = thigh + shank
        leg = leg[np.isfinite(leg)]
        if leg.size >= 5:
            vals.append(float(np.percentile(leg, 90)))
    return float(np.mean(vals)) if vals else float("nan")


def _foot_length(xyz: np.ndarray, names: tuple[str, ...]) -> float:
    vals = []
    for s in SIDES:
        if f"{s}_heel" in names and f"{s}_toe" in names:
            d = np.linalg.norm(xyz[:, names.index(f"{s}_heel")] - xyz[:, names.index(f"{s}_toe")], axis=1)
            d = d[np.isfinite(d)]
            if d.size >= 5:
                vals.append(float(np.percentile(d, 90)))
    return float(np.mean(vals)) if vals else float("nan")


def estimate_height(xyz: np.ndarray, names: tuple[str, ...]) -> tuple[float, str]:
    """Standing height in the units of ``xyz`` from segment lengths, and how it was obtained.

    Uses thigh + shank (0.491 H) when hips, knees and ankles are present, else heel-to-toe
    (0.152 H). Segment proportions vary between people by a few percent (SD about 3-4 %),
    which is the main error of this estimate (see ``docs/events.md``).
    """
    leg = _leg_length(xyz, names)
    if np.isfinite(leg) and leg > 0:
        f = height_fractions()["leg"]
        return leg / f, f"leg length (thigh+shank = {f:.3f} H)"
    foot = _foot_length(xyz, names)
    if np.isfinite(foot) and foot > 0:
        f = height_fractions()["foot"]
        return foot / f, f"foot length ({f:.3f} H)"
    return float("nan"), ""


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    return clean._runs(mask)


def _centre_track(xy: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Horizontal body-centre track ``(n, 2)`` (x, y of the plane): hips, else all leg points."""
    idx = [names.index(f"{s}_hip") for s in SIDES if f"{s}_hip" in names]
    if not idx:
        idx = [names.index(f"{s}_{k}") for s in SIDES for k in ("heel", "toe", "ankle") if f"{s}_{k}" in names]
    if not idx:
        return np.full((xy.shape[0], 2), np.nan)
    if len(idx) == 1:
        return xy[:, idx[0], :]
    sel = xy[:, idx, :]
    cnt = np.isfinite(sel).sum(axis=1)
    tot = np.where(np.isfinite(sel), sel, 0.0).sum(axis=1)
    return np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)


def _detect_view(xyz: np.ndarray, names: tuple[str, ...], height: float) -> tuple[str, float, float]:
    """Image input: sagittal / frontal / oblique from hip width vs foot length seen in x."""

    def med_dx(a: str, b: str) -> float:
        if a in names and b in names:
            d = np.abs(xyz[:, names.index(a), 0] - xyz[:, names.index(b), 0])
            d = d[np.isfinite(d)]
            return float(np.median(d)) / height if d.size else float("nan")
        return float("nan")

    widths = [w for w in (med_dx("left_hip", "right_hip"), med_dx("left_shoulder", "right_shoulder")) if np.isfinite(w)]
    hip_w = float(np.mean(widths)) if widths else float("nan")
    feet = [med_dx(f"{s}_heel", f"{s}_toe") for s in SIDES]
    foot_l = float(np.nanmean(feet)) if np.any(np.isfinite(feet)) else float("nan")
    if not np.isfinite(hip_w) or not np.isfinite(foot_l):
        return "sagittal", hip_w, foot_l
    if foot_l > 1.5 * hip_w:
        return "sagittal", hip_w, foot_l
    if hip_w > 2.0 * foot_l:
        return "frontal", hip_w, foot_l
    return "oblique", hip_w, foot_l


def _facing_sign(plane: np.ndarray, names: tuple[str, ...], sl: slice, height: float) -> float:
    """+1 / -1: direction of heel->toe along the plane's x in the frames ``sl``; 0 if unclear."""
    d = []
    for s in SIDES:
        if f"{s}_heel" in names and f"{s}_toe" in names:
            d.append(plane[sl, names.index(f"{s}_toe"), 0] - plane[sl, names.index(f"{s}_heel"), 0])
    if not d:
        return 0.0
    v = np.concatenate(d)
    v = v[np.isfinite(v)]
    if v.size < 5:
        return 0.0
    m = float(np.median(v))
    if abs(m) < 0.02 * height:
        return 0.0
    return float(np.sign(m))


def _segment_passes(
    centre_x: np.ndarray,
    t_s: np.ndarray,
    height: float,
    st: PrepareSettings,
) -> list[tuple[int, int, float]]:
    """Runs of steady travel along x: ``(start, end, median velocity)``; starts/stops trimmed."""
    n = centre_x.size
    if n < 5:
        return []
    v = np.gradient(centre_x, t_s)
    # average over about one stride so that the within-stride speed changes (and, for a
    # centre made of the feet only, the stops of double support) do not split a pass
    rate_hz = 1.0 / float(np.median(np.diff(t_s)))
    v = uniform_filter1d(v, size=max(1, int(round(st.travel_window_s * rate_hz))), mode="nearest")
    moving = np.isfinite(v) & (np.abs(v) > st.moving_speed_height_per_s * height)
    out = []
    for sign in (1.0, -1.0):
        for s, e in _runs(moving & (np.sign(v) == sign)):
            if t_s[e - 1] - t_s[s] < st.min_pass_s:
                continue
            vm = float(np.median(v[s:e]))
            steady = np.flatnonzero(np.abs(v[s:e]) >= st.ramp_fraction * abs(vm))
            s2, e2 = s + int(steady[0]), s + int(steady[-1]) + 1
            if t_s[e2 - 1] - t_s[s2] < st.min_pass_s:
                continue
            out.append((s2, e2, float(np.median(v[s2:e2]))))
    return sorted(out)


def _x_label(sign: float) -> str:
    return "+x" if sign > 0 else "-x"


def prepare_walk(
    pose: PoseSequence,
    *,
    height_m: float | None = None,
    settings: PrepareSettings | None = None,
) -> PreparedWalk:
    """Clean a pose sequence and describe the walk in it.

    Parameters
    ----------
    pose
        Keypoints of one person, image (px) or world (m) frame.
    height_m
        The person's standing height (m). For image input it turns pixels into metres;
        without it spatial values are in body heights (``spatial_scale="relative"``).
    settings
        Thresholds of every step (units in the names).

    Returns
    -------
    PreparedWalk
        See its docstring. Never raises for a walk that is merely unusable (too short,
        backward, not walking): that is stated in ``passes``, ``gait_mode`` and
        ``not_assessable``. Raises :class:`GaitscopeError` for input without feet.

    Notes
    -----
    ``sag_xy`` forward = the person's facing direction (+ ahead), up = + (0 at the floor for
    image input); units metres (``spatial_scale="metres"``) or standing heights.
    """
    st = settings if settings is not None else PrepareSettings()
    names = pose.names
    needed = [f"{s}_{k}" for s in SIDES for k in ("heel", "toe")]
    missing = [nm for nm in needed if nm not in names]
    if missing:
        raise GaitscopeError(
            f"{pose.source or 'input'}: the keypoints {', '.join(missing)} are missing; gait analysis "
            "needs the heel and toe of both feet (use a pose backend or marker set that has them)."
        )
    n = pose.n_frames
    notes: list[str] = []
    na: list[tuple[str, str]] = []
    world = pose.frame == "world"
    rate_hz = pose.median_rate_hz if n > 1 else float("nan")
    if n < 10 or not np.isfinite(rate_hz):
        raise GaitscopeError(
            f"{pose.source or 'input'}: only {n} samples; record at least two strides of walking."
        )
    t = pose.t_s

    # 1. confidence mask
    xyz = np.array(pose.xyz, dtype=float, copy=True)
    xyz[pose.score < st.min_score] = np.nan
    # 1a. camera motion (hand-held phone: pan, tilt, shake) measured on the background by the pose
    # stage: taken out first, so a foot standing on the floor stands still (docs/frontal.md)
    cam = (pose.meta.get("camera_motion") or {}) if not world else {}
    motion = cam.get("affine_to_frame0")
    if motion is not None and np.asarray(motion, dtype=float).shape == (n, 2, 3):
        from gaitscope.capture.camera_motion import apply_camera_motion

        xyz[:, :, :2] = apply_camera_motion(xyz[:, :, :2], np.asarray(motion, dtype=float))
        notes.append(f"camera motion removed (estimated from the background; the image moved up to "
                     f"{cam.get('max_corner_shift_px')} px)")
    if cam.get("roll_deg") is not None and pose.image_size_px is not None:
        # the phone's roll, measured on the scene's vertical edges: frontal angles need the true vertical
        from gaitscope.capture.camera_motion import apply_camera_motion, roll_matrix

        r = roll_matrix(float(cam["roll_deg"]), (0.5 * pose.image_size_px[0], 0.5 * pose.image_size_px[1]))
        xyz[:, :, :2] = apply_camera_motion(xyz[:, :, :2], np.repeat(r[None], n, axis=0))
        notes.append(f"camera roll {float(cam['roll_deg']):+.1f} deg removed (from {cam.get('roll_edges')} vertical "
                     "edges of the scene)")
    dims = 3 if world else 2  # image z is a relative depth (often NaN): lengths use x, y only
    h0, h_src = estimate_height(xyz[:, :, :dims], names)
    if not np.isfinite(h0):
        raise GaitscopeError(
            f"{pose.source or 'input'}: the feet are never visible, so nothing can be measured; film the whole body, "
            "head to feet, in view (camera still at hip height, 3-5 m away), or for a keypoint file check that its "
            "ankle and heel columns hold values")

    # 1b. collapsed feet (image input): both labels on the same foot, the other foot lost
    n_collapsed = 0
    if not world:
        collapsed = clean.collapsed_feet(xyz[:, :, :2], names, tol=st.collapse_height * h0)
        # only brief ones: a lost swinging foot; standing with the feet together looks the same
        # in a side view but lasts
        for a, b in _runs(collapsed):
            if t[min(b, n - 1)] - t[max(a - 1, 0)] > st.max_collapse_s:
                collapsed[a:b] = False
        n_collapsed = int(collapsed.sum())
        if n_collapsed:
            feet = [names.index(f"{s}_{k}") for s in SIDES for k in ("heel", "toe", "ankle") if f"{s}_{k}" in names]
            xyz[np.ix_(collapsed, feet)] = np.nan
            notes.append(f"both feet labels sat on one foot on {n_collapsed} frames (the other foot lost): "
                         "those foot samples were treated as missing")

    # 2. swap repair (on x, y: the plane every view shares)
    pairs = clean.leg_index_pairs(names)
    swaps = np.zeros(n, bool)
    if not world and pairs:
        swaps = clean.detect_leg_swaps(xyz[:, :, :2], pairs, swap_cost=st.swap_cost_height * h0)
        if swaps.any():
            xyz = clean.swap_legs(xyz, pairs, swaps)
    xyz_swapped = xyz.copy()  # masked and swap-repaired, before outliers / gaps / filter

    # 3-5. outliers, gaps, filter at the walking cut-off (raised below if the gait is running)
    win = max(3, int(round(st.outlier_window_s * rate_hz)))
    cutoff = min(st.cutoff_hz, 0.4 * rate_hz)

    def _clean(xyz_in: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, int]:
        xyz_c = xyz_in.copy()
        xy_clean, n_o = clean.reject_outliers(
            xyz_c[:, :, :dims], window=win, max_dev=st.outlier_min_dev_height * h0, mad_factor=st.outlier_mad_factor
        )
        xyz_c[~np.isfinite(xy_clean[:, :, 0])] = np.nan
        xyz_c, n_f = clean.fill_gaps(xyz_c, t, max_gap_s=st.max_gap_s)
        return xyz_c, clean.lowpass_zero_lag(xyz_c, rate_hz=rate_hz, cutoff_hz=cutoff), n_o, n_f

    xyz, xyz_f, n_out, n_fill = _clean(xyz)
    # 3-D markers: heights at the finer contact cut-off (the heel's lowest point at contact, events stage)
    up_contact = (clean.lowpass_zero_lag(xyz, rate_hz=rate_hz, cutoff_hz=min(st.cutoff_contact_hz, 0.4 * rate_hz))[:, :, 1]
                  if world else None)

    # 6. scale
    height_units, h_src = estimate_height(xyz_f[:, :, :dims], names)
    if world:
        scale = 1.0
        spatial = "metres"
        height = float(height_m) if height_m else height_units
        h_src = "given" if height_m else h_src
    else:
        if height_m:
            scale = float(height_m) / height_units
            spatial = "metres"
            height = float(height_m)
        else:
            scale = 1.0 / height_units
            spatial = "relative"
            height = 1.0
            na.append(("spatial_m", "no --height-m given: spatial values are in body heights (relative)"))
        notes.append(f"scale from {h_src}: {height_units:.0f} px = standing height")

    # plane coordinates (x, up) in output units, before per-pass flipping
    if world:
        plane, lat, view, _ = _world_planes(xyz_f, names)
    else:
        floor_px = _floor_px(xyz_f, names)
        plane = np.stack([xyz_f[:, :, 0] * scale, (floor_px - xyz_f[:, :, 1]) * scale], axis=-1)
        view, hip_w, foot_l = _detect_view(xyz_f, names, height_units)
        notes.append(f"view {view} (hip width {hip_w:.2f} H, foot length seen {foot_l:.2f} H)")
        lat = None

    # 7. passes
    passes = _find_passes(plane, xyz_f, names, t, height, view, world, st, scale)
    if not passes:
        na.append(("passes", "no straight walking pass found (the person does not walk across the view)"))

    # 2b. side-view video: a second swap repair that also knows which footprint each foot
    # stands on (footprints alternate left/right), then clean again
    if not world and pairs and view in ("sagittal", "oblique") and passes:
        evidence = _footprint_evidence(plane, names, t, passes, height, st)
        if evidence is not None and evidence.any():
            swaps2 = clean.detect_leg_swaps(
                xyz_swapped[:, :, :2], pairs, swap_cost=st.swap_cost_height * h0,
                evidence_cost=evidence * st.footprint_evidence_height * h0,
            )
            if swaps2.any():
                swaps = swaps ^ swaps2
                xyz, xyz_f, n_out, n_fill = _clean(clean.swap_legs(xyz_swapped, pairs, swaps2))
                plane = np.stack([xyz_f[:, :, 0] * scale, (floor_px - xyz_f[:, :, 1]) * scale], axis=-1)
    n_swap_runs = len(_runs(swaps))
    if n_swap_runs:
        notes.append(f"left/right leg labels were swapped by the pose model on {int(swaps.sum())} frames "
                     f"({n_swap_runs} runs) and repaired")
    if n_out:
        notes.append(f"{n_out} keypoint samples rejected as outliers")

    # sagittal coordinates: flip x per pass so forward = facing
    sag = plane.copy()
    if view == "frontal":
        sag[:, :, 0] = np.nan
        lat = np.stack([plane[:, :, 0], plane[:, :, 1]], axis=-1)
        # person's right = +: facing the camera, the person's right is on image left
        for p in passes:
            if p.facing == "toward_camera":
                lat[p.start : p.end, :, 0] *= -1.0
    else:
        sign = np.ones(n)
        for k, p in enumerate(passes):
            if p.facing in ("+x", "-x"):
                s = 1.0 if p.facing == "+x" else -1.0
                lo = 0 if k == 0 else (passes[k - 1].end + p.start) // 2
                hi = n if k == len(passes) - 1 else (p.end + passes[k + 1].start) // 2
                sign[lo:hi] = s
        sag[:, :, 0] *= sign[:, None]
        if lat is not None:
            lat[:, :, 0] *= sign[:, None]

    # gait mode from contact phases
    gait_mode, duty = _gait_mode(plane, names, t, passes, height, st, view=view)
    if gait_mode == "running":
        notes.append(
            f"running: duty factor {duty:.2f} < {st.running_duty_factor} (flight phases)"
            if np.isfinite(duty)
            else "running: both feet off the ground at once (flight phases)"
        )
        na.append(("walking_norms", "the person is running: walking norms do not apply"))
        cutoff = min(st.cutoff_running_hz, 0.4 * rate_hz)
        xyz_f = clean.lowpass_zero_lag(xyz, rate_hz=rate_hz, cutoff_hz=cutoff)
    elif gait_mode == "not_walking":
        na.append(("gait", "no walking found: the feet do not alternate in steps"))
    for p in passes:
        if not p.usable:
            na.append((f"pass {p.index}", p.reason))
    in_pass = np.zeros(n, bool)
    for p in passes:
        in_pass[p.start : p.end] = True
    if in_pass.any():
        for side in SIDES:
            foot = [names.index(f"{side}_heel"), names.index(f"{side}_toe")]
            seen = np.isfinite(xyz_f[in_pass][:, foot, 0]).all(axis=1).mean()
            if seen < 0.5:
                na.append((f"{side} foot", f"the {side} foot is visible in only {seen:.0%} of the walking frames: "
                                           "its events and parameters are not measured"))
    if view == "frontal":
        na.append(("sagittal_angles", "frontal view: sagittal joint angles and step length are not measurable"))
        na.append(("events", "frontal view: gait events (and the time parameters built on them) are not "
                             "detected reliably from the front yet; film the walk side-on"))

    cleaned = pose.with_xyz(xyz_f, score=np.where(np.isfinite(xyz_f[:, :, 0]), pose.score, 0.0))
    return PreparedWalk(
        pose=cleaned,
        sag_xy=sag,
        lat_xy=lat,
        passes=tuple(passes),
        view=view,
        gait_mode=gait_mode,
        spatial_scale=spatial,
        filter_cutoff_hz=float(cutoff),
        swaps_repaired=n_swap_runs,
        notes=tuple(notes),
        not_assessable=tuple(na),
        plane_xy=plane,
        height=float(height),
        rate_hz=float(rate_hz),
        height_source=h_src,
        duty_factor=float(duty),
        meta={"n_filled": n_fill, "n_outliers": n_out, "height_units": height_units},
        up_contact=up_contact,
    )


def _floor_px(xyz: np.ndarray, names: tuple[str, ...]) -> float:
    """Image y (px) of the floor: the 98th percentile of the lowest foot point (+y is down)."""
    idx = _names_xy_names(names, ("heel", "toe"))
    y = np.where(np.isfinite(xyz[:, idx, 1]), xyz[:, idx, 1], -np.inf)
    low = y.max(axis=1)
    low = low[np.isfinite(low)]
    return float(np.percentile(low, 98)) if low.size else 0.0


def _names_xy_names(names: tuple[str, ...], kinds: tuple[str, ...]) -> list[int]:
    return [names.index(f"{s}_{k}") for s in SIDES for k in kinds if f"{s}_{k}" in names]


def _world_planes(xyz: np.ndarray, names: tuple[str, ...]):
    """World input: sagittal plane along the main horizontal axis of travel (or of the feet).

    Returns plane (x along the axis, y up), lat (right +, up), view "3d", axis unit vector.
    """
    centre = _centre_track(xyz[:, :, [0, 2]], names)
    ok = np.all(np.isfinite(centre), axis=1)
    axis = np.array([1.0, 0.0])
    if ok.sum() > 10:
        c = centre[ok] - centre[ok].mean(axis=0)
        travel = float(np.ptp(c @ np.array([1.0, 0.0]))) + float(np.ptp(c @ np.array([0.0, 1.0])))
        if travel > 1.0:  # metres: a real walk across the room
            _, _, vt = np.linalg.svd(c, full_matrices=False)
            axis = vt[0]
    if axis[0] < 0:
        axis = -axis
    fwd = xyz[:, :, 0] * axis[0] + xyz[:, :, 2] * axis[1]
    # right-handed, +y up: right = forward x up -> (ax, 0, az) x (0, 1, 0) = (-az, 0, ax)
    right = -xyz[:, :, 0] * axis[1] + xyz[:, :, 2] * axis[0]
    plane = np.stack([fwd, xyz[:, :, 1]], axis=-1)
    lat = np.stack([right, xyz[:, :, 1]], axis=-1)
    return plane, lat, "3d", axis


def _find_passes(plane, xyz, names, t, height, view, world, st: PrepareSettings, scale) -> list[WalkingPass]:
    n = plane.shape[0]
    out: list[WalkingPass] = []
    if view == "frontal":
        return _frontal_passes(xyz, names, t, st)
    centre = _centre_track(plane, names)[:, 0]
    ok = np.isfinite(centre)
    if ok.sum() < 5:
        return []
    cx = centre.copy()
    idx = np.flatnonzero(ok)
    cx[~ok] = np.interp(np.flatnonzero(~ok), idx, centre[idx])
    runs = _segment_passes(cx, t, height, st)
    valid = np.flatnonzero(np.all(np.isfinite(plane[:, _names_xy_names(names, ("heel", "toe")), 0]), axis=1))
    if not runs and valid.size:
        # treadmill: no travel, but the feet swing about the body
        s, e = int(valid[0]), int(valid[-1]) + 1
        feet = _names_xy_names(names, ("heel",))
        rel = plane[s:e, feet, 0] - cx[s:e, None]
        amp = float(np.nanmedian(np.nanpercentile(rel, 95, axis=0) - np.nanpercentile(rel, 5, axis=0)))
        if amp > st.treadmill_foot_range_height * height and t[e - 1] - t[s] >= st.min_pass_s:
            f = _facing_sign(plane, names, slice(s, e), height)
            facing = _x_label(f) if f else "+x"
            usable = t[e - 1] - t[s] >= st.min_usable_pass_s
            out.append(WalkingPass(0, s, e, "treadmill", facing, "treadmill", usable,
                                   "" if usable else f"recording too short ({t[e-1]-t[s]:.1f} s)", 0.0))
        return out
    for k, (s, e, v) in enumerate(runs):
        travel = _x_label(v)
        f = _facing_sign(plane, names, slice(s, e), height)
        facing = _x_label(f) if f else travel
        dur = float(t[e - 1] - t[s])
        if facing != travel:
            out.append(WalkingPass(k, s, e, travel, facing, "backward", False,
                                   f"walking backwards: travels {travel} while facing {facing}; "
                                   "not analysed as forward walking", abs(v)))
        elif dur < st.min_usable_pass_s:
            out.append(WalkingPass(k, s, e, travel, facing, "forward", False,
                                   f"pass too short ({dur:.1f} s < {st.min_usable_pass_s} s)", abs(v)))
        else:
            out.append(WalkingPass(k, s, e, travel, facing, "forward", True, "", abs(v)))
    return out


def _frontal_passes(xyz, names, t, st: PrepareSettings) -> list[WalkingPass]:
    """Frontal video: one pass per stretch of steady change of the person's apparent size."""
    size = []
    for s in SIDES:
        if f"{s}_hip" in names and f"{s}_ankle" in names:
            size.append(np.abs(xyz[:, names.index(f"{s}_ankle"), 1] - xyz[:, names.index(f"{s}_hip"), 1]))
    if not size:
        return []
    stack = np.stack(size, 1)
    cnt = np.isfinite(stack).sum(axis=1)
    a = np.where(cnt > 0, np.where(np.isfinite(stack), stack, 0.0).sum(axis=1) / np.maximum(cnt, 1), np.nan)
    ok = np.isfinite(a) & (a > 0)
    if ok.sum() < 10:
        return []
    s, e = int(np.flatnonzero(ok)[0]), int(np.flatnonzero(ok)[-1]) + 1
    la = np.log(a[s:e][ok[s:e]])
    tt = t[s:e][ok[s:e]]
    slope = float(np.polyfit(tt, la, 1)[0])  # 1/s
    travel = "toward_camera" if slope > 0 else "away_from_camera"
    # facing: the person's left hip on the image right means the person faces the camera
    facing = travel
    if "left_hip" in names and "right_hip" in names:
        d = np.nanmedian(xyz[s:e, names.index("left_hip"), 0] - xyz[s:e, names.index("right_hip"), 0])
        if np.isfinite(d):
            facing = "toward_camera" if d > 0 else "away_from_camera"
    dur = float(t[e - 1] - t[s])
    if abs(slope) < 0.02:
        return [WalkingPass(0, s, e, "none", facing, "in_place", False,
                            "frontal view without travel toward or away from the camera", 0.0)]
    if facing != travel:
        return [WalkingPass(0, s, e, travel, facing, "backward", False,
                            f"walking backwards: moves {travel.replace('_', ' ')} while facing "
                            f"{facing.replace('_', ' ')}", float("nan"))]
    usable = dur >= st.min_usable_pass_s
    return [WalkingPass(0, s, e, travel, facing, "forward", usable,
                        "" if usable else f"pass too short ({dur:.1f} s)", float("nan"))]


def _footprint_evidence(plane, names, t, passes, height, st: PrepareSettings) -> np.ndarray | None:
    """``(n, 2)`` evidence against keeping (col 0) / swapping (col 1) the leg labels per frame.

    In each overground pass, footprints are found and given sides by alternation
    (:mod:`gaitscope.signal.footprints`); while footprint F of side s is in contact, the frame
    counts 1 against swapping if only label s stands on F, and 1 against keeping if only the
    other label does. Frames where both or neither label stand on F give no evidence.
    """
    n = plane.shape[0]
    ev = np.zeros((n, 2))
    tol = st.footprint_same_place_height * height
    for p in passes:
        if p.kind == "treadmill" or p.end - p.start < 5:
            continue
        sl = slice(p.start, p.end)
        tt = t[sl]
        heels = {s: plane[sl, names.index(f"{s}_heel")] for s in SIDES}
        toes = {s: plane[sl, names.index(f"{s}_toe")] for s in SIDES}
        peaks = []
        for s in SIDES:
            _, cen = foot_speed.foot_speeds(heels[s], toes[s], tt, 0.0)
            pk = foot_speed.swing_peaks(cen, tt, min_speed=st.min_swing_speed_height_per_s * height,
                                        min_interval_s=st.min_swing_interval_s)
            peaks.extend(cen[pk[(pk > 0) & (pk < tt.size - 1)]].tolist())
        if len(peaks) < 2:
            continue
        prints = footprints.find_footprints(
            heels, toes, tt, ground_vx=0.0, ref_speed=float(np.median(peaks)), ic_fraction=st.ic_fraction,
            fc_fraction=st.fc_fraction, min_contact_s=st.min_contact_s, same_place=tol,
            min_step_fraction=st.min_step_fraction, max_break_s=st.footprint_max_break_s,
        )
        if len(prints) < 3:
            continue
        sides = footprints.assign_sides(prints)
        d = np.concatenate([toes[s][:, 0] - heels[s][:, 0] for s in SIDES])
        foot_dx = float(np.nanmedian(d)) if np.isfinite(d).any() else 0.0
        for fp, side in zip(prints, sides):
            other = "right" if side == "left" else "left"
            i0, i1 = int(np.ceil(fp.ic)), int(np.floor(fp.fc)) + 1
            if i1 <= i0:
                continue

            def dist(s: str) -> np.ndarray:
                dh = np.abs(heels[s][i0:i1, 0] - fp.x)
                dt = np.abs(toes[s][i0:i1, 0] - foot_dx - fp.x)
                return np.fmin(dh, dt)

            d_same, d_other = dist(side), dist(other)
            on_same = d_same < tol
            on_other = d_other < tol
            ev[p.start + i0 : p.start + i1, 1] += (on_same & ~on_other).astype(float)
            ev[p.start + i0 : p.start + i1, 0] += (on_other & ~on_same).astype(float)
    return ev


def _flight_fraction(plane, names, t, passes, st: PrepareSettings) -> float:
    """Fraction of frames (inside passes, both feet seen) in which both feet move.

    A foot stands while the speed of its slowest point (heel or toe) is below ``fc_fraction``
    of the peak swing speed (95th percentile of the foot centres' speed over the pass), the
    same rule as the contact detector. Speeds, not heights: the far foot on the floor looks
    higher than the near one through a perspective camera. Walking always has a foot standing;
    running has flight phases. NaN with fewer than ``min_flight_frames`` frames seen.
    """
    flights, seen = 0, 0
    for p in passes:
        sl = slice(p.start, p.end)
        tt = t[sl]
        if tt.size < 5:
            continue
        slow, centre = [], []
        for side in SIDES:
            h = plane[sl, names.index(f"{side}_heel")]
            to = plane[sl, names.index(f"{side}_toe")]
            c, cen = foot_speed.foot_speeds(h, to, tt, 0.0)
            slow.append(c)
            centre.append(cen)
        cen_all = np.concatenate(centre)
        if not np.isfinite(cen_all).any():
            continue
        thr = st.fc_fraction * np.nanpercentile(cen_all, 95)
        ok = np.isfinite(slow[0]) & np.isfinite(slow[1])
        flights += int(np.sum((slow[0] > thr) & (slow[1] > thr) & ok))
        seen += int(ok.sum())
    if seen < st.min_flight_frames:
        return float("nan")
    return flights / seen


def _gait_mode(plane, names, t, passes, height, st: PrepareSettings, view: str = "sagittal") -> tuple[str, float]:
    """walking / running / not_walking, and the mean duty factor (stance / stride).

    The flight-phase fallback (too few contacts for whole strides) is not used for a frontal view:
    seen from the front or back the feet move mostly along the line of sight, so their image speed
    cannot tell a standing foot from a swinging one (a treadmill walker looked "airborne").
    """
    if not passes:
        return "not_walking", float("nan")
    duties = []
    n_contacts = 0
    for p in passes:
        sl = slice(p.start, p.end)
        tt = t[sl]
        heels = [plane[sl, names.index(f"{s}_heel")] for s in SIDES]
        toes = [plane[sl, names.index(f"{s}_toe")] for s in SIDES]
        for h, to in zip(heels, toes):
            g = foot_speed.foot_ground_velocity(h, to, tt) if p.kind == "treadmill" else 0.0
            c, cen = foot_speed.foot_speeds(h, to, tt, g)
            pk = foot_speed.swing_peaks(cen, tt, min_speed=st.min_swing_speed_height_per_s * height,
                                        min_interval_s=st.min_swing_interval_s)
            ph = foot_speed.contact_phases(c, cen, pk, ic_fraction=st.ic_fraction, fc_fraction=st.fc_fraction)
            n_contacts += sum(1 for ic, _, _ in ph if ic is not None)
            # stance = IC after peak k -> FC before peak k+1; stride = IC to next IC
            for k in range(len(ph) - 1):
                ic, fc_next, ic_next = ph[k][0], ph[k + 1][1], ph[k + 1][0]
                if ic is None or fc_next is None or ic_next is None or not ic < fc_next < ic_next:
                    continue
                duties.append((fc_next - ic) / (ic_next - ic))
    if n_contacts < 3 or not duties:
        # Too short for whole strides (a runner crosses the view in about a second): flight
        # phases, both feet off the ground at once, still tell running; walking has none.
        flight = _flight_fraction(plane, names, t, passes, st) if view != "frontal" else float("nan")
        if np.isfinite(flight) and flight >= st.running_flight_fraction:
            return "running", float("nan")
        return "not_walking", float("nan")
    duty = float(np.median(duties))
    if duty < st.running_duty_factor:
        return "running", duty
    return "walking", duty
