"""Choose the walker among the people in view (pure functions, no model).

Input: people found on a subsample of frames (:class:`gaitscope.pose._people.PeopleDetector`).
1. Duplicates of one person in a frame (box overlap) are merged.
2. People are linked across sampled frames into tracks by the nearest hip midpoint, gated by
   the person's own height, so identity is kept; a track may miss a few samples.
3. The walker is the track that travels most, across the frame or in depth, each measured
   against what counts as walking:

   * across: 5th-95th percentile range of the hip-midpoint x (px), against
     :data:`MIN_TRAVEL_BODY_HEIGHTS` of its own height (or :data:`MIN_TRAVEL_FRAME_FRACTION` of
     the frame width, whichever is smaller);
   * in depth (toward or away from the camera): the image of a body grows or shrinks in
     inverse proportion to its distance, so the change from the first to the last tenth of the track of the log of its
     apparent height is a travel in depth that no pan or tilt of the camera can fake, against
     :data:`MIN_DEPTH_LOG_SIZE` (the body's image grows or shrinks by at least 22 %: 1.2 m of
     walking from 6.7 m away; ``walk_frontal_toward_camera.mp4`` grows 350 -> 585 px, 0.5).

   A track that reaches neither is a person visible but not walking; the refusal's advice fits
   the view the user was asked to film (``expected_view``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gaitscope.types import GaitscopeError

#: Link gate: a person in the next sample belongs to a track if the hip midpoint moved less than
#: this many of the track's body heights (walking moves about 0.1 height per 1/6 s).
LINK_GATE_BODY_HEIGHTS = 0.6
#: A track survives this many sampled frames without a match.
MAX_MISSED_SAMPLES = 3
#: Two people in one frame whose boxes overlap more than this (intersection over union) are one.
DUPLICATE_IOU = 0.5
#: Walking: the walker's hip must travel at least this many of its body heights across the frame ...
MIN_TRAVEL_BODY_HEIGHTS = 1.0
#: ... or this fraction of the frame width (for people filmed so close that they fill the frame).
MIN_TRAVEL_FRAME_FRACTION = 0.4
#: ... or its image must grow or shrink by this much (natural log of the apparent-height ratio, last
#: tenth of the track vs first): walking in depth, toward or away from the camera. 0.2 = 22 % bigger or 18 % smaller.
MIN_DEPTH_LOG_SIZE = 0.2
#: A track needs this many sampled frames to count as a person (drops one-off false detections).
MIN_TRACK_SAMPLES = 3
#: Smaller than this median height (px) BlazePose cannot place heels and toes reliably.
MIN_PERSON_HEIGHT_PX = 80
#: Below this median height (px) the result is kept but the user is warned.
SMALL_PERSON_HEIGHT_PX = 200

_HIPS = ("left_hip", "right_hip")


@dataclass(frozen=True)
class Person:
    """One person in one frame: ``box_px`` = (x0, y0, x1, y1) of the keypoints, ``hip_px`` (x, y)."""

    frame: int
    box_px: tuple[float, float, float, float]
    hip_px: tuple[float, float]
    mean_score: float
    #: Apparent body size without the arms (mid-shoulders to mid-ankles, px; NaN if not seen):
    #: the depth measure, which a raised arm must not change.
    size_px: float = float("nan")

    @property
    def height_px(self) -> float:
        return self.box_px[3] - self.box_px[1]


@dataclass(frozen=True)
class Track:
    """A person followed over sampled frames (``frames`` increasing)."""

    frames: np.ndarray
    box_px: np.ndarray  # (m, 4)
    hip_px: np.ndarray  # (m, 2)
    size_px: np.ndarray | None = None  # (m,) mid-shoulders to mid-ankles, NaN where unknown

    def _sizes(self) -> tuple[np.ndarray, np.ndarray]:
        """(frames, apparent size px) where known: shoulders-ankles span, else the box height."""
        h = self.box_px[:, 3] - self.box_px[:, 1]
        if self.size_px is not None and np.isfinite(self.size_px).sum() >= max(3, 0.5 * h.size):
            ok = np.isfinite(self.size_px) & (self.size_px > 0)
            return self.frames[ok], self.size_px[ok]
        ok = h > 0
        return self.frames[ok], h[ok]

    @property
    def travel_px(self) -> float:
        """Horizontal travel: 5th-95th percentile range of hip-midpoint x (px)."""
        x = self.hip_px[:, 0]
        return float(np.percentile(x, 95) - np.percentile(x, 5)) if x.size else 0.0

    @property
    def height_px(self) -> float:
        """Median keypoint-box height (px), about the body height."""
        return float(np.median(self.box_px[:, 3] - self.box_px[:, 1]))

    @property
    def depth_travel(self) -> float:
        """Travel in depth: the steady change of ln(apparent height) over the track, dimensionless
        (0.69 = the image doubled or halved in size): the difference between the medians of its
        first and last tenths of the track (at least 3 samples each). A change from start to end, not a
        range, so a person who crouches, jumps or bends in place (the parkour person in the outdoor
        clip) does not count as walking in depth."""
        h = np.log(self._sizes()[1])
        if h.size < 6:
            return 0.0
        q = max(3, h.size // 10)
        return float(abs(np.median(h[-q:]) - np.median(h[:q])))

    @property
    def depth_direction(self) -> str:
        """``"toward_camera"`` when the image grows over the track, else ``"away_from_camera"``."""
        f, h = self._sizes()
        if h.size < 2:
            return "away_from_camera"
        slope = np.polyfit(f.astype(float), np.log(h), 1)[0]
        return "toward_camera" if slope > 0 else "away_from_camera"

    @property
    def foot_travel_px(self) -> float:
        """Vertical travel of the box's lower edge (the feet): 5th-95th percentile range, px."""
        y = self.box_px[:, 3]
        return float(np.percentile(y, 95) - np.percentile(y, 5)) if y.size else 0.0

    def needed_travel_px(self, image_width_px: int) -> float:
        """Horizontal travel (px) that counts as walking across the frame."""
        return min(MIN_TRAVEL_BODY_HEIGHTS * self.height_px, MIN_TRAVEL_FRAME_FRACTION * image_width_px)

    def walking_score(self, image_width_px: int) -> float:
        """Travel across or in depth as a multiple of what counts as walking (>= 1: walking)."""
        across = self.travel_px / max(self.needed_travel_px(image_width_px), 1.0)
        return max(across, self.depth_travel / MIN_DEPTH_LOG_SIZE)

    def direction(self, image_width_px: int) -> str:
        """``"across"``, ``"toward_camera"`` or ``"away_from_camera"``: the larger of the two travels."""
        across = self.travel_px / max(self.needed_travel_px(image_width_px), 1.0)
        return "across" if across >= self.depth_travel / MIN_DEPTH_LOG_SIZE else self.depth_direction


