"""Known-answer validation of the posture measures on the standing phantom through the virtual camera.

The truth of each case is computed here directly from the phantom's **world** coordinates (metres,
frontal plane z-y, sagittal plane x-y), independently of the image-based measuring code; the
measured value comes from the full keypoint path (projection with perspective and pixel noise ->
:func:`gaitscope.posture.assess_keypoints`). Used by ``benchmarks/posture.py`` and
``tests/test_posture.py``. Plainly synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from gaitscope.types import PoseSequence

#: (label, phantom keyword arguments, camera views, measure key, unit, truth function name)
CASES: tuple[tuple[str, dict, tuple[str, ...], str, str], ...] = (
    ("shoulder drop 4 deg (R low)", {"shoulder_drop_deg": 4.0}, ("frontal-front", "frontal-back"),
     "shoulder_height_difference", "deg"),
    ("shoulder drop 4 deg (R low)", {"shoulder_drop_deg": 4.0}, ("frontal-front", "frontal-back"),
     "shoulder_height_difference", "cm"),
    ("pelvic drop -3 deg (L low)", {"pelvic_drop_deg": -3.0}, ("frontal-front", "frontal-back"),
     "pelvic_obliquity", "deg"),
    ("pelvic drop -3 deg (L low)", {"pelvic_drop_deg": -3.0}, ("frontal-front", "frontal-back"),
     "pelvic_obliquity", "cm"),
    ("trunk shift 4 cm (to R)", {"trunk_shift_m": 0.04}, ("frontal-front", "frontal-back"), "trunk_shift", "cm"),
    ("trunk shift 4 cm (to R)", {"trunk_shift_m": 0.04}, ("frontal-front", "frontal-back"), "trunk_shift", "deg"),
    ("knee valgus 8 deg (both)", {"knee_valgus_deg": 8.0}, ("frontal-front", "frontal-back"),
     "knee_frontal_alignment:left", "deg"),
    ("knee valgus 8 deg (both)", {"knee_valgus_deg": 8.0}, ("frontal-front", "frontal-back"),
     "knee_frontal_alignment:right", "deg"),
    ("forward head 6 cm", {"forward_head_m": 0.06}, ("sagittal-left", "sagittal-right"), "head_forward", "cm"),
    ("forward head 6 cm", {"forward_head_m": 0.06}, ("sagittal-left", "sagittal-right"), "cva", "deg"),
    ("neutral", {}, ("sagittal-left", "sagittal-right"), "cva", "deg"),
    ("neutral", {}, ("frontal-front",), "pelvic_obliquity", "deg"),
)

#: Reported-only measures (never flagged): known answers printed for information, not asserted.
INFO_CASES: tuple[tuple[str, dict, tuple[str, ...], str, str], ...] = (
    ("foot turn-out 7 deg (phantom default)", {}, ("frontal-front", "frontal-back"), "foot_turn_out:left", "deg"),
    ("foot turn-out 7 deg (phantom default)", {}, ("frontal-front", "frontal-back"), "foot_turn_out:right", "deg"),
    ("foot turn-out 20 deg", {"foot_turnout_deg": 20.0}, ("frontal-front",), "foot_turn_out:left", "deg"),
)

_VIEW = {"frontal-front": "front", "frontal-back": "back", "sagittal-left": "side", "sagittal-right": "side"}


def _frontal_tilt_deg(w: dict[str, np.ndarray], joint: str) -> float:
    lp, rp = w[f"left_{joint}"], w[f"right_{joint}"]
    return float(np.degrees(np.arctan2(lp[1] - rp[1], abs(rp[2] - lp[2]))))  # + right lower (y up)


def truth_value(world: PoseSequence, frame: int, key: str, unit: str) -> float:
    """The true value of a measure at one world sample, from world coordinates (see module doc).

    Signs follow :data:`gaitscope.posture.MEASURE_DOCS` (person's own right positive for frontal
    measures; forward positive for sagittal ones).
    """
    w = {n: world.xyz[frame, i] for i, n in enumerate(world.names)}
    if key in ("shoulder_height_difference", "pelvic_obliquity"):
        joint = "shoulder" if key.startswith("shoulder") else "hip"
        if unit == "deg":
            return _frontal_tilt_deg(w, joint)
        return float((w[f"left_{joint}"][1] - w[f"right_{joint}"][1]) * 100)
    if key == "trunk_shift":
        mh = (w["left_hip"] + w["right_hip"]) / 2
        ms = (w["left_shoulder"] + w["right_shoulder"]) / 2
        if unit == "cm":
            return float((ms[2] - mh[2]) * 100)
        return float(np.degrees(np.arctan2(ms[2] - mh[2], ms[1] - mh[1])))
    if key.startswith("knee_frontal_alignment:"):
        s = key.split(":")[1]
        return float(world.meta["truth"]["knee_valgus_deg"][s])
    if key.startswith("foot_turn_out:"):
        s = key.split(":")[1]
        d = w[f"{s}_toe"] - w[f"{s}_heel"]
        lateral = d[2] if s == "right" else -d[2]  # +z is the person's right
        return float(np.degrees(np.arctan2(lateral, d[0])))
    if key == "head_forward":
        ear = (w["left_ear"] + w["right_ear"]) / 2
        sh = (w["left_shoulder"] + w["right_shoulder"]) / 2
        return float((ear[0] - sh[0]) * 100) if unit == "cm" else float(
            np.degrees(np.arctan2(ear[0] - sh[0], ear[1] - sh[1])))
    if key == "cva":
        ear = (w["left_ear"] + w["right_ear"]) / 2
        c7 = w["c7"]
        return float(np.degrees(np.arctan2(ear[1] - c7[1], ear[0] - c7[0])))
    raise KeyError(key)


@dataclass(frozen=True)
class KnownAnswerRow:
    """One case at one distance: set value, truth, measured (mean over seeds), worst error, stated error."""

    label: str
    measure: str
    unit: str
    camera: str
    distance_m: float
    truth: float
    measured: float
    max_abs_error: float
    stated_error: float

    @property
    def within(self) -> bool:
        """True when the worst error over the seeds is within 2 stated errors (about 95 %)."""
        return self.max_abs_error <= 2.0 * self.stated_error


def known_answer_rows(
    *,
    distances_m: tuple[float, ...] = (2.5, 4.0, 6.0),
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4),
    noise_px: float = 1.0,
    height_m: float = 1.70,
    image_size_px: tuple[int, int] = (1080, 1920),
    camera_height_m: float = 1.0,
    cases: tuple = CASES,
    drop_c7: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[KnownAnswerRow]:
    """Run every case at every distance and seed; one row per (case, camera, distance).

    Each seed renders one frame (a "photo") in the middle of a 2-s phantom stand; the stated error
    is the measure's own error with the camera's pixel noise as the landmark error
    (``keypoint_sigma_px = noise_px``). ``drop_c7`` removes the C7 keypoint so the CVA is the
    photo proxy (C7 estimated from the shoulder).
    """
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom import standing
    from gaitscope.posture.run import assess_keypoints, still_from_pose

    rows: list[KnownAnswerRow] = []
    for label, kwargs, cameras, key, unit in cases:
        for cam in cameras:
            for dist in distances_m:
                measured, truths, errs = [], [], []
                for seed in seeds:
                    world = standing(height_m=height_m, duration_s=2.0, rate_hz=30.0, seed=seed, **kwargs)
                    img = project(world, view=cam, rate_hz=30.0, image_size_px=image_size_px, distance_m=dist,
                                  camera_height_m=camera_height_m, noise_px=noise_px, seed=seed)
                    if drop_c7:
                        img = img.select_keypoints([n for n in img.names if n != "c7"])
                    i = img.n_frames // 2
                    wi = int(np.argmin(np.abs(world.t_s - img.t_s[i])))
                    view = _VIEW[cam]
                    kps = still_from_pose(img, view, min_score=0.5, frames=[i])
                    res = assess_keypoints({view: kps}, height_m=height_m, keypoint_sigma_px=noise_px)
                    m = res.views[view].measures[key]
                    val = m.value_deg if unit == "deg" else m.value_cm
                    err = m.error_deg if unit == "deg" else m.error_cm
                    measured.append(val)
                    errs.append(err)
                    truths.append(truth_value(world, wi, key, unit))
                measured_a, truth_a = np.array(measured), np.array(truths)
                rows.append(KnownAnswerRow(
                    label=label, measure=key, unit=unit, camera=cam, distance_m=dist,
                    truth=float(np.mean(truth_a)), measured=float(np.mean(measured_a)),
                    max_abs_error=float(np.max(np.abs(measured_a - truth_a))), stated_error=float(np.median(errs)),
                ))
                if progress:
                    progress(f"{label} {key} {cam} {dist} m")
    return rows


def format_table(rows: list[KnownAnswerRow]) -> str:
    """A plain-text table of the rows."""
    head = f"{'case':30s} {'measure':30s} {'unit':4s} {'camera':15s} {'dist_m':>6s} {'truth':>7s} {'measured':>8s} " \
           f"{'max_err':>7s} {'stated':>6s} ok"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r.label:30s} {r.measure:30s} {r.unit:4s} {r.camera:15s} {r.distance_m:6.1f} {r.truth:7.2f} "
                     f"{r.measured:8.2f} {r.max_abs_error:7.2f} {r.stated_error:6.2f} {'yes' if r.within else 'NO'}")
    return "\n".join(lines)
