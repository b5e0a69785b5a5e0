"""Visibility grade per leg: the near and the far leg of a side-on video.

Filmed side-on, one leg is nearer the camera and the other is partly hidden behind it. The pose model then
guesses the far leg's joints (lower keypoint scores; on walk_sagittal_older_adult.mp4 the far knee scores
0.77 against 0.98 near), so that leg's joint angles are not the person's: a difference between the legs
is then mostly a difference in visibility. The grade is measured from the keypoint scores of the leg
(median over the frames of the usable walking passes); the lower leg is ``far`` when it scores lower by
more than ``far_leg_score_margin`` (``knowledge/analysis_settings.csv``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gaitscope.knowledge.analysis_settings import analysis_setting

LEG_KEYPOINTS = ("hip", "knee", "ankle", "heel", "foot_index")
#: Per-stride values that depend on seeing the leg's joints (angles, foot pitch, toe height).
VISIBILITY_LIMITED = (
    "knee_flex_ic_deg", "knee_flex_loading_max_deg", "knee_flex_swing_max_deg", "knee_flex_swing_range_deg",
    "knee_flex_stance_min_deg", "hip_flex_ic_deg", "hip_ext_stance_max_deg", "hip_flex_swing_max_deg",
    "ankle_dorsi_ic_deg", "ankle_plantar_pushoff_max_deg", "ankle_dorsi_swing_max_deg", "foot_angle_ic_deg",
    "ankle_dorsi_midstance_min_deg", "toe_clearance_swing_min_m", "toe_clearance_swing_min_rel",
    "arm_swing_amplitude_deg",
)


def leg_visibility(prep: Any, pose: Any | None = None) -> dict[str, dict[str, Any]]:
    """``{side: {"grade": "near"|"far"|"good", "score": median score or None, "reason": text}}``.

    Only side-on (``sagittal``/``oblique``) image input is graded near/far; 3D and frontal input, or two legs
    scored alike (e.g. a synthetic walker seen by the virtual camera), are ``good``.
    """
    pose = pose if pose is not None and getattr(pose, "n_frames", -1) == prep.pose.n_frames else prep.pose
    out: dict[str, dict[str, Any]] = {s: {"grade": "good", "score": None, "reason": ""} for s in ("left", "right")}
    if prep.view not in ("sagittal", "oblique") or pose.frame != "image" or pose.score is None:
        return out
    rows = np.zeros(pose.n_frames, bool)
    for p in prep.passes:
        if p.usable:
            rows[max(0, int(p.start)):min(pose.n_frames, int(p.end))] = True
    if not rows.any():
        rows[:] = True
    scores = {}
    for side in ("left", "right"):
        cols = [pose.names.index(f"{side}_{k}") for k in LEG_KEYPOINTS if f"{side}_{k}" in pose.names]
        if not cols:
            return out
        s = np.asarray(pose.score, float)[rows][:, cols]
        s = s[np.isfinite(s)]
        scores[side] = float(np.median(s)) if s.size else float("nan")
        out[side]["score"] = round(scores[side], 3) if np.isfinite(scores[side]) else None
    if not all(np.isfinite(v) for v in scores.values()):
        return out
    margin = float(analysis_setting("far_leg_score_margin"))
    far = min(scores, key=scores.get)
    near = "right" if far == "left" else "left"
    if scores[near] - scores[far] <= margin:
        return out
    out[near]["grade"] = "near"
    out[far]["grade"] = "far"
    out[far]["reason"] = (f"the {far} leg was the far leg, partly hidden behind the {near} leg in this side-on view "
                          f"(keypoint score {scores[far]:.2f} against {scores[near]:.2f}): its joint angles are "
                          f"estimates, not graded and never compared with the {near} leg; film the other side "
                          "(walk back the other way) to measure it")
    return out