def person_from_keypoints(frame: int, xyz_px: np.ndarray, score: np.ndarray, names: tuple[str, ...]) -> Person | None:
    """Summarise a detected person; ``None`` if the hips are missing."""
    xy = np.asarray(xyz_px)[:, :2]
    ok = np.isfinite(xy).all(axis=1)
    hips = [names.index(n) for n in _HIPS]
    if not ok.any() or not ok[hips].all():
        return None
    box = (float(xy[ok, 0].min()), float(xy[ok, 1].min()), float(xy[ok, 0].max()), float(xy[ok, 1].max()))
    hip = xy[hips].mean(axis=0)
    size = float("nan")
    if all(n in names for n in ("left_shoulder", "right_shoulder", "left_ankle", "right_ankle")):
        sh = xy[[names.index("left_shoulder"), names.index("right_shoulder")]].mean(axis=0)
        an = xy[[names.index("left_ankle"), names.index("right_ankle")]].mean(axis=0)
        size = float(np.hypot(*(an - sh)))
    return Person(frame=frame, box_px=box, hip_px=(float(hip[0]), float(hip[1])), mean_score=float(np.mean(score)),
                  size_px=size)


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def merge_duplicates(people: list[Person]) -> list[Person]:
    """Keep one of each group of overlapping detections (highest mean score first)."""
    kept: list[Person] = []
    for p in sorted(people, key=lambda q: -q.mean_score):
        if all(_iou(p.box_px, k.box_px) <= DUPLICATE_IOU for k in kept):
            kept.append(p)
    return kept


