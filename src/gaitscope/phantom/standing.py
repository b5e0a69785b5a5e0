"""Quiet standing with set postural asymmetries (known answers for the posture screen).

Plainly synthetic. The body is the phantom's height-scaled model. Asymmetries are applied as a
clinician would describe them and the exact values are stored in ``pose.meta["truth"]``.
"""

from __future__ import annotations

import numpy as np

from gaitscope.phantom.body import body_for_height
from gaitscope.types import KEYPOINT_NAMES, SIDES, GaitscopeError, PoseSequence

SIGN = {"right": 1.0, "left": -1.0}


def standing(
    *,
    height_m: float = 1.70,
    shoulder_drop_deg: float = 0.0,
    pelvic_drop_deg: float = 0.0,
    trunk_shift_m: float = 0.0,
    forward_head_m: float = 0.0,
    knee_valgus_deg: float | tuple[float, float] = 0.0,
    stance_width_m: float | None = None,
    foot_turnout_deg: float = 7.0,
    sway_m: float = 0.004,
    duration_s: float = 3.0,
    rate_hz: float = 30.0,
    seed: int = 0,
) -> PoseSequence:
    """A few seconds of quiet standing, facing +x, in the world frame (metres).

    Parameters
    ----------
    height_m
        Standing height (m).
    shoulder_drop_deg
        Tilt of the shoulder line, degrees; + = the right shoulder lower, - = the left lower.
    pelvic_drop_deg
        Tilt of the hip-joint-centre line, degrees; + = right side lower, - = left lower. Made by a
        shorter leg on the low side (the usual cause), so both feet stay on the floor and the knees
        stay straight.
    trunk_shift_m
        Lateral shift of the mid-shoulders relative to the mid-hips, m; + = toward the right.
        The trunk leans laterally by ``atan(shift / trunk length)``.
    forward_head_m
        Extra forward position of the ears (and whole head) relative to the shoulders, m; + = forward.
        At 0 the ears are vertically above the shoulder keypoints.
    knee_valgus_deg
        Knee frontal-plane projection angle (hip-knee-ankle), + = valgus (knee medial); one value for
        both knees or ``(left, right)``.
    stance_width_m
        Distance between the ankle centres, m (default: the hip-joint-centre distance).
    foot_turnout_deg
        Toe-out of each foot, degrees.
    sway_m, duration_s, rate_hz, seed
        Amplitude of the slow, seeded postural sway (m), length (s), sampling rate (Hz), seed.

    Returns
    -------
    PoseSequence
        ``frame="world"``; ``meta["truth"]`` holds the set values and the angles they produce.
    """
    if not 0.2 <= duration_s <= 120 or not 1 <= rate_hz <= 1000:
        raise GaitscopeError("standing: duration_s must be 0.2..120 s and rate_hz 1..1000 Hz")
    body = body_for_height(height_m)
    rng = np.random.default_rng(seed)
    n = max(int(round(duration_s * rate_hz)), 1)
    t = np.arange(n) / rate_hz
    valgus = {"left": 0.0, "right": 0.0}
    if isinstance(knee_valgus_deg, tuple):
        valgus["left"], valgus["right"] = map(float, knee_valgus_deg)
    else:
        valgus["left"] = valgus["right"] = float(knee_valgus_deg)
    width = body.hip_width_m if stance_width_m is None else float(stance_width_m)

    # slow sway: sum of two sines with seeded phases, whole body about the ankles
    ph = rng.uniform(0, 2 * np.pi, 4)
    sway_x = sway_m * (0.7 * np.sin(2 * np.pi * 0.2 * t + ph[0]) + 0.3 * np.sin(2 * np.pi * 0.45 * t + ph[1]))
    sway_z = 0.6 * sway_m * (0.7 * np.sin(2 * np.pi * 0.17 * t + ph[2]) + 0.3 * np.sin(2 * np.pi * 0.4 * t + ph[3]))

    # legs: ankles fixed, hip joint centres above; the low side's leg is shorter
    drop = np.radians(pelvic_drop_deg)
    hip_dy = 0.5 * body.hip_width_m * np.sin(drop)  # right side lower by 2*hip_dy
    hip_dz = 0.5 * body.hip_width_m * np.cos(drop)
    pelvis_y = body.leg_length_m
    xyz: dict[str, np.ndarray] = {}
    ones = np.ones(n)
    for s in SIDES:
        ankle = np.stack([0.0 * ones, body.ankle_height_m * ones, SIGN[s] * width / 2 * ones], axis=-1)
        hip = np.stack([sway_x, pelvis_y - SIGN[s] * hip_dy + 0 * t, sway_z + SIGN[s] * hip_dz], axis=-1)
        # knee placed so the hip-knee-ankle frontal angle is the requested valgus, lengths kept
        knee = _knee_between(hip, ankle, body.thigh_m, valgus[s], SIGN[s])
        ps = np.radians(foot_turnout_deg)
        heel = ankle + np.array([-body.heel_behind_ankle_m * np.cos(ps), -body.ankle_height_m, -SIGN[s] * body.heel_behind_ankle_m * np.sin(ps)])
        # "toe" = forefoot at the metatarsal heads, as in the walker
        toe = ankle + np.array([body.mtp_ahead_of_ankle_m * np.cos(ps), -body.ankle_height_m, SIGN[s] * body.mtp_ahead_of_ankle_m * np.sin(ps)])
        xyz.update({f"{s}_hip": hip, f"{s}_knee": knee, f"{s}_ankle": ankle, f"{s}_heel": heel, f"{s}_toe": toe})
    mid_hip = 0.5 * (xyz["left_hip"] + xyz["right_hip"])
    # trunk: lateral lean toward the shift
    if abs(trunk_shift_m) > 0.5 * body.trunk_m:
        raise GaitscopeError(f"standing: trunk_shift_m {trunk_shift_m} m is implausible for a trunk of {body.trunk_m:.2f} m")
    lat = np.arcsin(trunk_shift_m / body.trunk_m)
    up = np.array([0.0, np.cos(lat), np.sin(lat)])
    mid_sh = mid_hip + body.trunk_m * up
    sd = np.radians(shoulder_drop_deg)
    half = 0.5 * body.shoulder_width_m
    for s in SIDES:
        sh = mid_sh + SIGN[s] * half * np.array([0.0, -np.sin(sd), np.cos(sd)])
        xyz[f"{s}_shoulder"] = sh
        elbow = sh + np.array([0.0, -body.upper_arm_m * np.cos(np.radians(6)), SIGN[s] * body.upper_arm_m * np.sin(np.radians(6))])
        xyz[f"{s}_elbow"] = elbow
        xyz[f"{s}_wrist"] = elbow + np.array([0.02, -body.forearm_m, SIGN[s] * 0.01])
    head_up = np.array([0.0, 1.0, 0.0])
    fwd = np.array([1.0, 0.0, 0.0])
    right = np.array([0.0, 0.0, 1.0])
    ear_mid = mid_sh + body.ear_above_shoulder_m * head_up + forward_head_m * fwd
    xyz["c7"] = mid_sh + body.c7_above_shoulder_m * head_up - body.c7_behind_shoulder_m * fwd
    for s in SIDES:
        xyz[f"{s}_ear"] = ear_mid + SIGN[s] * 0.5 * body.ear_width_m * right
        xyz[f"{s}_eye"] = (
            ear_mid + body.eye_ahead_of_ear_m * fwd + (body.eye_above_shoulder_m - body.ear_above_shoulder_m) * head_up
            + SIGN[s] * 0.5 * body.eye_width_m * right
        )
    xyz["nose"] = ear_mid + body.nose_ahead_of_ear_m * fwd + (body.nose_above_shoulder_m - body.ear_above_shoulder_m) * head_up
    names = tuple(KEYPOINT_NAMES)
    arr = np.stack([np.broadcast_to(xyz[nm], (n, 3)) for nm in names], axis=1).astype(float)
    truth = {
        "synthetic": True,
        "height_m": float(height_m),
        "shoulder_drop_deg": float(shoulder_drop_deg),
        "pelvic_drop_deg": float(pelvic_drop_deg),
        "trunk_shift_m": float(trunk_shift_m),
        "trunk_lean_lat_deg": float(np.degrees(lat)),
        "forward_head_m": float(forward_head_m),
        "knee_valgus_deg": {s: _fppa_deg(xyz[f"{s}_hip"][0], xyz[f"{s}_knee"][0], xyz[f"{s}_ankle"][0], SIGN[s]) for s in SIDES},
        "short_leg": None if pelvic_drop_deg == 0 else ("right" if pelvic_drop_deg > 0 else "left"),
        "leg_length_difference_m": float(2 * abs(hip_dy)),
        "sign_conventions": {
            "shoulder_drop_deg": "+ right shoulder lower",
            "pelvic_drop_deg": "+ right side of the pelvis lower",
            "trunk_shift_m": "+ shoulders shifted to the right of the pelvis",
            "forward_head_m": "+ ears ahead of the shoulders",
            "knee_valgus_deg": "+ valgus (knee medial of the hip-ankle line), frontal projection",
        },
    }
    return PoseSequence(
        xyz=arr,
        score=np.ones(arr.shape[:2]),
        names=names,
        t_s=t,
        frame="world",
        source="phantom standing (synthetic)",
        meta={"synthetic": True, "generator": "gaitscope.phantom.standing", "rate_hz": rate_hz, "truth": truth},
    )


