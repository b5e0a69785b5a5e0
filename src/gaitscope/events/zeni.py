"""Zeni et al. 2008 coordinate method: a reference method, for comparison only.

Zeni JA, Richards JG, Higginson JS (2008). Two simple methods for determining gait events
during treadmill and overground walking using kinematic data. Gait Posture 27:710-714.

* IC (heel strike) = the heel's most anterior position relative to the pelvis.
* FC (toe off) = the toe's most posterior position relative to the pelvis.

gaitscope does not use it to measure (its events come from the foot-velocity method in
:mod:`gaitscope.events.foot_velocity`). It is here because some reference data are defined by
it: the stride events of ``foot_markers_healthy.csv`` (gaitmap example data) were "extracted
with the Zeni algorithm" from the motion capture, and the benchmark measures how far that
definition lies from force-plate contact on the recordings that have force plates
(``benchmarks/accuracy_events.py``, ``docs/events.md``).

Needs 3-D world keypoints (:class:`gaitscope.types.PoseSequence` with ``frame="world"``, +x the
walking direction) with both hips, heels and toes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.signal import find_peaks

from gaitscope.types import SIDES, PoseSequence

#: shortest time between two events of one kind on one foot (s): half a slow stride
MIN_INTERVAL_S = 0.4
#: an extremum must stand out by this much from its neighbours (m) to count as a step
MIN_PROMINENCE_M = 0.05


def zeni_events(pose: PoseSequence, *, min_interval_s: float = MIN_INTERVAL_S,
                min_prominence_m: float = MIN_PROMINENCE_M) -> pd.DataFrame:
    """IC and FC by the Zeni 2008 coordinate method.

    Parameters
    ----------
    pose
        World-frame keypoints in metres, +x the walking direction (treadmill or one straight
        overground pass), with ``left_hip``, ``right_hip``, ``{side}_heel`` and ``{side}_toe``.
    min_interval_s
        Shortest time between two events of the same kind on the same foot, s.
    min_prominence_m
        Prominence an extremum of the heel or toe position needs, m.

    Returns
    -------
    pandas.DataFrame
        Columns ``event`` (``"ic"``/``"fc"``), ``side``, ``frame`` (0-based sample index) and
        ``t_s`` (the sample's time; no interpolation), sorted by time.
    """
    if pose.frame != "world":
        raise ValueError("zeni_events needs world-frame keypoints (metres, +x forward)")
    xyz = pose.xyz
    pelvis_x = 0.5 * (xyz[:, pose.index("left_hip"), 0] + xyz[:, pose.index("right_hip"), 0])
    distance = max(1, int(round(min_interval_s * float(pose.median_rate_hz))))
    rows = []
    for side in SIDES:
        heel_rel_m = xyz[:, pose.index(f"{side}_heel"), 0] - pelvis_x
        toe_rel_m = xyz[:, pose.index(f"{side}_toe"), 0] - pelvis_x
        for event, signal in (("ic", heel_rel_m), ("fc", -toe_rel_m)):
            peaks, _ = find_peaks(np.nan_to_num(signal, nan=-np.inf), distance=distance,
                                  prominence=min_prominence_m)
            for i in peaks:
                if np.isfinite(signal[i]):
                    rows.append((event, side, int(pose.frame_index[i]), float(pose.t_s[i])))
    out = pd.DataFrame(rows, columns=["event", "side", "frame", "t_s"])
    return out.sort_values("t_s", kind="stable").reset_index(drop=True)
