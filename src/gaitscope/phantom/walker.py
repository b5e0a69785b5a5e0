"""The phantom: a parametric kinematic walker with known events, angles and spatiotemporal truth.

Plainly synthetic. Joint-angle curves come from published normal gait (Schwartz et al. 2008,
``knowledge/normative_kinematics.csv``), the body from height-scaled anthropometry (Winter 2009).
The legs are driven by forward kinematics from the pelvis; the pelvis is then placed so that the
stance foot rolls without slipping (heel rocker, foot flat, forefoot rocker, toe rocker) on the
floor (y = 0).
In double support both feet are planted and the legs are solved by two-link inverse kinematics
to their footprints; the swing foot is blended into its landing point and out of its take-off
point. The reported angles are measured from the final segment directions, so they are exactly
what the keypoints show.

World frame (``docs/conventions.md``): metres, +x walking direction, +y up, +z the person's right.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter1d, maximum_filter1d

from gaitscope.knowledge.normative import speed_class_for
from gaitscope.phantom.body import Body, body_for_height
from gaitscope.phantom.curves import NormalCurves, normal_curves, push_off_advance, smoothstep, warp_phase
from gaitscope.phantom.patterns import (
    PATTERNS,
    TIMING_EDITS,
    SidePlan,
    Timing,
    resolve_pattern,
    severity_level,
)
from gaitscope.types import KEYPOINT_NAMES, SIDES, GaitscopeError, PoseSequence

SIGN = {"right": 1.0, "left": -1.0}  # +z is the person's right
FOOT_PROGRESSION_OUT_DEG = 7.0  # toe-out of the feet (Schwartz 2008 mean foot progression about -7 deg)
PELVIS_SWAY_M = 0.02  # lateral pelvis excursion each way (about 4 cm total)
# peak vertical pelvis speed when the pelvis height steps between what the stance legs allow (a
# foot landing on a much shorter leg, e.g. unilateral crouch). The body's centre rises and falls
# only a few centimetres per step in walking (Perry & Burnfield 2010), far slower than this cap;
# the cap only binds for such large steps (before it, unilateral crouch dropped the pelvis 11 cm
# in 60 ms, 2 m/s, slamming the foot down). A lower cap (0.5 m/s) kept the other knee flexed
# through its whole stance (modelling choice, docs/phantom.md)
PELVIS_VY_MAX_MPS = 1.0
SWING_CLEARANCE_M = 0.012  # the swing foot's lowest point is kept at least this high in mid-swing
BLEND_FRAC = 0.12  # fraction of the cycle over which the swing foot blends into landing / out of take-off
FLAT_DEADZONE_DEG = 2.0  # soft dead zone that makes the foot flat in mid-stance
TOE_RELAX_SWING_FRAC = 0.6  # the toes, extended at take-off, align with the foot by this fraction of swing
# toe rocker (pre-swing): over the last TOE_ROCKER_FRAC of the cycle before foot off the toes roll
# onto their tips, pitching down to TOE_ROCKER_DEG at foot off, so the metatarsal heads lift
# before the toe tips leave the floor (docs/phantom.md, "Push-off")
TOE_ROCKER_FRAC = 0.06
TOE_ROCKER_DEG = 20.0
# the joint-angle curves are advanced by this fraction of the cycle at foot off, so that peak
# plantarflexion follows foot off by about 2 % of the cycle as in adults, not by 4.8 % as in the
# subject-averaged Schwartz curves; the advance fades out by PUSH_OFF_FADE_FRAC after foot off
PUSH_OFF_ADVANCE = 0.03
PUSH_OFF_FADE_FRAC = 0.25
PUSH_OFF_RISE_FRAC = 0.09  # the advance builds up over pre-swing (other foot down, about 50 to 59 %)
PIVOT_COLUMN = {"heel": 3, "mtp": 4, "tip": 5}  # stance pivots: index into fk_rel's points
ANGLE_COLUMNS = (
    "hip_flex_deg",
    "knee_flex_deg",
    "ankle_dorsi_deg",
    "foot_angle_deg",
    "trunk_lean_fwd_deg",
    "trunk_lean_lat_deg",
    "pelvis_obliquity_deg",
    "knee_valgus_deg",
    "hip_add_deg",
    "shoulder_flex_deg",
)


@dataclass(frozen=True)
class PhantomWalk:
    """A synthetic walk and its truth.

    Attributes
    ----------
    pose
        World-frame :class:`PoseSequence` (metres) of all :data:`KEYPOINT_NAMES`.
    events
        DataFrame ``event`` (``ic``/``fc``), ``side``, ``frame`` (first sample at or after the
        event), ``t_s`` (exact event time, seconds), sorted by time.
    angles
        DataFrame, one row per frame per side: ``frame``, ``t_s``, ``side``, ``in_stance``,
        ``gait_cycle_pct`` and the angles of :data:`ANGLE_COLUMNS` (definitions in
        ``docs/phantom.md``).
    truth
        Spatiotemporal truth (``cadence_spm``, ``stride_time_s``, ``step_time_s``, ``stance_pct``,
        ``step_length_m``, ``stride_length_m``, ``speed_mps``, ``step_width_m`` ...; per-side values
        as ``{"left": .., "right": ..}``) and the injected pattern values under ``"pattern"``.
    params
        The parameters the walk was made with (JSON-friendly).
    toe_tips
        ``{"left": (n, 3), "right": (n, 3)}`` world position (m) of the tips of the toes, which
        are not keypoints: in pre-swing they are the foot's last contact with the floor (toe
        rocker), so together with the heel and toe keypoints they show floor contact.
    """

    pose: PoseSequence
    events: pd.DataFrame
    angles: pd.DataFrame
    truth: dict
    params: Mapping[str, Any] = field(default_factory=dict)
    toe_tips: Mapping[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class WalkParams:
    height_m: float
    speed_mps: float
    cadence_spm: float
    duration_s: float
    rate_hz: float
    pattern: str | None
    severity: str
    side: str
    seed: int
    step_width_m: float
    arm_swing_deg: float | tuple[float, float]
    trunk_lean_fwd_deg: float
    variability: float
    speed_class: str


# --------------------------------------------------------------------------- public entry
def simulate(
    *,
    height_m: float = 1.70,
    speed_mps: float | None = None,
    cadence_spm: float | None = None,
    duration_s: float = 8.0,
    rate_hz: float = 100.0,
    pattern: str | list[str] | tuple[str, ...] | None = None,
    severity: str = "moderate",
    side: str = "right",
    seed: int = 0,
    step_width_m: float = 0.10,
    arm_swing_deg: float | tuple[float, float] = 30.0,
    trunk_lean_fwd_deg: float = 3.0,
    variability: float = 0.02,
    speed_class: str | None = None,
) -> PhantomWalk:
    """Simulate a straight walk along +x with known truth.

    Parameters
    ----------
    height_m
        Standing height (m); all segment lengths scale with it.
    speed_mps, cadence_spm
        Walking speed (m/s) and cadence (steps/min) of the *unaffected* walker. Default: the
        normative "Free" dimensionless speed (0.43 sqrt(g leg length)) and 112 steps/min. The hip
        excursion is scaled so that the normal walker reaches this speed; an injected pattern may
        then change the real speed (the truth reports what happened).
    duration_s, rate_hz
        Length and sampling rate of the output.
    pattern, severity, side
        Injected abnormality (see :data:`gaitscope.phantom.patterns.PATTERNS`); several can be
        combined as a list or ``"name1+name2"`` (same severity and side). Severity ``"mild"``,
        ``"moderate"`` or ``"severe"``, and the affected side (``"both"`` for crouch and
        reduced_arm_swing). For ``leg_length_difference`` the side is the short leg.
    seed
        Seed of the stride-to-stride variability; the same seed gives the same walk.
    step_width_m, arm_swing_deg, trunk_lean_fwd_deg
        Mean step width (m), peak-to-peak shoulder flexion of the arm swing (deg; one value or
        ``(left, right)``), mean forward trunk lean (deg).
    variability
        Coefficient of variation of stride time (0.02 = 2 %); foot placement and amplitude vary with it.
    speed_class
        Normative curves to start from; default: the class nearest the dimensionless speed.

    Returns
    -------
    PhantomWalk
    """
    names = _pattern_list(pattern)
    pattern = "+".join(names) if names else None
    level = severity_level(severity)
    if side not in ("left", "right", "both"):
        raise GaitscopeError(f"unknown side {side!r}; choose left, right (or both for crouch / reduced_arm_swing)")
    for nm in names:
        if side == "both" and not PATTERNS[nm][1]:
            raise GaitscopeError(f"pattern {nm!r} needs side left or right, not both")
    if not 0.5 <= duration_s <= 600:
        raise GaitscopeError(f"duration_s must be between 0.5 and 600 s, got {duration_s}")
    if not 10 <= rate_hz <= 2000:
        raise GaitscopeError(f"rate_hz must be between 10 and 2000 Hz, got {rate_hz}")
    body = body_for_height(height_m)
    if speed_mps is None:
        speed_mps = round(0.429 * np.sqrt(9.81 * body.leg_length_m), 2)
    if cadence_spm is None:
        cadence_spm = 112.0
    if not (0.2 <= speed_mps <= 2.5 and 40 <= cadence_spm <= 160):
        raise GaitscopeError(f"speed {speed_mps} m/s or cadence {cadence_spm} steps/min is not walking")
    sc = speed_class or speed_class_for(speed_mps, body.leg_length_m)
    params = WalkParams(
        height_m=float(height_m),
        speed_mps=float(speed_mps),
        cadence_spm=float(cadence_spm),
        duration_s=float(duration_s),
        rate_hz=float(rate_hz),
        pattern=pattern,
        severity=severity,
        side=side,
        seed=int(seed),
        step_width_m=float(step_width_m),
        arm_swing_deg=tuple(map(float, arm_swing_deg)) if isinstance(arm_swing_deg, (tuple, list)) else float(arm_swing_deg),
        trunk_lean_fwd_deg=float(trunk_lean_fwd_deg),
        variability=float(variability),
        speed_class=sc,
    )
    curves = normal_curves(sc)
    amp = _calibrate_amplitude(params, body, curves)
    walk = _build(params, body, curves, amp, level=level)
    return walk


def _pattern_list(pattern) -> list[str]:
    if pattern is None:
        return []
    raw = pattern.split("+") if isinstance(pattern, str) else list(pattern)
    out = [resolve_pattern(p.strip()) for p in raw]
    return [p for p in out if p is not None]


# --------------------------------------------------------------------------- calibration
def _calibrate_amplitude(params: WalkParams, body: Body, curves: NormalCurves) -> float:
    """Thigh-excursion factor that gives the normal walker the requested stride length."""
    target = 2 * params.speed_mps * 60.0 / params.cadence_spm
    calib = WalkParams(**{**asdict(params), "pattern": None, "variability": 0.0, "duration_s": 4 * 120.0 / params.cadence_spm})
    ks = [0.9, 1.15]
    lens = [_build(calib, body, curves, k, level=0, truth_only=True)["stride_length_m"] for k in ks]
    for _ in range(4):
        k_new = ks[-1] + (target - lens[-1]) * (ks[-1] - ks[-2]) / (lens[-1] - lens[-2])
        k_new = float(np.clip(k_new, 0.4, 1.8))
        ks.append(k_new)
        lens.append(_build(calib, body, curves, k_new, level=0, truth_only=True)["stride_length_m"])
        if abs(lens[-1] - target) < 0.002:
            break
    return ks[-1]


# --------------------------------------------------------------------------- schedule
@dataclass
class _Schedule:
    ic: dict[str, np.ndarray]  # initial-contact times per side (s), covering before 0 .. after the end
    stance_frac: dict[str, float]
    amp: dict[str, np.ndarray]  # per-stride thigh amplitude factor
    foot_z: dict[str, np.ndarray]  # per-stride footprint z (m)
    timing_truth: dict = field(default_factory=dict)


def _schedule(params: WalkParams, curves: NormalCurves, rng: np.random.Generator, timing: Timing) -> _Schedule:
    T = 120.0 / params.cadence_spm
    n_str = int(np.ceil(params.duration_s / T)) + 4
    cv = params.variability
    T_k = T * (1 + cv * rng.standard_normal(n_str))
    start = -T * (1.0 + rng.uniform(0.1, 0.9))
    ic_r = start + np.concatenate([[0.0], np.cumsum(T_k)])
    ic_l = ic_r[:-1] + timing.left_ic_offset * T_k
    amp = {s: 1 + 0.5 * cv * rng.standard_normal(len(ic_r)) for s in SIDES}
    z_sd = 0.5 * cv  # 1 cm at 2 % variability
    foot_z = {s: SIGN[s] * params.step_width_m / 2 + z_sd * rng.standard_normal(len(ic_r)) for s in SIDES}
    return _Schedule(ic={"right": ic_r, "left": ic_l}, stance_frac=dict(timing.stance_frac), amp=amp, foot_z=foot_z)


def _phase(t: np.ndarray, ic: np.ndarray):
    k = np.searchsorted(ic, t, side="right") - 1
    if np.any(k < 0) or np.any(k >= len(ic) - 1):
        raise RuntimeError("schedule does not cover the time span")
    p = (t - ic[k]) / (ic[k + 1] - ic[k])
    return k, p


# --------------------------------------------------------------------------- geometry helpers
def _seg(theta_deg, beta_deg, length, side_sign):
    """Segment vector: sagittal angle theta (+ distal forward), out-of-plane beta (+ medial)."""
    th, be = np.radians(theta_deg), np.radians(beta_deg)
    return np.stack(
        [length * np.sin(th) * np.cos(be), -length * np.cos(th) * np.cos(be), -side_sign * length * np.sin(be)],
        axis=-1,
    )


def _foot_points(ankle, phi_deg, psi_out_deg, mtp_ext_deg, body: Body, side_sign):
    """Heel, metatarsal heads and toe tip from the ankle.

    ``phi``: rearfoot pitch (+ toes up); ``psi``: toe-out; ``mtp_ext``: toe extension at the
    metatarsal heads (the toes stay flat on the floor while the heel rises).
    """
    ph, ps = np.radians(phi_deg), np.radians(psi_out_deg)
    ly = -body.ankle_height_m

    def place(x1, y1):
        return ankle + np.stack([x1 * np.cos(ps), y1, side_sign * x1 * np.sin(ps)], axis=-1)

    out = {}
    for name, lx in (("heel", -body.heel_behind_ankle_m), ("mtp", body.mtp_ahead_of_ankle_m)):
        out[name] = place(lx * np.cos(ph) - ly * np.sin(ph), lx * np.sin(ph) + ly * np.cos(ph))
    tp = ph + np.radians(mtp_ext_deg)
    mx = body.mtp_ahead_of_ankle_m * np.cos(ph) - ly * np.sin(ph)
    my = body.mtp_ahead_of_ankle_m * np.sin(ph) + ly * np.cos(ph)
    out["toe"] = place(mx + body.toe_length_m * np.cos(tp), my + body.toe_length_m * np.sin(tp))
    return out


def _pelvis_height(h: np.ndarray, t: np.ndarray, tau_s0: float = 0.06, jump_m: float = 0.002) -> np.ndarray:
    """Pelvis height that never exceeds what the stance legs ask for (``h``) and has no jumps.

    ``h`` jumps down when a foot lands lower than the trailing leg holds the pelvis (then the
    pelvis starts to descend ``tau_s`` earlier) and up when the lower leg leaves the floor (then it
    rises over ``tau_s`` afterwards). ``tau_s`` is ``tau_s0`` (s), longer for a large step so the
    vertical speed stays below :data:`PELVIS_VY_MAX_MPS`. Elsewhere the pelvis follows ``h`` exactly.
    """
    h = np.asarray(h, dtype=float).copy()
    if not np.isfinite(h).all():  # frames with no stance foot (not expected in walking)
        good = np.isfinite(h)
        h = np.interp(t, t[good], h[good])
    out = h.copy()
    dh = np.diff(h)
    for j in np.flatnonzero(np.abs(dh) > jump_m) + 1:
        d = dh[j - 1]
        # a large step (one leg much shorter, e.g. unilateral crouch) is spread over a longer
        # time so the pelvis never moves faster than PELVIS_VY_MAX_MPS vertically
        tau_s = max(tau_s0, 1.5 * abs(d) / PELVIS_VY_MAX_MPS)
        if d < 0:  # drop at j: descend beforehand
            m = (t < t[j]) & (t >= t[j] - tau_s)
            out[m] += d * smoothstep((t[m] - (t[j] - tau_s)) / tau_s)
        else:  # rise at j: stay low and rise afterwards
            m = (t >= t[j]) & (t < t[j] + tau_s)
            out[m] -= d * (1 - smoothstep((t[m] - t[j]) / tau_s))
    return np.minimum(out, h)


def _soft_deadzone(x, d):
    return x - d * np.tanh(x / d)


def _frontal_beta(c, L_t, L_s, dt_deg, ds_deg):
    """Common out-of-plane angle beta so that L_t sin(beta+dt) + L_s sin(beta+ds) = c (deg)."""
    dt, ds = np.radians(dt_deg), np.radians(ds_deg)
    A = L_t * np.cos(dt) + L_s * np.cos(ds)
    B = L_t * np.sin(dt) + L_s * np.sin(ds)
    R = np.hypot(A, B)
    return np.degrees(np.arcsin(np.clip(c / R, -1, 1)) - np.arctan2(B, A))


# --------------------------------------------------------------------------- the build
@dataclass
class _Walk:
    """Working state of one build, filled stage by stage (see :func:`_build`)."""

    params: Any = None
    body: Any = None
    curves: Any = None
    amp_k: Any = None
    level: Any = None
    rate: Any = None
    n: Any = None
    t: Any = None
    s_curve: Any = None
    sch: Any = None
    timing: Any = None
    pattern_truth: Any = None
    names: Any = None
    thigh_raw: Any = None
    pgrid: Any = None
    thigh_mean: Any = None
    plans: Any = None
    info: Any = None
    shank_len: Any = None
    rho: Any = None
    omega: Any = None
    z_pelvis: Any = None
    lam_lat: Any = None
    lam_fwd: Any = None
    hip_off: Any = None
    leg: Any = None
    rel: Any = None
    P: Any = None
    pivot_name: Any = None
    pivot_x: Any = None
    win: Any = None
    theta_t_f: Any = None
    theta_s_f: Any = None
    xyz: Any = None
    toe_tips: Any = None
    shoulder_flex: Any = None

    def fk_rel(self, s, theta_t, theta_s, idx=slice(None)):
        """Leg points relative to the pelvis centre: hip, knee, ankle, heel, metatarsal heads, toe tip."""
        L = self.leg[s]
        hip = self.hip_off[s][idx]
        knee = hip + _seg(theta_t, L["beta_t"][idx], self.body.thigh_m, SIGN[s])
        ankle = knee + _seg(theta_s, L["beta_s"][idx], self.shank_len[s], SIGN[s])
        feet = _foot_points(ankle, L["phi"][idx], L["psi"][idx], L["mtp_ext"][idx], self.body, SIGN[s])
        return hip, knee, ankle, feet["heel"], feet["mtp"], feet["toe"]


def _build(params: WalkParams, body: Body, curves: NormalCurves, amp_k: float, *, level: int, truth_only: bool = False):
    """Simulate one walk: plan the joint angles, place the pelvis, solve the legs, measure the truth."""
    rate = params.rate_hz
    n = int(round(params.duration_s * rate))
    w = _Walk(params=params, body=body, curves=curves, amp_k=amp_k, level=level, rate=rate, n=n,
              t=np.arange(n) / rate, s_curve=curves.foot_off_pct / 100.0)
    _plan_angles(w)
    _pelvis_frame(w)
    _leg_setup(w)
    w.rel = {s: w.fk_rel(s, w.leg[s]["theta_t"], w.leg[s]["theta_s"]) for s in SIDES}
    _place_pelvis(w)
    _solve_legs(w)
    _keypoints(w)
    events = _event_table(w)
    truth = _spatiotemporal_truth(w)
    if truth_only:
        return {"stride_length_m": truth["stride_length_m_all"]}
    angles = _angle_table(w)
    truth["per_side"] = _discrete_truth(angles)
    truth["diagnostics"] = {
        "ik_residual_m": max(w.leg[s]["ik_residual_m"] for s in SIDES),
        "swing_lift_max_m": {s: w.leg[s]["lift_max_m"] for s in SIDES},
        "swing_lift_where_swing_frac": {s: w.leg[s]["lift_argmax_u"] for s in SIDES},
        "min_swing_mtp_height_m": {s: w.leg[s]["min_swing_foot_y_m"] for s in SIDES},
        "thigh_amplitude_factor": amp_k,
        "speed_class": params.speed_class,
    }
    names = tuple(KEYPOINT_NAMES)
    arr = np.stack([w.xyz[nm] for nm in names], axis=1)
    pose = PoseSequence(
        xyz=arr,
        score=np.ones(arr.shape[:2]),
        names=names,
        t_s=w.t,
        frame="world",
        source="phantom (synthetic)",
        meta={
            "synthetic": True,
            "generator": "gaitscope.phantom.simulate",
            "rate_hz": rate,
            "height_m": params.height_m,
            "pattern": params.pattern,
            "severity": params.severity if params.pattern else None,
            "side": params.side if params.pattern else None,
            "seed": params.seed,
        },
    )
    return PhantomWalk(pose=pose, events=events, angles=angles, truth=truth, params=asdict(params), toe_tips=w.toe_tips)


def _plan_angles(w: _Walk) -> None:
    """Stride schedule and per-side joint-angle plan from the normal curves, with the patterns applied."""
    params = w.params
    body = w.body
    curves = w.curves
    amp_k = w.amp_k
    level = w.level
    n = w.n
    t = w.t
    s_curve = w.s_curve
    rng = np.random.default_rng(params.seed)
    timing = Timing(stance_frac={"left": s_curve, "right": s_curve}, left_ic_offset=0.5)
    pattern_truth: dict = {}
    names = _pattern_list(params.pattern)
    for nm in names:
        if nm in TIMING_EDITS:
            pattern_truth.setdefault(nm, {}).update(TIMING_EDITS[nm](timing, params.side, level))
    sch = _schedule(params, curves, rng, timing)

    # ---- per-side plan from the normal curves
    thigh_raw = lambda pc: curves.hip_flex(pc) - curves.pelvis_tilt(pc)  # noqa: E731  thigh vs vertical
    pgrid = np.linspace(0, 1, 201)
    thigh_mean = float(np.mean(thigh_raw(pgrid)))
    plans: dict[str, SidePlan] = {}
    info: dict[str, dict] = {}
    for s in SIDES:
        k, p = _phase(t, sch.ic[s])
        sf = sch.stance_frac[s]
        # push-off retimed: the curves run PUSH_OFF_ADVANCE of the cycle ahead at foot off, from
        # pre-swing (the other foot's contact, about 50 %) to mid swing (docs/phantom.md, "Push-off")
        pc = warp_phase(p, sf, s_curve) + PUSH_OFF_ADVANCE * push_off_advance(p, sf, PUSH_OFF_RISE_FRAC, PUSH_OFF_FADE_FRAC)
        stance = p < sf
        a = sch.amp[s][k] * amp_k
        plans[s] = SidePlan(
            p=p,
            stance=stance,
            u_stance=np.where(stance, p / sf, np.nan),
            u_swing=np.where(stance, np.nan, (p - sf) / (1 - sf)),
            thigh=thigh_mean + a * (thigh_raw(pc) - thigh_mean),
            knee=curves.knee_flex(pc).copy(),
            ankle=curves.ankle_dorsi(pc).copy(),
            obliquity=np.zeros(n),
            trunk_lat=np.zeros(n),
            trunk_fwd=np.zeros(n),
            valgus=np.zeros(n),
            circumduction_m=np.zeros(n),
        )
        info[s] = {"k": k, "p": p, "pc": pc}
    ds_frac = min(sch.stance_frac.values()) - 0.5 + 0.5 * abs(timing.left_ic_offset - 0.5)
    for nm in names:
        pattern_truth.setdefault(nm, {}).update(PATTERNS[nm][0](plans, params.side, level, max(ds_frac, 0.02)))
    shank_len = {s: body.shank_m for s in SIDES}
    lld = pattern_truth.get("leg_length_difference")
    if lld:
        shank_len[params.side] -= lld["short_leg_m"]

    w.sch = sch
    w.timing = timing
    w.pattern_truth = pattern_truth
    w.names = names
    w.thigh_raw = thigh_raw
    w.pgrid = pgrid
    w.thigh_mean = thigh_mean
    w.plans = plans
    w.info = info
    w.shank_len = shank_len


def _pelvis_frame(w: _Walk) -> None:
    """Pelvis rotation and obliquity, lateral sway, trunk leans and hip-joint-centre offsets."""
    params = w.params
    body = w.body
    curves = w.curves
    plans = w.plans
    info = w.info
    pattern_truth = w.pattern_truth
    lld = pattern_truth.get("leg_length_difference")
    # ---- pelvis orientation, sway and trunk
    pR, pL = info["right"]["pc"], info["left"]["pc"]
    rho = 0.5 * (curves.pelvis_rotation(pR) - curves.pelvis_rotation(pL))  # + right hip forward
    omega = 0.5 * (curves.pelvis_obliquity(pR) - curves.pelvis_obliquity(pL))  # + right side up
    omega = omega + plans["right"].obliquity - plans["left"].obliquity
    if lld:
        # the pelvis tilts down toward the short leg (both feet on the floor in standing)
        tilt = np.degrees(np.arcsin(lld["short_leg_m"] / body.hip_width_m))
        omega = omega - SIGN[params.side] * tilt
        lld["pelvic_obliquity_offset_deg"] = round(float(tilt), 3)
    sway_phase = 2 * np.pi * (info["right"]["p"] - 0.05)
    z_pelvis = PELVIS_SWAY_M * np.sin(sway_phase)
    lam_lat = 1.0 * np.sin(sway_phase) + plans["right"].trunk_lat - plans["left"].trunk_lat  # + toward right
    lam_fwd = params.trunk_lean_fwd_deg + 1.0 * np.cos(4 * np.pi * info["right"]["p"]) + plans["right"].trunk_fwd + plans["left"].trunk_fwd
    hip_off = {}
    for s in SIDES:
        r, o = np.radians(rho), np.radians(omega)
        hip_off[s] = SIGN[s] * 0.5 * body.hip_width_m * np.stack([np.sin(r) * np.cos(o), np.sin(o), np.cos(r) * np.cos(o)], axis=-1)

    w.rho = rho
    w.omega = omega
    w.z_pelvis = z_pelvis
    w.lam_lat = lam_lat
    w.lam_fwd = lam_fwd
    w.hip_off = hip_off


def _leg_setup(w: _Walk) -> None:
    """Per leg: foot pitch, toe extension, footprint z and the frontal (out-of-plane) leg angles."""
    body = w.body
    n = w.n
    sch = w.sch
    plans = w.plans
    info = w.info
    shank_len = w.shank_len
    z_pelvis = w.z_pelvis
    hip_off = w.hip_off
    # ---- foot targets in z, frontal leg angle, foot pitch
    leg = {}
    for s in SIDES:
        sp, k, p = plans[s], info[s]["k"], info[s]["p"]
        sf = sch.stance_frac[s]
        fz = sch.foot_z[s]
        u_sw = np.where(sp.stance, 0.0, (p - sf) / (1 - sf))
        theta_s = sp.thigh - sp.knee
        phi = _soft_deadzone(theta_s + sp.ankle, FLAT_DEADZONE_DEG)
        if sp.foot_ic_pitch is not None:
            # blend the foot pitch to the forced contact pitch around each initial contact
            # separate corrections for the approach (last swing frame) and the stance side of each
            # contact, because a pattern may change the ankle plan across the contact
            first = np.flatnonzero(sp.stance & ~np.r_[False, sp.stance[:-1]])
            d_st = np.full(len(sch.ic[s]) + 1, np.nan)
            d_sw = np.full(len(sch.ic[s]) + 1, np.nan)
            d_st[k[first]] = sp.foot_ic_pitch - phi[first]
            before = first[first > 0]
            d_sw[k[before]] = sp.foot_ic_pitch - phi[before - 1]
            d_near = np.where(sp.stance, d_st[k], d_sw[k + 1])
            fill_st = np.nanmean(d_st) if np.isfinite(d_st).any() else 0.0
            fill_sw = np.nanmean(d_sw) if np.isfinite(d_sw).any() else fill_st
            d_near = np.where(np.isnan(d_near), np.where(sp.stance, fill_st, fill_sw), d_near)
            env = np.where(sp.stance, 1 - smoothstep(p / (0.2 * sf)), smoothstep((u_sw - 0.55) / 0.45))
            phi = phi + d_near * env
        # in stance the pivot (heel or metatarsal heads) keeps its z: with toe-out the ankle moves
        # sideways as the foot pitches; fz is the ankle z when the foot is flat
        psi = np.full(n, FOOT_PROGRESSION_OUT_DEG)
        ph = np.radians(phi)
        ly = -body.ankle_height_m
        lx = np.where(phi > 0, -body.heel_behind_ankle_m, body.mtp_ahead_of_ankle_m)
        x1 = lx * np.cos(ph) - ly * np.sin(ph)
        pivot_shift = SIGN[s] * (x1 - lx) * np.sin(np.radians(psi))
        z_target = np.where(
            sp.stance, fz[k] - pivot_shift, fz[k] + (fz[k + 1] - fz[k]) * smoothstep(u_sw)
        ) + SIGN[s] * sp.circumduction_m
        hip_z = z_pelvis + hip_off[s][:, 2]
        c = -SIGN[s] * (z_target - hip_z)  # medial distance ankle below hip
        beta = _frontal_beta(c, body.thigh_m, shank_len[s], sp.valgus / 2, -sp.valgus / 2)
        # toes stay flat on the floor while the heel is up in stance; after take-off they stay
        # extended and align with the foot by TOE_RELAX_SWING_FRAC of swing
        # toe rocker: the toe segment pitches down about its tip (alpha, deg) in late stance, at most
        # as far as the rearfoot pitches down (the toes never flex below the foot line)
        q = np.where(sp.stance, np.clip((p - (sf - TOE_ROCKER_FRAC)) / TOE_ROCKER_FRAC, 0.0, 1.0), 0.0)
        alpha = np.minimum(TOE_ROCKER_DEG * q**2, np.maximum(0.0, -phi))
        ext_fc = np.maximum(0.0, -phi - TOE_ROCKER_DEG)  # the extension left at foot off
        mtp_ext = np.where(sp.stance, np.maximum(0.0, -phi) - alpha,
                           ext_fc * (1 - smoothstep(u_sw / TOE_RELAX_SWING_FRAC)))
        # a foot that lands pitched down (forefoot first) lands with its toes flat
        late = np.where(sp.stance, 0.0, np.maximum(0.0, -phi) * smoothstep((u_sw - 0.7) / 0.3))
        mtp_ext = np.maximum(mtp_ext, late)
        leg[s] = {
            "mtp_ext": mtp_ext,
            "toe_rocker_deg": alpha,
            "beta_t": beta + sp.valgus / 2,
            "beta_s": beta - sp.valgus / 2,
            "theta_t": sp.thigh.copy(),
            "theta_s": theta_s,
            "phi": phi,
            "psi": psi,
            "z_target": z_target,
        }

    w.leg = leg


def _place_pelvis(w: _Walk) -> None:
    """Pass 1: pelvis progression from the planted stance feet, pelvis height from the stance legs."""
    n = w.n
    t = w.t
    sch = w.sch
    plans = w.plans
    info = w.info
    leg = w.leg
    rel = w.rel
    z_pelvis = w.z_pelvis
    # ---- pass 1: pelvis progression and height from the planted stance feet
    P = np.zeros((n, 3))
    P[:, 2] = z_pelvis
    pivot_name = {s: np.full(n, "", dtype=object) for s in SIDES}
    pivot_x = {s: np.full(n, np.nan) for s in SIDES}
    planted: dict[str, tuple[str, float] | None] = {s: None for s in SIDES}
    stance_start = {s: sch.ic[s][info[s]["k"]] for s in SIDES}
    stance_end = {s: sch.ic[s][info[s]["k"]] + sch.stance_frac[s] * (sch.ic[s][info[s]["k"] + 1] - sch.ic[s][info[s]["k"]]) for s in SIDES}
    prev_P = None
    prev_v = np.zeros(2)
    h_min = np.full(n, np.inf)  # lowest pelvis height any stance leg asks for
    for i in range(n):
        on = [s for s in SIDES if plans[s].stance[i]]
        on.sort(key=lambda s: stance_start[s][i])  # trailing (earlier contact) first
        est = {}
        for s in on:
            pv = "heel" if leg[s]["phi"][i] > 0 else ("tip" if leg[s]["toe_rocker_deg"][i] > 0 else "mtp")
            r_pv = rel[s][PIVOT_COLUMN[pv]][i]
            if planted[s] is None or (i > 0 and not plans[s].stance[i - 1]):
                # landing: the contact point lands where the forward kinematics put it
                base = est[on[0]] if (est and on[0] != s) else (prev_P[:2] + prev_v if prev_P is not None else np.array([0.0, -r_pv[1]]))
                planted[s] = (pv, base[0] + r_pv[0])
            elif planted[s][0] != pv:
                old_name, old_x = planted[s]
                r_old = rel[s][PIVOT_COLUMN[old_name]][i]
                planted[s] = (pv, old_x + (r_pv[0] - r_old[0]))
            est[s] = np.array([planted[s][1] - r_pv[0], -r_pv[1]])
            h_min[i] = min(h_min[i], -r_pv[1])
            pivot_name[s][i] = pv
            pivot_x[s][i] = planted[s][1]
        for s in SIDES:
            if not plans[s].stance[i]:
                planted[s] = None
        if len(on) == 2:
            trail, lead = on
            span = stance_end[trail][i] - stance_start[lead][i]
            wt = smoothstep((t[i] - stance_start[lead][i]) / span) if span > 0 else 1.0
            xy = (1 - wt) * est[trail] + wt * est[lead]
        elif len(on) == 1:
            xy = est[on[0]]
        else:  # flight (not expected in walking): keep moving
            xy = prev_P[:2] + prev_v if prev_P is not None else np.zeros(2)
        if prev_P is not None:
            prev_v = xy - prev_P[:2]
        P[i, :2] = xy
        prev_P = P[i].copy()
    # pelvis height: a smooth lower envelope of what the stance legs ask for, so every stance leg
    # can reach its footprint (the IK below flexes a leg that is "too long")
    P[:, 1] = _pelvis_height(h_min, t)
    w.P = P
    w.pivot_name = pivot_name
    w.pivot_x = pivot_x


def _solve_legs(w: _Walk) -> None:
    """Pass 2: two-link IK so stance feet stay on their footprints and swing feet blend and clear."""
    body = w.body
    n = w.n
    t = w.t
    rate = w.rate
    sch = w.sch
    plans = w.plans
    info = w.info
    leg = w.leg
    rel = w.rel
    P = w.P
    pivot_name = w.pivot_name
    pivot_x = w.pivot_x
    hip_off = w.hip_off
    shank_len = w.shank_len
    win = int(0.16 * rate) | 1  # smoothing window (frames) of the swing-clearance lift
    # ---- pass 2: corrections so stance feet stay on their footprints and swing feet blend in/out
    theta_t_f, theta_s_f = {}, {}
    for s in SIDES:
        L = leg[s]
        sp = plans[s]
        hip_w = P + hip_off[s]
        ankle_fk = P + rel[s][2]
        target = ankle_fk.copy()
        st = sp.stance
        # stance: ankle placed so the pivot sits on its footprint (y = 0)
        for pv, col in PIVOT_COLUMN.items():
            m = st & (pivot_name[s] == pv)
            foot_vec = rel[s][col][m] - rel[s][2][m]  # pivot relative to ankle
            target[m, 0] = pivot_x[s][m] - foot_vec[:, 0]
            target[m, 1] = 0.0 - foot_vec[:, 1]
        corr = target - ankle_fk
        corr[~st] = 0.0
        # swing: blend the correction out after take-off and in before landing
        k = info[s]["k"]
        p = info[s]["p"]
        sf = sch.stance_frac[s]
        T_k = sch.ic[s][k + 1] - sch.ic[s][k]
        blend_s = BLEND_FRAC
        idx_fc = np.flatnonzero(st[:-1] & ~st[1:])  # last stance frame before each take-off
        idx_ic = np.flatnonzero(~st[:-1] & st[1:]) + 1  # first stance frame of each landing
        sw_corr = np.zeros((n, 3))
        for j in idx_fc:
            c0 = corr[j]
            tt = (t[j + 1 :] - t[j]) / (blend_s * T_k[j])
            m = (tt < 1) & ~st[j + 1 :]
            seg = np.arange(j + 1, n)[m]
            sw_corr[seg] += np.outer(1 - smoothstep(tt[m]), c0)
        for j in idx_ic:
            c1 = corr[j]
            tt = (t[j] - t[:j]) / (blend_s * T_k[j - 1])
            m = (tt < 1) & ~st[:j]
            seg = np.arange(0, j)[m]
            sw_corr[seg] += np.outer(1 - smoothstep(tt[m]), c1)
        target = np.where(st[:, None], target, ankle_fk + sw_corr)
        # swing clearance: lift the ankle where the lowest foot point would come too close to the floor
        # lowest foot point (heel, metatarsal heads, toe tip); a scuffing foot lets its toe tip
        # brush the floor (the toes bend up, see below): only heel and metatarsal heads count
        pts = (3, 4) if sp.scuff else (3, 4, 5)
        low = target[:, 1] + np.min([rel[s][c][:, 1] - rel[s][2][:, 1] for c in pts], axis=0)
        u_sw = np.where(st, -1.0, (p - sf) / (1 - sf))
        # required clearance: rises from 0 at take-off (the foot must leave the floor), then stays
        # at SWING_CLEARANCE_M through mid-swing; a scuffing (stiff-knee) foot may brush the
        # floor from 15 to 40 % of swing (the toes bend up instead)
        req = np.where(u_sw < 0.15, SWING_CLEARANCE_M * np.clip(u_sw, 0, None) / 0.15, SWING_CLEARANCE_M)
        req = np.where(u_sw > 0.7, SWING_CLEARANCE_M * (1 - u_sw) / 0.3, req)  # come down to land
        if sp.scuff:  # the forefoot may skim the floor in early swing (toe drag)
            req = np.where((u_sw > 0.05) & (u_sw < 0.35), 0.0005, np.minimum(req, 0.004))
        active = (u_sw > 0) & (u_sw < 1)
        need = np.where(active, np.maximum(req - low, 0.0), 0.0)
        lift = gaussian_filter1d(maximum_filter1d(need, size=win, mode="nearest"), sigma=win / 6.0, mode="nearest")
        # the smoothed lift fades out at take-off and landing (the exact need is always honoured)
        lift = np.where(st, 0.0, np.maximum(lift * smoothstep(u_sw / 0.12) * smoothstep((1 - u_sw) / 0.12), need))
        target[:, 1] += lift
        # two-link IK in the sagittal plane (projected segment lengths)
        a = body.thigh_m * np.cos(np.radians(L["beta_t"]))
        b = shank_len[s] * np.cos(np.radians(L["beta_s"]))
        dx = target[:, 0] - hip_w[:, 0]
        dy = target[:, 1] - hip_w[:, 1]
        d = np.clip(np.hypot(dx, dy), np.abs(a - b) + 1e-9, a + b - 1e-9)
        gamma = np.degrees(np.arctan2(dx, -dy))
        alpha = np.degrees(np.arccos(np.clip((a**2 + d**2 - b**2) / (2 * a * d), -1, 1)))
        th_t = gamma + alpha
        knee_xy = np.stack([a * np.sin(np.radians(th_t)), -a * np.cos(np.radians(th_t))], axis=-1)
        th_s = np.degrees(np.arctan2(dx - knee_xy[:, 0], -(dy - knee_xy[:, 1])))
        theta_t_f[s], theta_s_f[s] = th_t, th_s
        # in early and mid swing the foot follows the shank (the ankle angle is kept when the IK moved
        # the shank); near take-off and in the approach to landing the planned foot pitch is kept, so
        # contacts stay where pass 1 put them and the clearance check stays valid
        w_sw = np.where(st | sp.scuff, 0.0, smoothstep(u_sw / 0.1) * smoothstep((0.75 - u_sw) / 0.15))
        L["phi"] = L["phi"] + w_sw * (th_s - L["theta_s"])
        resid = np.abs(np.hypot(dx, dy) - d)
        leg[s]["ik_residual_m"] = float(np.max(resid))
        leg[s]["ik_residual_frame"] = int(np.argmax(resid))
        leg[s]["lift_max_m"] = float(lift.max())
        leg[s]["lift_argmax_u"] = float(u_sw[int(np.argmax(lift))])

    w.theta_t_f = theta_t_f
    w.theta_s_f = theta_s_f


def _keypoints(w: _Walk) -> None:
    """World keypoints of legs, trunk, arms and head."""
    params = w.params
    body = w.body
    n = w.n
    plans = w.plans
    leg = w.leg
    P = w.P
    rho = w.rho
    lam_fwd = w.lam_fwd
    lam_lat = w.lam_lat
    thigh_raw = w.thigh_raw
    pgrid = w.pgrid
    thigh_mean = w.thigh_mean
    theta_t_f = w.theta_t_f
    theta_s_f = w.theta_s_f
    fk_rel = w.fk_rel
    # ---- final keypoints; a swing toe that would go through the floor bends up at the metatarsals
    xyz = {}
    toe_tips = {}
    for s in SIDES:
        L = leg[s]
        _, _, _, _, mtp, toe = fk_rel(s, theta_t_f[s], theta_s_f[s])
        mtp_y = P[:, 1] + mtp[:, 1]
        toe_y = P[:, 1] + toe[:, 1]
        m = (~plans[s].stance) & (toe_y < 0)
        if m.any():
            need_deg = np.degrees(np.arcsin(np.clip(-mtp_y[m] / body.toe_length_m, -1, 1))) - L["phi"][m]
            L["mtp_ext"][m] = np.maximum(L["mtp_ext"][m], need_deg)
        L["min_swing_foot_y_m"] = float(np.min(np.where(plans[s].stance, np.inf, mtp_y)))

        # the "toe" keypoint is the sole under the metatarsal heads (below the 2nd-metatarsal marker
        # of lab sets); the toe tips are not keypoints but carry the last contact (toe rocker)
        hip, knee, ankle, heel, mtp, toe_tip = fk_rel(s, theta_t_f[s], theta_s_f[s])
        for name, arr in (("hip", hip), ("knee", knee), ("ankle", ankle), ("heel", heel), ("toe", mtp)):
            xyz[f"{s}_{name}"] = P + arr
        toe_tips[s] = P + toe_tip
    up = np.stack([np.tan(np.radians(lam_fwd)), np.ones(n), np.tan(np.radians(lam_lat))], axis=-1)
    up /= np.linalg.norm(up, axis=1, keepdims=True)
    mid_sh = P + body.trunk_m * up
    fwd = np.array([1.0, 0.0, 0.0]) - up[:, :1] * up  # forward, orthogonal to the trunk axis
    fwd /= np.linalg.norm(fwd, axis=1, keepdims=True)
    right = np.cross(fwd, up)
    thorax_yaw = np.radians(-0.8 * rho)  # shoulders counter-rotate against the pelvis
    sh_axis = np.cos(thorax_yaw)[:, None] * right + np.sin(thorax_yaw)[:, None] * fwd
    shoulder_flex = {}
    for s in SIDES:
        sh = mid_sh + SIGN[s] * 0.5 * body.shoulder_width_m * sh_axis
        xyz[f"{s}_shoulder"] = sh
        sp = plans[s]
        thigh_amp = 0.5 * (np.max(thigh_raw(pgrid)) - np.min(thigh_raw(pgrid)))
        swing_deg = params.arm_swing_deg[SIDES.index(s)] if isinstance(params.arm_swing_deg, tuple) else params.arm_swing_deg
        gam = -0.5 * swing_deg * sp.arm_scale * (theta_t_f[s] - thigh_mean) / thigh_amp
        elbow_flex = 20.0 + 10.0 * np.clip(gam / 15.0, -1, 1)
        upper = _seg(gam, -8.0 * np.ones(n), body.upper_arm_m, SIGN[s])  # arms slightly abducted
        fore = _seg(gam + elbow_flex, -4.0 * np.ones(n), body.forearm_m, SIGN[s])
        xyz[f"{s}_elbow"] = sh + upper
        xyz[f"{s}_wrist"] = sh + upper + fore
        shoulder_flex[s] = gam
    head_up = up.copy()
    xyz["c7"] = mid_sh + body.c7_above_shoulder_m * head_up - body.c7_behind_shoulder_m * fwd
    ear_mid = mid_sh + body.ear_above_shoulder_m * head_up
    for s in SIDES:
        xyz[f"{s}_ear"] = ear_mid + SIGN[s] * 0.5 * body.ear_width_m * right
        xyz[f"{s}_eye"] = (
            ear_mid
            + body.eye_ahead_of_ear_m * fwd
            + (body.eye_above_shoulder_m - body.ear_above_shoulder_m) * head_up
            + SIGN[s] * 0.5 * body.eye_width_m * right
        )
    xyz["nose"] = ear_mid + body.nose_ahead_of_ear_m * fwd + (body.nose_above_shoulder_m - body.ear_above_shoulder_m) * head_up

    w.xyz = xyz
    w.toe_tips = toe_tips
    w.shoulder_flex = shoulder_flex


def _event_table(w: _Walk) -> pd.DataFrame:
    """Truth events: ``ic``/``fc`` per side inside the recording."""
    t = w.t
    rate = w.rate
    sch = w.sch
    # ---- truth: events
    t_end = t[-1]
    ev_rows = []
    for s in SIDES:
        ic = sch.ic[s]
        T_all = np.diff(ic)
        fc = ic[:-1] + sch.stance_frac[s] * T_all
        for name, times in (("ic", ic), ("fc", fc)):
            for te in times:
                if 0 < te <= t_end:
                    ev_rows.append((name, s, int(np.ceil(te * rate - 1e-9)), float(te)))
    events = pd.DataFrame(ev_rows, columns=["event", "side", "frame", "t_s"]).sort_values("t_s").reset_index(drop=True)

    return events


def _spatiotemporal_truth(w: _Walk) -> dict:
    """Spatiotemporal truth from the schedule and the footprints (heel at 30 % of stance)."""
    params = w.params
    t = w.t
    rate = w.rate
    sch = w.sch
    xyz = w.xyz
    names = w.names
    pattern_truth = w.pattern_truth
    t_end = t[-1]
    # ---- truth: spatiotemporal (footprints: heel position at 30 % of each stance)
    foot_print = {}
    for s in SIDES:
        ic = sch.ic[s]
        rows = []
        for j in range(len(ic) - 1):
            t_fp = ic[j] + 0.3 * sch.stance_frac[s] * (ic[j + 1] - ic[j])
            if ic[j] >= 0 and t_fp <= t_end:
                i = int(round(t_fp * rate))
                rows.append((ic[j], xyz[f"{s}_heel"][i, 0], xyz[f"{s}_heel"][i, 2]))
        foot_print[s] = np.array(rows).reshape(-1, 3)
    all_fp = sorted([(r[0], s, r[1], r[2]) for s in SIDES for r in foot_print[s]])
    step_len = {s: [] for s in SIDES}
    step_time = {s: [] for s in SIDES}
    step_w = []
    for prev, cur in zip(all_fp[:-1], all_fp[1:]):
        if prev[1] != cur[1]:
            step_len[cur[1]].append(cur[2] - prev[2])
            step_time[cur[1]].append(cur[0] - prev[0])
            step_w.append(abs(cur[3] - prev[3]))
    stride_len = {s: np.diff(foot_print[s][:, 1]) for s in SIDES}
    stride_time = {s: np.diff(foot_print[s][:, 0]) for s in SIDES}
    mean = lambda v: float(np.mean(v)) if len(v) else float("nan")  # noqa: E731
    st_all = np.concatenate([stride_time[s] for s in SIDES])
    sl_all = np.concatenate([stride_len[s] for s in SIDES])
    truth = {
        "synthetic": True,
        "stride_time_s": {s: mean(stride_time[s]) for s in SIDES},
        "stride_length_m": {s: mean(stride_len[s]) for s in SIDES},
        "step_time_s": {s: mean(step_time[s]) for s in SIDES},
        "step_length_m": {s: mean(step_len[s]) for s in SIDES},
        "stance_pct": {s: 100 * sch.stance_frac[s] for s in SIDES},
        "swing_pct": {s: 100 * (1 - sch.stance_frac[s]) for s in SIDES},
        "cadence_spm": 120.0 / mean(st_all) if len(st_all) else float("nan"),
        "speed_mps": mean(sl_all) / mean(st_all) if len(st_all) else float("nan"),
        "step_width_m": mean(step_w),
        "pattern": {
            "name": params.pattern,
            "names": names,
            "severity": params.severity if names else None,
            "side": params.side if names else None,
            "injected": pattern_truth,
        },
        "definitions": {
            "step_length_m": "x distance from the previous contralateral footprint to this footprint (heel position at 30 % of stance)",
            "step_time_s": "time from the previous contralateral initial contact to this initial contact",
            "stride_length_m": "x distance between successive footprints of the same foot",
            "step_width_m": "z distance between successive left and right footprints",
        },
    }
    truth["stride_length_m_all"] = mean(sl_all)
    return truth


def _angle_table(w: _Walk) -> pd.DataFrame:
    """Truth angles per frame per side, from the final segment directions (definitions: docs/phantom.md)."""
    n = w.n
    t = w.t
    leg = w.leg
    plans = w.plans
    info = w.info
    theta_t_f = w.theta_t_f
    theta_s_f = w.theta_s_f
    lam_fwd = w.lam_fwd
    lam_lat = w.lam_lat
    omega = w.omega
    shoulder_flex = w.shoulder_flex
    # ---- truth: angles per frame per side (measured from the final segment directions)
    ang_rows = []
    for s in SIDES:
        L = leg[s]
        # foot line = heel -> toe keypoint (metatarsal heads), sagittal projection: the toe-out
        # shortens its projected length
        ph, ps = np.radians(L["phi"]), np.radians(L["psi"])
        foot_angle = np.degrees(np.arctan2(np.sin(ph), np.cos(ph) * np.cos(ps)))
        ankle_dorsi = foot_angle - theta_s_f[s]
        hip_flex = theta_t_f[s] + lam_fwd
        knee_flex = theta_t_f[s] - theta_s_f[s]
        a_t = np.degrees(np.arctan(np.tan(np.radians(L["beta_t"])) / np.cos(np.radians(theta_t_f[s]))))
        a_s = np.degrees(np.arctan(np.tan(np.radians(L["beta_s"])) / np.cos(np.radians(theta_s_f[s]))))
        obl = SIGN[s] * omega
        lat = SIGN[s] * np.degrees(np.arctan(np.tan(np.radians(lam_lat)) / np.cos(np.radians(lam_fwd))))
        df = pd.DataFrame(
            {
                "frame": np.arange(n),
                "t_s": t,
                "side": s,
                "in_stance": plans[s].stance,
                "gait_cycle_pct": 100 * info[s]["p"],
                "hip_flex_deg": hip_flex,
                "knee_flex_deg": knee_flex,
                "ankle_dorsi_deg": ankle_dorsi,
                "foot_angle_deg": foot_angle,
                "trunk_lean_fwd_deg": lam_fwd,
                "trunk_lean_lat_deg": lat,
                "pelvis_obliquity_deg": obl,
                "knee_valgus_deg": a_t - a_s,
                "hip_add_deg": a_t + obl,
                "shoulder_flex_deg": shoulder_flex[s],
            }
        )
        ang_rows.append(df)
    angles = pd.concat(ang_rows, ignore_index=True).sort_values(["frame", "side"]).reset_index(drop=True)
    return angles


def _discrete_truth(angles: pd.DataFrame) -> dict:
    """Per-side discrete values of the truth angles: per stride (IC to IC), then the mean over strides.

    Only complete strides inside the recording count. Names follow ``docs/outputs.md`` where one exists.
    """
    out = {}
    for s, g in angles.groupby("side"):
        g = g.sort_values("frame")
        new = np.r_[False, np.diff(g["gait_cycle_pct"].to_numpy()) < 0]
        sid = np.cumsum(new)
        rows = []
        for k in range(1, sid.max()):  # drop the partial first and last strides
            c = g[sid == k]
            st, sw = c[c["in_stance"]], c[~c["in_stance"]]
            if st.empty or sw.empty:
                continue
            rows.append(
                {
                    "knee_flex_swing_max_deg": sw["knee_flex_deg"].max(),
                    "knee_flex_stance_min_deg": st["knee_flex_deg"].min(),
                    "knee_flex_ic_deg": c["knee_flex_deg"].iloc[0],
                    "hip_flex_swing_max_deg": sw["hip_flex_deg"].max(),
                    "hip_flex_stance_min_deg": st["hip_flex_deg"].min(),
                    "ankle_dorsi_swing_max_deg": sw["ankle_dorsi_deg"].max(),
                    "ankle_dorsi_ic_deg": c["ankle_dorsi_deg"].iloc[0],
                    "ankle_plantar_pushoff_max_deg": -c["ankle_dorsi_deg"].min(),
                    "foot_angle_ic_deg": c["foot_angle_deg"].iloc[0],
                    "pelvic_drop_stance_max_deg": st["pelvis_obliquity_deg"].max(),
                    "pelvic_obliquity_mean_deg": c["pelvis_obliquity_deg"].mean(),
                    "pelvic_obliquity_persistent_deg": float(np.percentile(c["pelvis_obliquity_deg"], 80)),
                    "trunk_lean_lat_stance_max_deg": st["trunk_lean_lat_deg"].max(),
                    "trunk_lean_fwd_mean_deg": c["trunk_lean_fwd_deg"].mean(),
                    "knee_fppa_stance_max_deg": st["knee_valgus_deg"].max(),
                    "arm_swing_amplitude_deg": c["shoulder_flex_deg"].max() - c["shoulder_flex_deg"].min(),
                }
            )
        df = pd.DataFrame(rows)
        out[s] = {k: float(v) for k, v in df.mean().items()} if len(df) else {}
        out[s]["n_strides"] = len(df)
    return out
