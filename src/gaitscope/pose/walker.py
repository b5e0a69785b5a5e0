"""Choose the walker among the people in view (pure functions, no model).

Input: people found on a subsample of frames (:class:`gaitscope.pose._people.PeopleDetector`).
1. Duplicates of one person in a frame (box overlap) are merged.
2. People are linked across sampled frames into tracks by the nearest hip midpoint, gated by
   the person's own height, so identity is kept; a track may miss a few samples.
3. The walker is the track that travels most horizontally (5th-95th percentile range of its
   hip-midpoint x, px). It must travel at least :data:`MIN_TRAVEL_BODY_HEIGHTS` of its own
   height (or :data:`MIN_TRAVEL_FRAME_FRACTION` of the frame width, whichever is smaller),
   else the person is visible but not walking.
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

    @property
    def height_px(self) -> float:
        return self.box_px[3] - self.box_px[1]


@dataclass(frozen=True)
class Track:
    """A person followed over sampled frames (``frames`` increasing)."""

    frames: np.ndarray
    box_px: np.ndarray  # (m, 4)
    hip_px: np.ndarray  # (m, 2)

    @property
    def travel_px(self) -> float:
        """Horizontal travel: 5th-95th percentile range of hip-midpoint x (px)."""
        x = self.hip_px[:, 0]
        return float(np.percentile(x, 95) - np.percentile(x, 5)) if x.size else 0.0

    @property
    def height_px(self) -> float:
        """Median keypoint-box height (px), about the body height."""
        return float(np.median(self.box_px[:, 3] - self.box_px[:, 1]))


def person_from_keypoints(frame: int, xyz_px: np.ndarray, score: np.ndarray, names: tuple[str, ...]) -> Person | None:
    """Summarise a detected person; ``None`` if the hips are missing."""
    xy = np.asarray(xyz_px)[:, :2]
    ok = np.isfinite(xy).all(axis=1)
    hips = [names.index(n) for n in _HIPS]
    if not ok.any() or not ok[hips].all():
        return None
    box = (float(xy[ok, 0].min()), float(xy[ok, 1].min()), float(xy[ok, 0].max()), float(xy[ok, 1].max()))
    hip = xy[hips].mean(axis=0)
    return Person(frame=frame, box_px=box, hip_px=(float(hip[0]), float(hip[1])), mean_score=float(np.mean(score)))


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
        )
        for tr in closed
        if len(tr) >= MIN_TRACK_SAMPLES
    ]
    tracks.sort(key=lambda t: -t.frames.size)
    return tracks


def choose_walker(tracks: list[Track], *, image_width_px: int, path: str | Path) -> Track:
    """The track that travels most horizontally; raises :class:`GaitscopeError` when there is
    nobody, nobody walking, or the walker is too small to measure.
    """
    if not tracks:
        raise GaitscopeError(
            f"{path}: no person was found in the video; film the whole body (head to feet) of one person "
            "walking side-on, in good light, filling at least a third of the frame height"
        )
    walker = max(tracks, key=lambda t: t.travel_px)
    needed = min(MIN_TRAVEL_BODY_HEIGHTS * walker.height_px, MIN_TRAVEL_FRAME_FRACTION * image_width_px)
    if walker.travel_px < needed:
        raise GaitscopeError(
            f"{path}: a person is visible but does not walk across the frame (moved {walker.travel_px:.0f} px, "
            f"need {needed:.0f} px); record the person walking side-on across the frame for a few strides"
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