def _knee_between(hip: np.ndarray, ankle: np.ndarray, thigh_m: float, valgus_deg: float, side_sign: float) -> np.ndarray:
    """Knee on the thigh-length sphere around the hip so that the frontal hip-knee-ankle angle is the valgus.

    In the frontal (z-y) plane the knee is displaced medially from the hip-ankle line so that the
    angle between (hip - knee) and (ankle - knee) is 180 - valgus; the thigh keeps its length
    (the shank absorbs the small length change; in quiet standing it stays within 1 mm at 10 deg).
    """
    d = ankle - hip
    length = np.linalg.norm(d, axis=1, keepdims=True)
    u = d / length
    medial = np.array([0.0, 0.0, -side_sign])
    perp = medial - (u @ medial)[:, None] * u
    perp /= np.linalg.norm(perp, axis=1, keepdims=True)
    # split the bend so that thigh and shank are symmetric about the perpendicular offset
    half = np.radians(valgus_deg) / 2
    along = thigh_m * np.cos(half)
    off = thigh_m * np.sin(half)
    return hip + along * u + off * perp


def _fppa_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, side_sign: float) -> float:
    """Frontal-plane projection angle at the knee (z-y plane), + valgus (knee medial)."""
    a = np.array([hip[2] - knee[2], hip[1] - knee[1]])
    b = np.array([ankle[2] - knee[2], ankle[1] - knee[1]])
    ang = np.degrees(np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b), -1, 1)))
    # medial = toward the midline: the knee's z is closer to 0 than the hip-ankle line
    line_z = hip[2] + (ankle[2] - hip[2]) * (knee[1] - hip[1]) / (ankle[1] - hip[1])
    sign = 1.0 if side_sign * (knee[2] - line_z) < 0 else -1.0
    return float(sign * (180.0 - ang))
