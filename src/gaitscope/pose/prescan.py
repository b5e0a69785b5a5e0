"""Early "is anyone walking?" check for long clips, before the pose stage's full passes.

A long clip of an empty room or of someone standing still would cost about a minute of pose
estimation per minute of video before the walker choice (:mod:`gaitscope.pose.walker`) could
say "no walking". For clips of at least :data:`PRESCAN_MIN_DURATION_S`, the people search
(:class:`~gaitscope.pose._people.PeopleDetector`) first runs on one frame every
``1 / PRESCAN_HZ`` seconds, in time order, and stops **as soon as someone is seen moving**
(a walking clip costs a few samples). Only when the whole clip has been sampled and

* nobody was found, or
* every person found stayed in place: hip midpoints within less horizontal travel than the
  walker choice needs (:data:`~gaitscope.pose.walker.MIN_TRAVEL_BODY_HEIGHTS` of the person's
  height, or :data:`~gaitscope.pose.walker.MIN_TRAVEL_FRAME_FRACTION` of the frame width) **and**
  an apparent height that did not change by :data:`MIN_HEIGHT_CHANGE_RATIO` (someone walking
  toward or away from the camera grows or shrinks),

is the clip refused, with the same wording as the full walker choice. The test is deliberately
loose (any movement lets the clip through to the full passes), so it never refuses a clip the
full passes would accept for lack of walking.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from gaitscope.capture.video import VideoInfo
from gaitscope.pose import walker as walker_mod
from gaitscope.types import GaitscopeError

#: Clips at least this long (s) are pre-scanned; shorter ones cost little to estimate in full.
PRESCAN_MIN_DURATION_S = 30.0
#: Sampled frames per second of video.
PRESCAN_HZ = 1.0
#: Apparent height change (largest / smallest, 10th-90th percentile) that counts as moving
#: toward or away from the camera. Standing still, BlazePose's box height varies by about 5-10 %.
MIN_HEIGHT_CHANGE_RATIO = 1.3


def _sample_indices(info: VideoInfo) -> np.ndarray:
    t = info.t_s
    want = np.arange(0.0, float(t[-1]) + 1e-9, 1.0 / PRESCAN_HZ)
    return np.unique(np.clip(np.searchsorted(t, want), 0, info.n_frames - 1))


def _moving(people: list[walker_mod.Person], width_px: int) -> bool:
    if len(people) < 2:
        return False
    x = np.array([p.hip_px[0] for p in people])
    h = np.array([p.height_px for p in people])
    needed = min(walker_mod.MIN_TRAVEL_BODY_HEIGHTS * float(np.median(h)),
                 walker_mod.MIN_TRAVEL_FRAME_FRACTION * width_px)
    if float(x.max() - x.min()) >= needed:
        return True
    lo, hi = np.percentile(h, [10, 90])
    return bool(lo > 0 and hi / lo >= MIN_HEIGHT_CHANGE_RATIO)


def check_walking_early(info: VideoInfo, *, log: Callable[[str], None] | None = None) -> int:
    """Refuse a long clip in which nobody moves; returns the number of frames sampled.

    Does nothing (returns 0) for clips shorter than :data:`PRESCAN_MIN_DURATION_S`.

    Raises
    ------
    GaitscopeError
        Nobody found on any sampled frame, or nobody moving (see the module docstring).
    """
    if info.duration_s < PRESCAN_MIN_DURATION_S:
        return 0
    from gaitscope.capture.video import iter_frames_at
    from gaitscope.pose._mediapipe import NAMES
    from gaitscope.pose._people import PeopleDetector

    idx = _sample_indices(info)
    if log is not None:
        log(f"pose: {info.duration_s:.0f} s clip: checking for someone walking on {idx.size} frames first")
    detector = PeopleDetector()
    seen: list[walker_mod.Person] = []
    n = 0
    try:
        for fr in iter_frames_at(info, idx):
            n += 1
            for xyz, score in detector.detect(fr.rgb, fr.t_s):
                p = walker_mod.person_from_keypoints(fr.index, xyz, score, NAMES)
                if p is not None:
                    seen.append(p)
            if _moving(seen, info.width_px):
                return n
    finally:
        detector.close()
    path = info.path
    if not seen:
        raise GaitscopeError(
            f"{path}: no person was found in the video (checked one frame per second over {info.duration_s:.0f} s); "
            "film the whole body (head to feet) of one person walking side-on, in good light, filling at least "
            "a third of the frame height"
        )
    raise GaitscopeError(
        f"{path}: a person is visible but does not walk (checked one frame per second over {info.duration_s:.0f} s); "
        f"{walker_mod.FILMING_ADVICE[None]}"
    )
