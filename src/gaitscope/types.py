"""Central data types that flow between pipeline stages.

Everything here is a frozen dataclass validated on construction, so a stage can trust
what it receives. See ``docs/conventions.md`` for the frames, units and sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal, Mapping

import numpy as np

#: Keypoint vocabulary shared by every source (video backends, mocap, phantom, other tools).
#: A ``PoseSequence`` holds any subset of these, in any order. Sides are the person's own.
KEYPOINT_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "c7",  # 7th cervical vertebra (mocap) -- the base of the neck
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",  # hip joint centre (mocap: regression from pelvis markers; video: model's hip)
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_toe",  # forefoot tip / 2nd metatarsal head (see docs/conventions.md)
    "right_toe",
)

SIDES: tuple[str, str] = ("left", "right")

Frame = Literal["image", "world"]


class GaitscopeError(Exception):
    """An error a user can cause (bad file, wrong view ...).

    The CLI prints ``str(error)`` as one line and exits non-zero, without a traceback.
    The message names the file (when there is one) and says what to do.
    """

    exit_code: int = 2


@dataclass(frozen=True, eq=False)
class PoseSequence:
    """Keypoints of one person over time.

    Parameters
    ----------
    xyz
        Array ``(n_frames, n_keypoints, 3)``, float. Missing values are NaN.
        ``frame="image"``: x, y in pixels, origin at the top-left of the upright image, +y down;
        z is the backend's relative depth (unitless, may be NaN).
        ``frame="world"``: metres, +x the walking (facing) direction, +y up,
        +z to the person's right (right-handed).
    score
        Array ``(n_frames, n_keypoints)`` in [0, 1]: the backend's confidence (visibility)
        of each keypoint; 0 where missing. Mocap markers are 1 where present.
    names
        Keypoint names, each from :data:`KEYPOINT_NAMES`, one per column of ``xyz``.
    t_s
        Array ``(n_frames,)``: time of each sample in seconds from the input's first
        sample (video: the presentation timestamp). Strictly increasing.
    frame
        ``"image"`` or ``"world"``.
    frame_index
        Array ``(n_frames,)`` of int: the 0-based sample index in the original input
        (differs from ``arange(n)`` when frames were dropped or subsampled).
    image_size_px
        ``(width, height)`` of the upright image for ``frame="image"``, else ``None``.
    source
        Where the data came from (file path, ``"phantom"`` ...).
    meta
        Free-form provenance: backend name and version, nominal rate, marker mapping ...
    """

    xyz: np.ndarray
    score: np.ndarray
    names: tuple[str, ...]
    t_s: np.ndarray
    frame: Frame
    frame_index: np.ndarray | None = None
    image_size_px: tuple[int, int] | None = None
    source: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        xyz = np.asarray(self.xyz, dtype=float)
        score = np.asarray(self.score, dtype=float)
        t_s = np.asarray(self.t_s, dtype=float)
        names = tuple(self.names)
        if xyz.ndim != 3 or xyz.shape[2] != 3:
            raise ValueError(f"xyz must have shape (n_frames, n_keypoints, 3), got {xyz.shape}")
        n, k, _ = xyz.shape
        if score.shape != (n, k):
            raise ValueError(f"score must have shape {(n, k)}, got {score.shape}")
        if len(names) != k:
            raise ValueError(f"{k} keypoint columns but {len(names)} names")
        unknown = [nm for nm in names if nm not in KEYPOINT_NAMES]
        if unknown:
            raise ValueError(f"unknown keypoint names {unknown}; see gaitscope.types.KEYPOINT_NAMES")
        if len(set(names)) != len(names):
            raise ValueError("duplicate keypoint names")
        if t_s.shape != (n,):
            raise ValueError(f"t_s must have shape ({n},), got {t_s.shape}")
        if n and not np.all(np.isfinite(t_s)):
            raise ValueError("t_s must be finite")
        if n > 1 and not np.all(np.diff(t_s) > 0):
            raise ValueError("t_s must be strictly increasing")
        if self.frame not in ("image", "world"):
            raise ValueError(f"frame must be 'image' or 'world', got {self.frame!r}")
        if self.frame == "image" and self.image_size_px is None:
            raise ValueError("an image-frame PoseSequence needs image_size_px")
        fi = np.arange(n) if self.frame_index is None else np.asarray(self.frame_index)
        if fi.shape != (n,):
            raise ValueError(f"frame_index must have shape ({n},), got {fi.shape}")
        fi = fi.astype(np.int64)
        if n > 1 and not np.all(np.diff(fi) > 0):
            raise ValueError("frame_index must be strictly increasing")
        score = np.where(np.isfinite(score), score, 0.0)
        if np.any(score < 0) or np.any(score > 1):
            raise ValueError("score must lie in [0, 1]")
        for arr in (xyz, score, t_s, fi):
            arr.setflags(write=False)
        object.__setattr__(self, "xyz", xyz)
        object.__setattr__(self, "score", score)
        object.__setattr__(self, "t_s", t_s)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "frame_index", fi)
        if self.image_size_px is not None:
            w, h = self.image_size_px
            object.__setattr__(self, "image_size_px", (int(w), int(h)))
        object.__setattr__(self, "meta", dict(self.meta))

    # ------------------------------------------------------------------ access
    @property
    def n_frames(self) -> int:
        return int(self.xyz.shape[0])

    def has(self, name: str) -> bool:
        return name in self.names

    def index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"keypoint {name!r} not in this PoseSequence ({', '.join(self.names)})") from None

    def get(self, name: str) -> np.ndarray:
        """Coordinates ``(n_frames, 3)`` of one keypoint (read-only view)."""
        return self.xyz[:, self.index(name), :]

    def get_score(self, name: str) -> np.ndarray:
        return self.score[:, self.index(name)]

    @property
    def measured_with(self) -> str:
        """What the keypoints were measured with, for the measurement-error tables: ``"video"`` (image frame),
        ``"markerless"`` (3-D keypoints estimated from video and loaded through a marker set marked ``markerless``:
        OpenCap, Pose2Sim; no error has been measured for them) or ``"lab"`` (every other 3-D input)."""
        if self.frame == "image":
            return "video"
        choice = self.meta.get("marker_set_choice")
        if isinstance(choice, Mapping) and choice.get("markerless"):
            return "markerless"
        return "lab"

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0]) if self.n_frames > 1 else 0.0

    @property
    def median_rate_hz(self) -> float:
        """Median sampling rate from the timestamps (NaN with fewer than two samples)."""
        if self.n_frames < 2:
            return float("nan")
        return float(1.0 / np.median(np.diff(self.t_s)))

    # --------------------------------------------------------------- derive
    def with_xyz(self, xyz: np.ndarray, score: np.ndarray | None = None, **changes: Any) -> "PoseSequence":
        """A copy with new coordinates (and optionally scores or other fields)."""
        return replace(self, xyz=xyz, score=self.score if score is None else score, **changes)

    def select_frames(self, mask_or_index: np.ndarray) -> "PoseSequence":
        """A copy holding only some frames (boolean mask or increasing integer index)."""
        sel = np.asarray(mask_or_index)
        return replace(
            self,
            xyz=self.xyz[sel],
            score=self.score[sel],
            t_s=self.t_s[sel],
            frame_index=self.frame_index[sel],
        )

    def select_keypoints(self, names: tuple[str, ...] | list[str]) -> "PoseSequence":
        idx = [self.index(n) for n in names]
        return replace(self, xyz=self.xyz[:, idx], score=self.score[:, idx], names=tuple(names))


Status = Literal["present", "absent", "not_assessable"]


@dataclass(frozen=True)
class Evidence:
    """One measured value compared with a threshold.

    ``comparison`` is one of ``">"``, ``"<"``, ``">="``, ``"<="``; ``source`` names the
    threshold's origin (author, year, journal or guideline). ``side``: whose strides the value
    comes from; ``for_side``: the side whose rule evaluation it belongs to (it differs from
    ``side`` for a condition that reads the other side's strides, e.g. the other leg's vaulting
    in a stiff-knee finding); None for pooled rules and posture. ``error``: the measurement error of
    ``value`` for the view it was measured from, in ``unit`` (the threshold row's ``error_by_view``, or a
    posture measure's stated error); None when not known.
    """

    metric: str
    value: float
    unit: str
    comparison: str
    threshold: float
    source: str
    side: str | None = None
    note: str = ""
    for_side: str | None = None
    error: float | None = None


#: Codes of :class:`Unassessable` (why a metric could not be judged).
UNASSESSABLE_CODES = ("wrong_view", "input", "not_measured", "no_strides", "too_few_strides",
                      "too_few_strides_other_side", "needs_positive_means", "needs_values", "far_leg")


@dataclass(frozen=True)
class Unassessable:
    """Why one metric of a rule could not be judged, as data (no prose to parse).

    ``code``: one of :data:`UNASSESSABLE_CODES`; ``metric``: the metric (metrics.csv name); ``side``:
    ``left``/``right`` or None (both sides together); ``have``/``need``: strides available and needed
    (``too_few_strides*``), else None; ``needs``: what would make it judgeable (a view, an input ...).
    """

    code: str
    metric: str
    side: str | None = None
    have: int | None = None
    need: int | None = None
    needs: str = ""

    def __post_init__(self) -> None:
        if self.code not in UNASSESSABLE_CODES:
            raise ValueError(f"bad unassessable code {self.code!r}")


@dataclass(frozen=True)
class Finding:
    """A pattern or posture finding with its evidence.

    ``status``: ``present``, ``absent`` or ``not_assessable`` (then ``reason`` says why in words and
    ``missing`` says it as data: one :class:`Unassessable` per metric that could not be judged).
    ``severity``: 0 (none) .. 3 (severe); ``side``: ``left``, ``right``, ``both`` or None.
    """

    code: str
    status: Status
    side: str | None = None
    severity: int = 0
    evidence: tuple[Evidence, ...] = ()
    reason: str = ""
    missing: tuple[Unassessable, ...] = ()

    def __post_init__(self) -> None:
        if self.status not in ("present", "absent", "not_assessable"):
            raise ValueError(f"bad status {self.status!r}")
        if self.side not in (None, "left", "right", "both"):
            raise ValueError(f"bad side {self.side!r}")
        if not 0 <= self.severity <= 3:
            raise ValueError("severity must be 0..3")
        if self.status == "not_assessable" and not self.reason:
            raise ValueError("a not_assessable finding needs a reason")
