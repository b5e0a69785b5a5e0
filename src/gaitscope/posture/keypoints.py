"""Keypoints of one standing view, with the person's sides fixed by the view.

A posture photo is taken from a known direction (front, back or side), so the person's own left
and right follow from where a landmark lies in the image, not from the pose model's guess (which is
often swapped on photos from behind). :func:`still_from_arrays` relabels the sides accordingly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping

import numpy as np

from gaitscope.knowledge.posture import PostureKnowledge

View = Literal["front", "back", "side"]
VIEWS: tuple[str, ...] = ("front", "back", "side")

#: Left/right pairs relabelled together, keyed by the pair that decides (frontal views).
_SIDE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ear", ("eye", "ear")),
    ("shoulder", ("shoulder", "elbow", "wrist")),
    ("hip", ("hip",)),
    ("knee", ("knee",)),
    ("ankle", ("ankle", "heel", "toe")),
)


@dataclass(frozen=True)
class StillKeypoints:
    """Keypoints of one person standing, seen from one view.

    Parameters
    ----------
    xy
        Keypoint name -> ``(x, y)`` in px of the upright image (origin top-left, +y down).
        Only keypoints whose score reached the minimum are present.
    score
        Keypoint name -> score in [0, 1] (all keypoints the model returned, present or not).
    view
        ``"front"`` (camera in front of the person), ``"back"`` or ``"side"``.
    image_size_px
        ``(width, height)`` of the image.
    source
        File the keypoints came from (for messages).
    sides_swapped
        Frontal views: names of the side groups whose model labels were swapped to match the view.
    """

    xy: Mapping[str, np.ndarray]
    score: Mapping[str, float]
    view: View
    image_size_px: tuple[int, int]
    source: str = ""
    sides_swapped: tuple[str, ...] = field(default_factory=tuple)

    def has(self, *names: str) -> bool:
        return all(n in self.xy for n in names)

    def p(self, name: str) -> np.ndarray:
        return self.xy[name]

    def mean_of(self, *names: str) -> np.ndarray | None:
        pts = [self.xy[n] for n in names if n in self.xy]
        return np.mean(pts, axis=0) if pts else None


def still_from_arrays(
    xyz_px: np.ndarray,
    score: np.ndarray,
    names: tuple[str, ...],
    *,
    view: View,
    image_size_px: tuple[int, int],
    min_score: float,
    source: str = "",
) -> StillKeypoints:
    """Build :class:`StillKeypoints` from a pose model's output, relabelling sides for the view.

    Parameters
    ----------
    xyz_px, score, names
        As returned by :func:`gaitscope.pose.estimate_image` (``(k, 3)`` px, ``(k,)``, names).
    view
        ``"front"``: the person's left appears at larger image x. ``"back"``: at smaller x.
        ``"side"``: labels are kept as the model gave them.
    min_score
        Keypoints below this score are treated as not seen.
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}, got {view!r}")
    xyz = np.asarray(xyz_px, dtype=float)
    sc = np.nan_to_num(np.asarray(score, dtype=float), nan=0.0)
    xy: dict[str, np.ndarray] = {}
    scores: dict[str, float] = {}
    for i, n in enumerate(names):
        scores[n] = float(sc[i])
        if sc[i] >= min_score and np.all(np.isfinite(xyz[i, :2])):
            xy[n] = xyz[i, :2].copy()
    swapped: list[str] = []
    if view in ("front", "back"):
        for decider, members in _SIDE_GROUPS:
            lx, rx = f"left_{decider}", f"right_{decider}"
            lpos, rpos = xyz[names.index(lx), 0] if lx in names else np.nan, xyz[names.index(rx), 0] if rx in names else np.nan
            if not (np.isfinite(lpos) and np.isfinite(rpos)):
                continue
            left_should_be_larger = view == "front"
            if (lpos > rpos) != left_should_be_larger:
                swapped.append(decider)
                for m in members:
                    ln, rn = f"left_{m}", f"right_{m}"
                    a, b = xy.pop(ln, None), xy.pop(rn, None)
                    if a is not None:
                        xy[rn] = a
                    if b is not None:
                        xy[ln] = b
                    scores[ln], scores[rn] = scores.get(rn, 0.0), scores.get(ln, 0.0)
    return StillKeypoints(
        xy=xy,
        score=scores,
        view=view,
        image_size_px=(int(image_size_px[0]), int(image_size_px[1])),
        source=source,
        sides_swapped=tuple(swapped),
    )


def person_right_sign(view: View) -> int:
    """Image-x direction (+1 or -1) of the person's own right in a frontal view.

    Front view: the person's right is at smaller image x (-1). Back view: larger x (+1).
    """
    if view == "front":
        return -1
    if view == "back":
        return 1
    raise ValueError("the person's right has no image direction in a side view")


def stature_px(kp: StillKeypoints, knowledge: PostureKnowledge) -> float | None:
    """Stature in pixels from eye level to ankle level, scaled by body proportions.

    Returns
    -------
    float or None
        ``(ankle_y - eye_y) / (eye_height - ankle_height)`` with the heights as fractions of
        stature (Drillis & Contini 1966); ears stand in for eyes when no eye is seen. None when
        neither eyes/ears nor ankles are seen.
    """
    eye = kp.mean_of("left_eye", "right_eye")
    if eye is None:
        eye = kp.mean_of("left_ear", "right_ear")
    ankle = kp.mean_of("left_ankle", "right_ankle")
    if eye is None or ankle is None:
        return None
    span = knowledge.value("proportion", "eye_height") - knowledge.value("proportion", "ankle_height")
    h = float(ankle[1] - eye[1]) / span
    return h if h > 0 else None


def facing_sign(kp: StillKeypoints) -> int | None:
    """Image-x direction the person faces in a side view: +1 (right) or -1 (left); None if unknown.

    Votes: nose ahead of the ears, toes ahead of the heels.
    """
    votes = 0.0
    nose, ear = kp.mean_of("nose"), kp.mean_of("left_ear", "right_ear")
    if nose is not None and ear is not None:
        votes += 2.0 * np.sign(nose[0] - ear[0])
    for s in ("left", "right"):
        if kp.has(f"{s}_toe", f"{s}_heel"):
            votes += np.sign(kp.p(f"{s}_toe")[0] - kp.p(f"{s}_heel")[0])
    if votes == 0:
        return None
    return 1 if votes > 0 else -1


def near_side(kp: StillKeypoints) -> str:
    """The side of the body nearer the camera in a side view (higher mean score)."""
    def mean_score(s: str) -> float:
        return float(np.mean([kp.score.get(f"{s}_{j}", 0.0) for j in ("ear", "shoulder", "hip", "knee", "ankle")]))

    return "left" if mean_score("left") >= mean_score("right") else "right"
