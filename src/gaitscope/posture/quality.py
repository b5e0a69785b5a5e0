"""Input-quality checks of a posture view: one clear sentence per problem.

:func:`check_view` raises :class:`~gaitscope.types.GaitscopeError` when the view cannot be measured
(nobody found, body cut off, sitting, the wrong view, a step instead of standing) and returns quality
notes for problems that only weaken the measures (strong perspective, a camera that may be rolled).
Limits are rows of kind ``quality`` in ``knowledge/posture_thresholds.csv``.
"""

from __future__ import annotations

import numpy as np

from gaitscope.knowledge.posture import PostureKnowledge
from gaitscope.posture.keypoints import StillKeypoints, person_right_sign, stature_px
from gaitscope.types import GaitscopeError

_BODY = ("shoulder", "hip", "knee", "ankle")

_SAGITTAL_CODES = ("posture_forward_head", "posture_shoulders_forward", "posture_pelvis_forward",
                   "posture_pelvis_backward", "posture_knee_hyperextension", "posture_knee_flexion", "posture_sway_back")


class QualityNote(str):
    """A quality note (one sentence) that also names the finding codes it makes unreliable.

    It is a ``str`` (printed and stored as the sentence); ``affects`` lists the codes that become
    ``not_assessable`` with this sentence as the reason.
    """

    affects: tuple[str, ...]

    def __new__(cls, text: str, affects: tuple[str, ...] = ()) -> "QualityNote":
        obj = super().__new__(cls, text)
        obj.affects = tuple(affects)
        return obj


def _name(kp: StillKeypoints) -> str:
    return kp.source or "the image"


def _both(kp: StillKeypoints, joint: str) -> np.ndarray | None:
    return kp.mean_of(f"left_{joint}", f"right_{joint}")