def link_tracks(people_by_frame: dict[int, list[Person]]) -> list[Track]:
    """Link people across sampled frames (greedy nearest hip midpoint, height-gated).

    Returns tracks with at least :data:`MIN_TRACK_SAMPLES` samples, longest first.
    """
    frames = sorted(people_by_frame)
    sample_pos = {f: i for i, f in enumerate(frames)}
    open_tracks: list[list[Person]] = []
    closed: list[list[Person]] = []
    for f in frames:
        people = merge_duplicates(people_by_frame[f])
        alive = []
        for tr in open_tracks:
            if sample_pos[f] - sample_pos[tr[-1].frame] > MAX_MISSED_SAMPLES + 1:
                closed.append(tr)
            else:
                alive.append(tr)
        open_tracks = alive
        pairs = []
        for ti, tr in enumerate(open_tracks):
            last = tr[-1]
            scale = max(np.median([p.height_px for p in tr[-5:]]), 1.0)
            for pi, p in enumerate(people):
                d = np.hypot(p.hip_px[0] - last.hip_px[0], p.hip_px[1] - last.hip_px[1]) / scale
                if d < LINK_GATE_BODY_HEIGHTS:
                    pairs.append((d, ti, pi))
        used_t: set[int] = set()
        used_p: set[int] = set()
        for d, ti, pi in sorted(pairs):
            if ti in used_t or pi in used_p:
                continue
            open_tracks[ti].append(people[pi])
            used_t.add(ti)
            used_p.add(pi)
        for pi, p in enumerate(people):
            if pi not in used_p:
                open_tracks.append([p])
    closed.extend(open_tracks)
    tracks = [
        Track(
            frames=np.array([p.frame for p in tr]),
            box_px=np.array([p.box_px for p in tr], dtype=float),
            hip_px=np.array([p.hip_px for p in tr], dtype=float),
            size_px=np.array([p.size_px for p in tr], dtype=float),
        )
        for tr in closed
        if len(tr) >= MIN_TRACK_SAMPLES
    ]
    tracks.sort(key=lambda t: -t.frames.size)
    return tracks


#: What to film, by the view the user was asked for (``expected_view`` of :func:`choose_walker`).
FILMING_ADVICE = {
    "side": "record the person walking side-on across the frame for a few strides",
    "frontal": "record the person walking straight toward (or away from) the phone for at least 4 strides, "
               "whole body in view",
    None: "record the person walking side-on across the frame, or straight toward or away from the phone, "
          "for a few strides",
}


def choose_walker(
    tracks: list[Track], *, image_width_px: int, path: str | Path, expected_view: str | None = None
) -> Track:
    """The track that travels most (across the frame or in depth, each against what counts as
    walking: :meth:`Track.walking_score`); raises :class:`GaitscopeError` when there is nobody,
    nobody walking, or the walker is too small to measure.

    ``expected_view``: ``"side"``, ``"frontal"`` or None (unknown): the view the user was asked to
    film, used only for the advice in a refusal.
    """
    advice = FILMING_ADVICE.get(expected_view, FILMING_ADVICE[None])
    if not tracks:
        what = {"side": "walking side-on", "frontal": "walking toward or away from the phone"}.get(
            expected_view, "walking")
        raise GaitscopeError(
            f"{path}: no person was found in the video; film the whole body (head to feet) of one person "
            f"{what}, in good light, filling at least a third of the frame height"
        )
    walker = max(tracks, key=lambda t: t.walking_score(image_width_px))
    if walker.walking_score(image_width_px) < 1.0:
        needed = walker.needed_travel_px(image_width_px)
        grow = 100.0 * (np.exp(walker.depth_travel) - 1.0)
        raise GaitscopeError(
            f"{path}: a person is visible but does not walk across the frame or toward or away from the camera (moved {walker.travel_px:.0f} px across the frame, "
            f"need {needed:.0f} px; image size changed {grow:.0f} %, need "
            f"{100.0 * (np.exp(MIN_DEPTH_LOG_SIZE) - 1.0):.0f} % for walking toward or away from the camera); "
            f"{advice}"
        )
    if walker.height_px < MIN_PERSON_HEIGHT_PX:
        raise GaitscopeError(
            f"{path}: the walker is only about {walker.height_px:.0f} px tall, too small to place heels and toes; "
            f"film closer so the person is at least {SMALL_PERSON_HEIGHT_PX} px (a third of the frame) tall"
        )
    return walker


def walker_boxes(track: Track, n_frames: int, *, pad_frames: int, pad_body_heights: float = 0.25) -> np.ndarray:
    """Per-frame box ``(n_frames, 4)`` around the walker (x0, y0, x1, y1 px), NaN outside its span.

    Box edges are linearly interpolated between sampled frames, widened by
    ``pad_body_heights`` of the walker's height on every side, and the span is extended by
    ``pad_frames`` at both ends (holding the end boxes).
    """
    out = np.full((n_frames, 4), np.nan)
    f = track.frames
    lo = max(0, int(f[0]) - pad_frames)
    hi = min(n_frames, int(f[-1]) + pad_frames + 1)
    idx = np.arange(lo, hi)
    for j in range(4):
        out[lo:hi, j] = np.interp(idx, f, track.box_px[:, j])
    pad = pad_body_heights * track.height_px
    out[lo:hi, 0:2] -= pad
    out[lo:hi, 2:4] += pad
    return out
