"""Static posture measures from the keypoints of one standing view (pure functions).

Every measure is an angle in degrees and, when the person's height is given, a distance in cm.
Each carries a stated error: the assumed 2D landmark error (``keypoint_sigma`` in
``knowledge/posture_thresholds.csv``, a fraction of stature) propagated through the measure by its
numerical gradient. Zero and sign of every measure are given in :data:`MEASURE_DOCS` (and
``docs/posture.md``). The image is assumed level (camera not rolled) and the camera at roughly the
person's mid height, looking square at the plane of the view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from gaitscope.knowledge.posture import PostureKnowledge
from gaitscope.posture.keypoints import StillKeypoints, facing_sign, person_right_sign, stature_px

#: Zero and sign of each measure (written into posture.json).
MEASURE_DOCS: dict[str, str] = {
    "head_tilt": "ear line against horizontal; 0 = level; + = right ear lower (head tilted to the right)",
    "shoulder_height_difference": "shoulder line against horizontal; 0 = level; + = right shoulder lower",
    "pelvic_obliquity": "hip-landmark line (hip joint centres, a proxy of the iliac crests) against horizontal; "
    "0 = level; + = right hip lower",
    "knee_height_difference": "knee line against horizontal; 0 = level; + = right knee lower",
    "trunk_shift": "mid-shoulder over mid-hip, angle from vertical; 0 = shoulders centred over the pelvis; "
    "+ = shoulders shifted to the person's right",
    "weight_shift": "estimated body centre of mass over the centre of the base of support (ankles), angle from "
    "vertical at the ankles; 0 = centred; + = toward the person's right",
    "knee_frontal_alignment": "180 deg minus the hip-knee-ankle angle in the frontal image; 0 = straight; "
    "+ = valgus (knee medial to the hip-ankle line), - = varus",
    "foot_turn_out": "foot axis (heel to toe) against straight ahead, from the toe's sideways offset over an "
    "assumed foot length; 0 = straight; + = turned out",
    "cva": "craniovertebral angle: line C7 -> ear against horizontal; larger = head more upright; "
    "C7 estimated from the shoulder landmark on photos (proxy)",
    "head_forward": "ear ahead of the shoulder landmark, angle from vertical at the shoulder; 0 = ear over the "
    "shoulder (Kendall plumb alignment); + = ear ahead",
    "shoulder_ahead_of_plumb": "shoulder landmark ahead of the plumb line through the ankle, angle from vertical "
    "at the ankle; + = ahead",
    "hip_ahead_of_plumb": "hip landmark ahead of the plumb line through the ankle (pelvis sway), angle from "
    "vertical at the ankle; + = ahead, - = behind",
    "trunk_lean": "shoulder landmark over the hip landmark, angle from vertical; + = trunk forward of the pelvis, "
    "- = upper trunk behind the pelvis (sway-back sign)",
    "knee_sagittal": "180 deg minus the hip-knee-ankle angle in the side image; 0 = straight; + = flexion "
    "(knee ahead of the hip-ankle line), - = hyperextension",
}


@dataclass(frozen=True)
class PostureMeasure:
    """One measured posture value with its stated error.

    ``value_deg``/``error_deg``: the angle and its error (1 SD, degrees). ``value_cm``/``error_cm``:
    the matching distance in cm (None without the person's height). ``side``: the person's side the
    measure belongs to (bilateral measures), else None. Zero and sign: :data:`MEASURE_DOCS`.
    """

    name: str
    view: str
    value_deg: float
    error_deg: float
    value_cm: float | None = None
    error_cm: float | None = None
    side: str | None = None
    note: str = ""

    def to_dict(self) -> dict:
        out = {
            "name": self.name,
            "view": self.view,
            "side": self.side,
            "value_deg": round(self.value_deg, 2),
            "error_deg": round(self.error_deg, 2),
            "value_cm": None if self.value_cm is None else round(self.value_cm, 2),
            "error_cm": None if self.error_cm is None else round(self.error_cm, 2),
            "definition": MEASURE_DOCS.get(self.name, ""),
        }
        if self.note:
            out["note"] = self.note
        return out


# ----------------------------------------------------------------------------- helpers
Points = Mapping[str, np.ndarray]


def _propagate(fn: Callable[[Points], float], pts: Points, sigma_px: float) -> float:
    """1-SD error of ``fn(pts)`` when every coordinate of ``pts`` has independent error ``sigma_px``."""
    h = max(sigma_px * 1e-3, 1e-6)
    base = {k: np.asarray(v, dtype=float) for k, v in pts.items()}
    grad_sq = 0.0
    for k in base:
        for c in (0, 1):
            plus = dict(base)
            minus = dict(base)
            dp = base[k].copy()
            dm = base[k].copy()
            dp[c] += h
            dm[c] -= h
            plus[k] = dp
            minus[k] = dm
            g = (fn(plus) - fn(minus)) / (2 * h)
            grad_sq += g * g
    return float(sigma_px * np.sqrt(grad_sq))


def _tilt_deg(left: np.ndarray, right: np.ndarray) -> float:
    """Angle of the left-right line against horizontal; + when the right point is lower (+y down)."""
    return float(np.degrees(np.arctan2(right[1] - left[1], abs(left[0] - right[0]))))


def _lean_deg(lower: np.ndarray, upper: np.ndarray, direction: float) -> float:
    """Angle from vertical of lower -> upper; + when upper lies toward ``direction`` (+1/-1 image x)."""
    return float(np.degrees(np.arctan2(direction * (upper[0] - lower[0]), lower[1] - upper[1])))


def _deviation_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, direction: float) -> float:
    """180 minus the hip-knee-ankle angle; + when the knee lies toward ``direction`` of the hip-ankle line.

    Computed as the signed turn from the thigh vector (hip -> knee) to the shank vector (knee -> ankle);
    with +y down and the leg pointing down, a positive cross product means the knee lies toward +x.
    """
    u, v = knee - hip, ankle - knee
    cross = u[0] * v[1] - u[1] * v[0]
    dot = u[0] * v[0] + u[1] * v[1]
    return float(direction * np.degrees(np.arctan2(cross, dot)))


@dataclass(frozen=True)
class _Scale:
    stature_px: float
    sigma_px: float
    px_per_cm: float | None
    floor_deg: float = 0.0


def _scale(kp: StillKeypoints, knowledge: PostureKnowledge, height_m: float | None,
           keypoint_sigma_px: float | None = None) -> _Scale | None:
    h = stature_px(kp, knowledge)
    if h is None:
        return None
    if keypoint_sigma_px is None:
        sigma = knowledge.value("error", "keypoint_sigma") * h
        floor = knowledge.value("error", "posture_variability")
    else:  # known landmark noise (virtual camera): geometry only, no model or day-to-day error
        sigma, floor = float(keypoint_sigma_px), 0.0
    return _Scale(stature_px=h, sigma_px=sigma, px_per_cm=(h / (height_m * 100.0)) if height_m else None,
                  floor_deg=floor)


def _measure(
    name: str,
    view: str,
    angle_fn: Callable[[Points], float],
    dist_fn: Callable[[Points], float] | None,
    pts: Points,
    scale: _Scale,
    *,
    side: str | None = None,
    extra_error_deg: float = 0.0,
    note: str = "",
) -> PostureMeasure:
    value = angle_fn(pts)
    err = float(np.sqrt(_propagate(angle_fn, pts, scale.sigma_px) ** 2 + extra_error_deg**2 + scale.floor_deg**2))
    value_cm = error_cm = None
    if dist_fn is not None and scale.px_per_cm:
        value_cm = dist_fn(pts) / scale.px_per_cm
        error_cm = _propagate(dist_fn, pts, scale.sigma_px) / scale.px_per_cm
    return PostureMeasure(name, view, value, err, value_cm, error_cm, side, note)


# ----------------------------------------------------------------------------- frontal
def measure_frontal(
    kp: StillKeypoints, knowledge: PostureKnowledge, *, height_m: float | None = None,
    keypoint_sigma_px: float | None = None,
) -> dict[str, PostureMeasure]:
    """Frontal-plane measures of a front or back view.

    Parameters
    ----------
    kp
        Keypoints with sides already fixed for the view (:func:`still_from_arrays`).
    knowledge
        :func:`gaitscope.knowledge.posture.load_posture_knowledge`.
    height_m
        The person's height in metres; without it no centimetres are given.
    keypoint_sigma_px
        Known landmark noise (px, 1 SD per coordinate), e.g. a virtual camera's; default: the pose
        model's assumed error (``keypoint_sigma`` x stature) plus the posture-variability floor.

    Returns
    -------
    dict
        Measure name -> :class:`PostureMeasure` (``knee_frontal_alignment`` and ``foot_turn_out`` are
        keyed ``<name>:<side>``). Measures whose landmarks were not seen are left out. Zero and sign:
        :data:`MEASURE_DOCS`.
    """
    if kp.view not in ("front", "back"):
        raise ValueError("measure_frontal needs a front or back view")
    scale = _scale(kp, knowledge, height_m, keypoint_sigma_px)
    if scale is None:
        return {}
    view, r = kp.view, float(person_right_sign(kp.view))
    out: dict[str, PostureMeasure] = {}

    def pair(name: str, joint: str) -> None:
        ln, rn = f"left_{joint}", f"right_{joint}"
        if kp.has(ln, rn):
            pts = {"l": kp.p(ln), "r": kp.p(rn)}
            m = _measure(
                name, view, lambda q: _tilt_deg(q["l"], q["r"]), lambda q: float(q["r"][1] - q["l"][1]), pts, scale
            )
            side = None if m.value_deg == 0 else ("right" if m.value_deg > 0 else "left")
            out[name] = PostureMeasure(**{**m.__dict__, "side": side, "note": "side = the lower side"})

    pair("head_tilt", "ear")
    if "head_tilt" not in out:
        pair("head_tilt", "eye")
    pair("shoulder_height_difference", "shoulder")
    pair("pelvic_obliquity", "hip")
    pair("knee_height_difference", "knee")

    if kp.has("left_shoulder", "right_shoulder", "left_hip", "right_hip"):
        pts = {k: kp.p(k) for k in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")}

        def mids(q: Points) -> tuple[np.ndarray, np.ndarray]:
            return (q["left_hip"] + q["right_hip"]) / 2, (q["left_shoulder"] + q["right_shoulder"]) / 2

        out["trunk_shift"] = _measure(
            "trunk_shift",
            view,
            lambda q: _lean_deg(*mids(q), r),
            lambda q: float(r * (mids(q)[1][0] - mids(q)[0][0])),
            pts,
            scale,
        )

    com_names = ("left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee", "right_knee",
                 "left_ankle", "right_ankle")
    if kp.has(*com_names):
        pts = {k: kp.p(k) for k in com_names}
        out["weight_shift"] = _measure(
            "weight_shift",
            view,
            lambda q: _lean_deg((q["left_ankle"] + q["right_ankle"]) / 2, _com_xy(q, knowledge), r),
            lambda q: float(r * (_com_xy(q, knowledge)[0] - (q["left_ankle"][0] + q["right_ankle"][0]) / 2)),
            pts,
            scale,
            note="centre of mass from Winter (2009) segment masses; the base of support centre is the ankle midpoint",
        )

    for s in ("left", "right"):
        names = (f"{s}_hip", f"{s}_knee", f"{s}_ankle")
        if kp.has(*names):
            medial = r if s == "left" else -r  # toward the midline
            pts = {k: kp.p(k) for k in names}
            out[f"knee_frontal_alignment:{s}"] = _measure(
                "knee_frontal_alignment",
                view,
                lambda q, s=s, medial=medial: _deviation_deg(q[f"{s}_hip"], q[f"{s}_knee"], q[f"{s}_ankle"], medial),
                None,
                pts,
                scale,
                side=s,
            )
        if kp.has(f"{s}_heel", f"{s}_toe"):
            lateral = -r if s == "left" else r
            foot_px = knowledge.value("proportion", "foot_length") * scale.stature_px
            pts = {"heel": kp.p(f"{s}_heel"), "toe": kp.p(f"{s}_toe")}
            out[f"foot_turn_out:{s}"] = _measure(
                "foot_turn_out",
                view,
                lambda q, lateral=lateral: float(
                    np.degrees(np.arcsin(np.clip(lateral * (q["toe"][0] - q["heel"][0]) / foot_px, -1.0, 1.0)))
                ),
                None,
                pts,
                scale,
                side=s,
                extra_error_deg=knowledge.value("error", "foot_turn_out_bias"),
                note="weak: the heel is hidden from the front and the foot length is assumed from stature",
            )
    return out


def _com_xy(q: Points, knowledge: PostureKnowledge) -> np.ndarray:
    """Whole-body centre of mass in the image from segment masses (Winter 2009 Table 4.1)."""
    v = knowledge.value
    hat_m, thigh_m, shank_m = v("proportion", "hat_mass"), v("proportion", "thigh_mass"), v("proportion", "shank_mass")
    hat_f, limb_f = v("proportion", "hat_com_from_hip"), v("proportion", "limb_com_from_proximal")
    mid_hip = (q["left_hip"] + q["right_hip"]) / 2
    mid_sh = (q["left_shoulder"] + q["right_shoulder"]) / 2
    total = hat_m * (mid_hip + hat_f * (mid_sh - mid_hip))
    mass = hat_m
    for s in ("left", "right"):
        hip, knee, ankle = q[f"{s}_hip"], q[f"{s}_knee"], q[f"{s}_ankle"]
        total = total + thigh_m * (hip + limb_f * (knee - hip)) + shank_m * (knee + limb_f * (ankle - knee))
        mass += thigh_m + shank_m
    return total / mass


# ----------------------------------------------------------------------------- sagittal
SAGITTAL_JOINTS: tuple[str, ...] = ("ear", "shoulder", "hip", "knee", "ankle")


def sagittal_points(kp: StillKeypoints, sides: str | None = None) -> tuple[dict[str, np.ndarray], str]:
    """Joint positions used in a side view, all from one consistent choice of sides.

    When both sides of every joint are seen, each joint is the mean of its two sides: the joint's
    mid-sagittal position, free of the perspective offset between the near and far side (the near side
    projects further from the image centre). Otherwise every joint comes from the side nearer the camera
    (higher mean score), falling back to the other side only for a joint the near side lacks.

    ``sides`` forces the choice: ``"mean"``, ``"left"`` or ``"right"`` (a video window uses one choice
    for all its frames); None chooses as above.

    Returns
    -------
    points : dict
        Joint name (``ear``, ``shoulder``, ``hip``, ``knee``, ``ankle``) -> ``(x, y)`` px; joints seen on
        neither side are absent.
    mode : str
        ``"mean of both sides"`` or ``"<side> side"``.
    """
    both = all(kp.has(f"left_{j}", f"right_{j}") for j in SAGITTAL_JOINTS)
    if sides == "mean" and both or sides is None and both:
        return {j: (kp.p(f"left_{j}") + kp.p(f"right_{j}")) / 2 for j in SAGITTAL_JOINTS}, "mean of both sides"
    near = sides if sides in ("left", "right") else sagittal_near_side(kp)
    far = "right" if near == "left" else "left"
    pts: dict[str, np.ndarray] = {}
    for j in SAGITTAL_JOINTS:
        for side in (near, far):
            if kp.has(f"{side}_{j}"):
                pts[j] = kp.p(f"{side}_{j}")
                break
    return pts, f"{near} side"


def sagittal_near_side(kp: StillKeypoints) -> str:
    """The side with the higher mean score over the sagittal joints (the side facing the camera)."""
    def mean_score(side: str) -> float:
        return float(np.mean([kp.score.get(f"{side}_{j}", 0.0) for j in SAGITTAL_JOINTS]))

    return "left" if mean_score("left") >= mean_score("right") else "right"


def sagittal_point(kp: StillKeypoints, joint: str) -> np.ndarray | None:
    """One joint of :func:`sagittal_points` (None when not seen)."""
    return sagittal_points(kp)[0].get(joint)


def measure_sagittal(
    kp: StillKeypoints, knowledge: PostureKnowledge, *, height_m: float | None = None,
    keypoint_sigma_px: float | None = None, sides: str | None = None,
) -> dict[str, PostureMeasure]:
    """Sagittal-plane measures of a side view.

    Parameters
    ----------
    kp
        Keypoints of a side view.
    knowledge, height_m, keypoint_sigma_px
        As for :func:`measure_frontal`.
    sides
        Which sides give the joints (:func:`sagittal_points`); None chooses per image.

    Returns
    -------
    dict
        Measure name -> :class:`PostureMeasure`: ``cva``, ``head_forward``, ``shoulder_ahead_of_plumb``,
        ``hip_ahead_of_plumb``, ``trunk_lean``, ``knee_sagittal`` (those whose landmarks were seen).
        The plumb line is the vertical through the ankle landmark. Zero and sign: :data:`MEASURE_DOCS`.
    """
    if kp.view != "side":
        raise ValueError("measure_sagittal needs a side view")
    scale = _scale(kp, knowledge, height_m, keypoint_sigma_px)
    f = facing_sign(kp)
    if scale is None or f is None:
        return {}
    fw = float(f)
    pts, mode = sagittal_points(kp, sides)
    out: dict[str, PostureMeasure] = {}
    view = "side"

    def fwd(a: str, b: str) -> Callable[[Points], float]:
        return lambda q: float(fw * (q[b][0] - q[a][0]))

    def lean(a: str, b: str) -> Callable[[Points], float]:
        return lambda q: _lean_deg(q[a], q[b], fw)

    if "ear" in pts and "shoulder" in pts:
        has_c7 = "c7" in kp.xy
        if has_c7:
            q0 = {"ear": pts["ear"], "c7": kp.p("c7")}
            extra, note = 0.0, "C7 keypoint present"
        else:
            behind = knowledge.value("proportion", "c7_behind_shoulder") * scale.stature_px
            above = knowledge.value("proportion", "c7_above_shoulder") * scale.stature_px
            q0 = {"ear": pts["ear"], "c7": pts["shoulder"] + np.array([-fw * behind, -above])}
            extra = knowledge.value("error", "cva_proxy_sigma")
            note = "proxy: C7 estimated from the shoulder landmark with an assumed offset (not validated)"
        out["cva"] = _measure(
            "cva",
            view,
            lambda q: float(np.degrees(np.arctan2(q["c7"][1] - q["ear"][1], fw * (q["ear"][0] - q["c7"][0])))),
            None,
            q0,
            scale,
            extra_error_deg=extra,
            note=note,
        )
        out["head_forward"] = _measure(
            "head_forward", view, lean("shoulder", "ear"), fwd("shoulder", "ear"),
            {"shoulder": pts["shoulder"], "ear": pts["ear"]}, scale,
        )
    for j, name in (("shoulder", "shoulder_ahead_of_plumb"), ("hip", "hip_ahead_of_plumb")):
        if j in pts and "ankle" in pts:
            out[name] = _measure(name, view, lean("ankle", j), fwd("ankle", j),
                                 {"ankle": pts["ankle"], j: pts[j]}, scale)
    if "shoulder" in pts and "hip" in pts:
        out["trunk_lean"] = _measure("trunk_lean", view, lean("hip", "shoulder"), fwd("hip", "shoulder"),
                                     {"hip": pts["hip"], "shoulder": pts["shoulder"]}, scale)
    if all(j in pts for j in ("hip", "knee", "ankle")):
        out["knee_sagittal"] = _measure(
            "knee_sagittal",
            view,
            lambda q: _deviation_deg(q["hip"], q["knee"], q["ankle"], fw),
            None,
            {j: pts[j] for j in ("hip", "knee", "ankle")},
            scale,
        )
    for k, m in out.items():
        note = f"landmarks: {mode}" + (f"; {m.note}" if m.note else "")
        out[k] = PostureMeasure(m.name, m.view, m.value_deg, m.error_deg, m.value_cm, m.error_cm, m.side, note)
    return out