def check_view(kp: StillKeypoints, knowledge: PostureKnowledge, *, flag: str | None = None) -> list[QualityNote]:
    """Check one view; raise for unusable input, return notes for weakening problems.

    Parameters
    ----------
    kp
        Keypoints of the view (sides fixed for the view).
    knowledge
        Posture knowledge (quality limits and body proportions).
    flag
        The command-line option the view came from (``"--front"`` ...), for the messages.

    Returns
    -------
    list of QualityNote
        Quality notes (one sentence each, with the finding codes they make unreliable); empty when
        nothing was noticed.
    """
    name = _name(kp)
    opt = flag or f"--{kp.view}"
    q = knowledge.value
    if not kp.xy:
        raise GaitscopeError(
            f"{name}: no person found (or several people the pose model could not tell apart); "
            "give a photo of one person standing, head to feet, in good light."
        )
    w, h = kp.image_size_px
    missing = [j for j in _BODY if _both(kp, j) is None]
    if "ankle" in missing or "knee" in missing:
        raise GaitscopeError(
            f"{name}: the feet or legs are cut off or hidden; take the photo with the whole body, head to feet, in the frame."
        )
    if kp.mean_of("left_eye", "right_eye", "left_ear", "right_ear") is None:
        raise GaitscopeError(f"{name}: the head is cut off or hidden; take the photo with the whole body, head to feet, in the frame.")
    feet = [kp.p(n) for n in ("left_ankle", "right_ankle", "left_heel", "right_heel", "left_toe", "right_toe") if n in kp.xy]
    if max(p[1] for p in feet) > h * 1.0 or min(p[0] for p in feet) < 0 or max(p[0] for p in feet) > w:
        raise GaitscopeError(
            f"{name}: the feet are at or beyond the edge of the photo; take it with the whole body, head to feet, in the frame."
        )
    if missing:
        raise GaitscopeError(f"{name}: the {' and '.join(missing)}s are not visible; take the photo with the whole body in the frame, arms not covering the trunk.")
    stature = stature_px(kp, knowledge)
    if stature is None:
        raise GaitscopeError(f"{name}: the person does not look upright (head not above the feet); photograph them standing.")
    hip, knee, ankle, sh = _both(kp, "hip"), _both(kp, "knee"), _both(kp, "ankle"), _both(kp, "shoulder")
    thigh_v, shank_v = knee[1] - hip[1], ankle[1] - knee[1]
    if shank_v <= 0 or thigh_v < q("quality", "max_standing_thigh_ratio") * shank_v:
        raise GaitscopeError(
            f"{name}: the person seems to be sitting or squatting (thighs not vertical); photograph them standing upright."
        )
    sh_width = abs(float(kp.p("left_shoulder")[0] - kp.p("right_shoulder")[0])) if kp.has(
        "left_shoulder", "right_shoulder") else float("nan")
    ratio = sh_width / stature
    if kp.view in ("front", "back") and ratio < q("quality", "frontal_min_shoulder_width"):
        raise GaitscopeError(
            f"{name}: this looks like a side view (shoulders only {100 * ratio:.0f} % of the height apart); "
            f"give it with --side, or take the {opt[2:]} photo square to the person."
        )
    if kp.view == "side" and ratio > q("quality", "sagittal_max_shoulder_width"):
        raise GaitscopeError(
            f"{name}: this looks like a front or back view (shoulders {100 * ratio:.0f} % of the height apart); "
            "give it with --front or --back, or take the side photo with the person turned 90 degrees."
        )
    turned_note = None
    if kp.view == "side" and ratio > q("quality", "sagittal_pure_shoulder_width"):
        turned_note = QualityNote(
            f"{name}: the person is turned part-way toward the camera (shoulders {100 * ratio:.0f} % of the height "
            "apart, under about 5 % in a true profile): forward offsets are foreshortened and the near and far "
            "landmarks disagree, so the side-view findings are not assessed; turn them fully side-on.", _SAGITTAL_CODES)
    if kp.view in ("front", "back") and kp.has("left_ankle", "right_ankle"):
        dy = abs(kp.p("left_ankle")[1] - kp.p("right_ankle")[1]) / stature
        if dy > q("quality", "max_ankle_height_difference"):
            raise GaitscopeError(
                f"{name}: one ankle is {100 * dy:.0f} % of the height higher than the other, a step rather than "
                "standing; photograph the person standing still with the weight on both feet."
            )
    if kp.view == "side" and kp.has("left_ankle", "right_ankle"):
        stance = abs(kp.p("left_ankle")[0] - kp.p("right_ankle")[0]) / stature
        if stance > q("quality", "max_stance_width_sagittal"):
            raise GaitscopeError(
                f"{name}: the feet are {100 * stance:.0f} % of the height apart front to back, a step rather than "
                "standing; photograph the person standing still with the feet side by side."
            )

    notes: list[QualityNote] = [turned_note] if turned_note else []
    persp_codes = ("posture_knee_valgus", "posture_knee_varus") if kp.view != "side" else _SAGITTAL_CODES
    legs, trunk = ankle[1] - hip[1], hip[1] - sh[1]
    eye = kp.mean_of("left_eye", "right_eye", "left_ear", "right_ear")
    head = sh[1] - eye[1]
    if trunk > 0 and legs / trunk < q("quality", "min_leg_to_trunk_ratio"):
        notes.append(QualityNote(
            f"{name}: the legs look short for the trunk (ratio {legs / trunk:.2f}, expected about 1.7): the camera "
            "was probably above hip height or too close, so angles and centimetres are distorted; retake from hip "
            "height at 3 m or more.", persp_codes))
    if head > 0 and (ankle[1] - sh[1]) / head < q("quality", "min_body_to_head_ratio"):
        notes.append(QualityNote(
            f"{name}: the head looks large for the body (ratio {(ankle[1] - sh[1]) / head:.1f}, expected about 6.6): "
            "the photo was probably taken from above or too close; retake from hip height at 3 m or more.", persp_codes))
    if kp.view in ("front", "back") and kp.has("left_knee", "right_knee"):
        dy = abs(kp.p("left_knee")[1] - kp.p("right_knee")[1]) / stature
        if dy > q("quality", "max_knee_height_difference"):
            notes.append(QualityNote(
                f"{name}: one knee is {100 * dy:.0f} % of the height higher than the other: a bent knee or one foot "
                "forward (a step?) distorts the pelvic and knee measures; stand with the weight on both feet.",
                ("posture_pelvic_obliquity", "posture_knee_valgus", "posture_knee_varus", "posture_weight_shift")))
    if kp.view in ("front", "back"):
        tilts = []
        for j in ("shoulder", "hip", "knee"):
            if kp.has(f"left_{j}", f"right_{j}"):
                lp, rp = kp.p(f"left_{j}"), kp.p(f"right_{j}")
                tilts.append(np.degrees(np.arctan2(rp[1] - lp[1], abs(lp[0] - rp[0]))))
        same_way = len(tilts) == 3 and (all(t > 1.5 for t in tilts) or all(t < -1.5 for t in tilts))
        # a rolled camera also leans the whole body the same way (hips -> shoulders toward the low side by
        # about the roll angle); the hip line is noisy (its stated error is several degrees), so a body
        # leaning with the median level line within 2 deg is the second witness when the lines disagree
        lean_with = False
        if same_way and kp.has("left_hip", "right_hip", "left_shoulder", "right_shoulder"):
            hip_mid = (kp.p("left_hip") + kp.p("right_hip")) / 2
            sh_mid = (kp.p("left_shoulder") + kp.p("right_shoulder")) / 2
            lean = np.degrees(np.arctan2(person_right_sign(kp.view) * (sh_mid[0] - hip_mid[0]), hip_mid[1] - sh_mid[1]))
            lean_with = abs(lean - float(np.median(tilts))) <= 2.0
        if same_way and (np.ptp(tilts) < 1.5 or lean_with):
            notes.append(QualityNote(
                f"{name}: shoulders, hips and knees all tilt the same way by about {np.mean(tilts):.1f} deg: the "
                "camera may not have been held level; check with a vertical line in the background.",
                ("posture_head_tilt", "posture_shoulder_asymmetry", "posture_pelvic_obliquity",
                 "posture_trunk_shift", "posture_weight_shift")))
        if kp.sides_swapped and set(kp.sides_swapped) >= {"shoulder", "hip"}:
            notes.append(QualityNote(
                f"{name}: the pose model took the person to face the other way than {opt} says; gaitscope followed "
                f"{opt} for the person's left and right: check that the photo was taken from the {kp.view}."))
    return notes


def second_person_note(kp_first: StillKeypoints, second_xyz: np.ndarray, second_score: np.ndarray,
                       knowledge: PostureKnowledge) -> str | None:
    """Sentence when a second, whole person was found after masking out the first, else None.

    ``second_xyz``/``second_score`` are the pose model's output on the image with the first person's
    box painted over (see :func:`gaitscope.posture.run.measure_image`).
    """
    ok = np.nan_to_num(second_score) >= knowledge.value("quality", "min_keypoint_score")
    if ok.sum() < 0.7 * len(second_score):
        return None
    ys = second_xyz[ok, 1]
    first = stature_px(kp_first, knowledge) or 0.0
    if np.ptp(ys) < 0.3 * first:
        return None
    return (
        f"{_name(kp_first)}: a second person is in the photo; crop it to the one person being assessed "
        "(gaitscope cannot tell who is meant)."
    )
