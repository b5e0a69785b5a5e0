"""The pose stage end to end: video -> keypoints of the walker, cached beside the outputs.

Steps (see ``docs/pose.md``):

1. Probe the video (:func:`gaitscope.capture.video.probe_video`); refuse clearly what cannot work.
2. **Pass 1, both cores.** The clip is cut into ``workers`` contiguous chunks, one worker
   process each (the caller only waits). Each chunk runs BlazePose on every frame with a fresh
   detection per frame (:data:`VIDEO_BACKEND_SETTINGS`: MediaPipe's tracking mode misplaces the
   feet); a tracking backend would start :data:`WARMUP_FRAMES` early so it is settled at the seam
   (warm-up outputs dropped). Each chunk also looks for *all* people on every
   ``sample_every``-th frame (:class:`~gaitscope.pose._people.PeopleDetector`). Decoding runs in
   a background thread of each process.
3. Link the people into tracks and choose the walker (:mod:`gaitscope.pose.walker`).
4. **Pass 2, on the frames where pass 1 missed the walker** (it followed someone else, or found
   nobody: a person 350 px tall in a 1080p frame is too small for the whole-frame detector):
   rerun BlazePose on a crop of each such frame to the walker's (interpolated, padded) box, so
   the single-person model cannot pick anyone else and sees the walker large enough (each frame
   is detected afresh, so a moving crop is harmless); frames where the walker is not in view
   stay empty. Cropping, not greying out the rest: with the surroundings greyed, BlazePose
   fitted the walker upside down in about a third of the frames of the outdoor clip.
4b. Camera motion from the background outside the walker's box
   (:mod:`gaitscope.capture.camera_motion`), stored in the pose's ``meta["camera_motion"]``; the
   signal stage removes it before contacts and distances are read.
5. Write ``pose.csv`` + ``pose.json`` (and optionally ``overlay.mp4``); a later run with the same
   video (size and modification time) and backend reuses them.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from gaitscope.capture.pose_csv import read_pose_csv, sidecar_path, write_pose_csv
from gaitscope.capture.video import DEFAULT_MAX_DURATION_S, VideoInfo, iter_frames, probe_video
from gaitscope.outputs import atomic_path, remove_leftovers
from gaitscope.pose import walker as walker_mod
from gaitscope.pose.backends import get_backend
from gaitscope.types import GaitscopeError, PoseSequence

#: Version of this stage's output; bump when results change so old caches are not reused.
POSE_STAGE_VERSION = 4
#: Frames each chunk runs before its first kept frame, so a *tracking* backend is settled at the
#: seam (not needed when every frame is detected afresh).
WARMUP_FRAMES = 10
#: Backend settings for video. MediaPipe runs with a fresh detection on every frame
#: (``static_image_mode``): its tracking mode derives each crop from the previous frame's
#: landmarks and then misplaces the feet badly in about 1 frame in 5 on
#: walk_sagittal_older_adult.mp4 (swing foot and even the stance foot 40-70 px off; checked
#: by eye, see docs/pose.md), while per-frame detection lands on the shoes. It costs about
#: 1.6x the tracking loop; the two cores pay for it. The low detection threshold lets a walker
#: half out of the frame (entering, leaving) be found; false finds are removed afterwards by the
#: walker gate (a pose must lie in the walker's box, inside the walker's time span).
VIDEO_BACKEND_SETTINGS: dict[str, dict[str, Any]] = {
    "mediapipe": {"static_image_mode": True, "min_detection_confidence": 0.1}
}
#: ``mode="fast"`` trades foot accuracy for speed: MediaPipe's own tracking (about 0.64x the
#: CPU per frame of ``"accurate"``), with the foot misplacements described above.
FAST_BACKEND_SETTINGS: dict[str, dict[str, Any]] = {
    "mediapipe": {"static_image_mode": False, "min_detection_confidence": 0.1}
}
MODES = ("accurate", "fast")


def backend_settings(backend: str, mode: str) -> dict[str, Any]:
    """Settings of ``backend`` for video in ``mode`` (``"accurate"`` or ``"fast"``)."""
    if mode not in MODES:
        raise GaitscopeError(f"unknown pose mode {mode!r}; use one of {', '.join(MODES)}")
    table = VIDEO_BACKEND_SETTINGS if mode == "accurate" else FAST_BACKEND_SETTINGS
    return dict(table.get(backend, {}))
#: Workers report their count of frames done every this many frames; the caller shows it
#: every PROGRESS_INTERVAL_S seconds.
PROGRESS_EVERY_FRAMES = 5
PROGRESS_INTERVAL_S = 0.5
#: Chunks shorter than this are not worth a process (start-up costs about 1 s).
MIN_CHUNK_FRAMES = 90
#: How often all people in view are searched for (a search costs about 1.7 tracked frames).
PEOPLE_SEARCH_HZ = 3.0
#: ... but at least this many searches per clip (short clips).
MIN_PEOPLE_SEARCHES = 24
#: Warn when the walker's keypoints are found in less than this fraction of the frames of the
#: walker's track (first to last people search that saw the walker).
MIN_FOUND_FRACTION = 0.6
#: Pass 2 crops narrower or lower than this (px) are skipped (walker leaving the frame).
MIN_CROP_PX = 32

CSV_NAME = "pose.csv"
OVERLAY_NAME = "overlay.mp4"


@dataclass(frozen=True)
class PoseRunResult:
    """What :func:`run_pose` did: the walker's keypoints and where they were written."""

    pose: PoseSequence
    out_dir: Path
    message: str
    csv_path: Path
    overlay_path: Path | None = None
    from_cache: bool = False
    warnings: tuple[str, ...] = ()
    timings_s: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Job:
    info: VideoInfo
    start: int
    stop: int
    backend: str
    mode: str  # "accurate" | "fast"
    sample_every: int  # 0: do not look for people
    boxes: np.ndarray | None  # (n_frames, 4) walker box per frame, NaN where absent; None: whole frame
    progress_fd: int | None = None  # pipe (write end, inherited by the worker) for its count of frames done


def default_workers() -> int:
    """Cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _crop_box(box: np.ndarray, width_px: int, height_px: int) -> tuple[int, int, int, int]:
    """Integer crop (x0, y0, x1, y1) of a box, clipped to the image; empty if outside."""
    x0, y0 = int(max(0, np.floor(box[0]))), int(max(0, np.floor(box[1])))
    x1, y1 = int(min(width_px, np.ceil(box[2]))), int(min(height_px, np.ceil(box[3])))
    return x0, y0, max(x0, x1), max(y0, y1)


def _run_job(job: _Job) -> dict[str, Any]:
    """Run one chunk (in a worker process or the caller's); returns plain arrays."""
    from gaitscope.pose._people import PeopleDetector

    cpu0 = time.process_time()
    settings = backend_settings(job.backend, job.mode)
    backend = get_backend(job.backend, **settings)
    k = len(backend.names)
    n = job.stop - job.start
    xyz = np.full((n, k, 3), np.nan)
    score = np.zeros((n, k))
    world = np.full((n, k, 3), np.nan)
    people: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    detector = PeopleDetector() if job.sample_every else None
    first = job.start if settings.get("static_image_mode") else max(0, job.start - WARMUP_FRAMES)
    fed: list[tuple[int, int, int]] = []  # (frame index, crop x0, crop y0)

    def feed():
        for fr in iter_frames(job.info, start=first, stop=job.stop):
            if detector is not None and fr.index >= job.start and fr.index % job.sample_every == 0:
                people[fr.index] = detector.detect(fr.rgb, fr.t_s)
            img, x0, y0 = fr.rgb, 0, 0
            if job.boxes is not None:
                box = job.boxes[fr.index]
                if not np.isfinite(box).all():
                    continue
                x0, y0, x1, y1 = _crop_box(box, img.shape[1], img.shape[0])
                if x1 - x0 < MIN_CROP_PX or y1 - y0 < MIN_CROP_PX:
                    continue
                img = np.ascontiguousarray(img[y0:y1, x0:x1])
            fed.append((fr.index, x0, y0))
            yield img

    try:
        done = 0
        for fp in backend.estimate(feed()):
            index, x0, y0 = fed[-1]
            i = index - job.start
            if i < 0:
                continue  # warm-up frame
            done += 1
            if job.progress_fd is not None and done % PROGRESS_EVERY_FRAMES == 0:
                _write_count(job.progress_fd, done)
            xyz[i] = fp.xyz_px + np.array([x0, y0, 0.0])
            score[i] = fp.score
            world[i] = fp.world_m
    finally:
        if detector is not None:
            detector.close()
    return {
        "start": job.start,
        "xyz": xyz,
        "score": score,
        "world": world,
        "people": people,
        "cpu_s": time.process_time() - cpu0,
    }


class _Child:
    """One job in a worker process (``python -m gaitscope.pose._worker``), fed through pipes.

    Nothing is written to disk: the job goes in on stdin, the result comes back on stdout, the
    count of frames done on a third pipe, and the worker's log into an anonymous temporary file
    (no name, gone with the process). The worker dies with this process, however it ends
    (:func:`gaitscope.pose._worker.die_with_parent`).
    """

    def __init__(self, job: _Job, *, count_progress: bool = False) -> None:
        self.stdout = b""
        self.done = 0
        self.log = tempfile.TemporaryFile()
        read_fd = write_fd = None
        if count_progress:
            read_fd, write_fd = os.pipe()
            job = replace(job, progress_fd=write_fd)
        self.job = job
        env = dict(os.environ, GAITSCOPE_PARENT_PID=str(os.getpid()))
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gaitscope.pose._worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.log,
                pass_fds=() if write_fd is None else (write_fd,),
                env=env,
            )
        finally:
            if write_fd is not None:
                os.close(write_fd)  # the worker holds its own copy; EOF when it exits
        self.counter = None
        if read_fd is not None:
            self.counter = threading.Thread(target=self._count, args=(read_fd,), daemon=True)
            self.counter.start()
        payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        self.thread = threading.Thread(target=self._talk, args=(payload,), daemon=True)
        self.thread.start()

    def _count(self, read_fd: int) -> None:
        with os.fdopen(read_fd, "rb") as fh:
            for line in fh:
                try:
                    self.done = int(line)
                except ValueError:
                    pass

    def _talk(self, payload: bytes) -> None:
        try:
            self.stdout, _ = self.proc.communicate(input=payload)
        except (BrokenPipeError, OSError):
            self.proc.wait()

    def result(self) -> dict[str, Any]:
        self.thread.join()
        try:
            if self.proc.returncode != 0 or not self.stdout:
                self.log.seek(0)
                tail = self.log.read().decode(errors="replace").strip().splitlines()[-5:]
                raise RuntimeError(
                    f"pose worker for frames {self.job.start}-{self.job.stop} failed "
                    f"(exit {self.proc.returncode}): " + " | ".join(tail)
                )
            status, value = pickle.loads(self.stdout)
        finally:
            self.log.close()
        if status == "error":
            raise value
        return value

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.thread.join()
        if self.counter is not None:
            self.counter.join(timeout=1.0)
        self.log.close()


def _write_count(fd: int, count: int) -> None:
    """Send ``count`` (frames done) to the caller's progress thread, one line per count."""
    try:
        os.write(fd, f"{count}\n".encode())
    except OSError:
        pass  # the caller stopped listening; the work goes on


def _run_parallel(
    jobs: list[_Job], progress: Callable[[int, int], None] | None = None
) -> list[dict[str, Any]]:
    """Run each job in its own worker process, all at the same time.

    The caller's process only waits, so the model's native start-up chatter stays in the
    workers' logs and every chunk starts at once. With ``progress``, it is called about twice
    a second with (frames done, frames in all jobs), counted by the workers themselves.
    """
    total = sum(j.stop - j.start for j in jobs)
    children: list[_Child] = []
    stop = threading.Event()
    watcher = None
    try:
        for j in jobs:
            children.append(_Child(j, count_progress=progress is not None))

        def report() -> None:
            while not stop.wait(PROGRESS_INTERVAL_S):
                progress(sum(c.done for c in children), total)

        if progress is not None:
            watcher = threading.Thread(target=report, daemon=True)
            watcher.start()
        results = [c.result() for c in children]
    except BaseException:  # an error, Ctrl-C or SIGTERM: no worker outlives the call
        for c in children:
            c.kill()
        raise
    finally:
        stop.set()
        if watcher is not None:
            watcher.join()
    if progress is not None:
        progress(total, total)
    return results


def _chunks(n_frames: int, workers: int) -> list[tuple[int, int]]:
    n_chunks = max(1, min(workers, n_frames // MIN_CHUNK_FRAMES))
    edges = np.linspace(0, n_frames, n_chunks + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def _pass(
    info: VideoInfo,
    *,
    backend: str,
    mode: str,
    workers: int,
    sample_every: int,
    boxes: np.ndarray | None,
    progress: Callable[[int, int], None] | None = None,
):
    """Run the backend over the clip in parallel chunks.

    With ``boxes``, only frames with a finite box are processed (cropped to it): the chunks then
    cover just the span of those frames, split so each worker gets a similar number of them
    (a sparse re-run does not decode the whole clip).
    """
    n = info.n_frames
    if boxes is None:
        spans = _chunks(n, workers)
    else:
        todo = np.flatnonzero(np.isfinite(boxes).all(axis=1))
        if todo.size == 0:
            spans = []
        else:
            n_chunks = max(1, min(workers, todo.size // MIN_CHUNK_FRAMES))
            parts = np.array_split(todo, n_chunks)
            spans = [(int(p[0]), int(p[-1]) + 1) for p in parts if p.size]
    jobs = [
        _Job(info=info, start=a, stop=b, backend=backend, mode=mode, sample_every=sample_every, boxes=boxes)
        for a, b in spans
    ]
    results = _run_parallel(jobs, progress) if jobs else []
    names = get_backend(backend).names
    xyz = np.full((n, len(names), 3), np.nan)
    score = np.zeros((n, len(names)))
    world = np.full((n, len(names), 3), np.nan)
    people: dict[int, list] = {}
    for r in results:
        a = r["start"]
        b = a + len(r["xyz"])
        xyz[a:b], score[a:b], world[a:b] = r["xyz"], r["score"], r["world"]
        people.update(r["people"])
    return xyz, score, world, people, [round(r["cpu_s"], 3) for r in results]


def _people_sample_step(info: VideoInfo) -> int:
    """Frames between people searches: about :data:`PEOPLE_SEARCH_HZ`, but at least
    :data:`MIN_PEOPLE_SEARCHES` searches per clip."""
    rate = info.n_frames / max(info.duration_s, 1e-9)
    step = max(1, int(round(rate / PEOPLE_SEARCH_HZ)))
    return int(max(1, min(step, info.n_frames // MIN_PEOPLE_SEARCHES)))


class ProgressBar:
    """Prints ``pose: [#####-----] 120/401 frames`` to stderr: redrawn in place on a terminal,
    otherwise (a log file) one line at each quarter."""

    def __init__(self, label: str = "pose", width: int = 30, stream=None) -> None:
        self.label, self.width = label, width
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_quarter = -1

    def __call__(self, done: int, total: int) -> None:
        total = max(total, 1)
        done = min(done, total)
        filled = int(round(self.width * done / total))
        line = f"{self.label}: [{'#' * filled}{'-' * (self.width - filled)}] {done}/{total} frames"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
            self.stream.flush()
        else:
            quarter = 4 * done // total
            if quarter > self._last_quarter:
                self._last_quarter = quarter
                print(line, file=self.stream, flush=True)
        if done >= total:
            self._last_quarter = -1


def estimate_video(
    info: VideoInfo,
    *,
    backend: str = "mediapipe",
    workers: int | None = None,
    log: Callable[[str], None] | None = None,
    mode: str = "accurate",
    progress: Callable[[int, int], None] | None = None,
    expected_view: str | None = None,
) -> tuple[PoseSequence, np.ndarray, dict[str, Any]]:
    """Keypoints of the walker in a probed video (no files written).

    ``progress``, if given, is called about twice a second with (frames done, frames to do)
    of the current pass (see :class:`ProgressBar`). ``expected_view`` (``"side"``,
    ``"frontal"`` or None): the view the user was asked to film, for the advice of a refusal.

    Returns
    -------
    pose : PoseSequence
        ``frame="image"``: px of the upright video, one row per video frame, ``t_s`` from the
        presentation timestamps; NaN coordinates and score 0 where the walker is not found.
    world_m : ndarray ``(n_frames, k, 3)``
        The model's own metric 3D keypoints per frame (m, origin at the hip midpoint, MediaPipe
        axes: +x image right, +y down, +z away from the camera), NaN where not found.
    selection : dict
        How the walker was chosen: number of people tracks, the walker's horizontal travel and
        height (px), whether the cropped second pass ran, timings (s), warnings.
    """
    log = log or (lambda msg: None)
    workers = default_workers() if workers is None else max(1, int(workers))
    be = get_backend(backend)
    n = info.n_frames
    sample_every = _people_sample_step(info)
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    log(f"pose: {n} frames, {info.width_px}x{info.height_px} px, {workers} worker(s)")
    xyz, score, world, people_raw, cpu1 = _pass(
        info, backend=backend, mode=mode, workers=workers, sample_every=sample_every, boxes=None, progress=progress
    )
    timings["pass1_s"] = time.perf_counter() - t0
    timings["pass1_worker_cpu_s"] = cpu1

    people_by_frame = {}
    for f, plist in people_raw.items():
        persons = [walker_mod.person_from_keypoints(f, p[0], p[1], be.names) for p in plist]
        people_by_frame[f] = [p for p in persons if p is not None]
    tracks = walker_mod.link_tracks(people_by_frame)
    walker = walker_mod.choose_walker(tracks, image_width_px=info.width_px, path=info.path,
                                      expected_view=expected_view)
    max_in_frame = max((len(walker_mod.merge_duplicates(v)) for v in people_by_frame.values()), default=0)
    boxes = walker_mod.walker_boxes(walker, n, pad_frames=2 * sample_every)

    names = tuple(be.names)
    hips = [names.index("left_hip"), names.index("right_hip")]
    known = np.isfinite(boxes).all(axis=1)

    def in_walker_box(xyz_: np.ndarray) -> np.ndarray:
        hip_ = xyz_[:, hips, :2].mean(axis=1)
        return (hip_[:, 0] >= boxes[:, 0]) & (hip_[:, 0] <= boxes[:, 2]) & (hip_[:, 1] >= boxes[:, 1]) & (hip_[:, 1] <= boxes[:, 3])

    cropped = False
    # Re-run, cropped to the walker, only the frames where the first pass did not land on the
    # walker (it followed someone else, or found nobody, e.g. a far walker too small for the
    # whole-frame detector) while the walker was in view.
    redo = known & ~in_walker_box(xyz)
    if redo.any():
        log(f"pose: {len(tracks)} people track(s) seen; following the walker "
            f"({walker.direction(info.width_px).replace('_', ' ')}), "
            f"re-running {int(redo.sum())} frames cropped to the walker")
        t1 = time.perf_counter()
        redo_boxes = np.where(redo[:, None], boxes, np.nan)
        xyz2, score2, world2, _, cpu2 = _pass(
            info, backend=backend, mode=mode, workers=workers, sample_every=0, boxes=redo_boxes, progress=progress
        )
        xyz[redo], score[redo], world[redo] = xyz2[redo], score2[redo], world2[redo]
        timings["pass2_worker_cpu_s"] = cpu2
        timings["pass2_s"] = time.perf_counter() - t1
        timings["pass2_frames"] = int(redo.sum())
        cropped = True

    # keep only poses whose hip midpoint lies in the walker's box (where the box is known)
    hip = xyz[:, hips, :2].mean(axis=1)
    inside = in_walker_box(xyz)
    # outside the walker's (padded) span nobody walking was seen: drop whatever the tracker
    # followed there; inside it, drop poses away from the walker (another person, a false find)
    drop = ~known | ~inside
    # a walker is upright: shoulders above hips in the upright image; a pose with them the other
    # way round is a failed fit (seen on the outdoor clip when the walker passes a busy background)
    sh = xyz[:, [names.index("left_shoulder"), names.index("right_shoulder")], 1].mean(axis=1)
    drop |= np.isfinite(sh) & np.isfinite(hip[:, 1]) & (sh >= hip[:, 1])
    xyz[drop] = np.nan
    score[drop] = 0.0
    world[drop] = np.nan

    # leg labels kept apart over frames (docs/pose.md, "Leg labels")
    xyz, score, world, n_relabelled = keep_legs_apart(xyz, score, world, names)
    if n_relabelled:
        log(f"pose: leg labels exchanged back on {n_relabelled} frame(s) where the model swapped them")

    # camera motion from the background (outside the walker's box), removed later by the signal stage
    from gaitscope.capture.camera_motion import estimate_camera_motion

    t2 = time.perf_counter()
    feet = {side: xyz[:, [names.index(f"{side}_{k}") for k in ("heel", "toe", "ankle")], :2] for side in ("left", "right")}
    motion, motion_stats = estimate_camera_motion(info, boxes, feet_px=feet, height_px=_apparent_height_px(xyz, names))
    shoes = motion_stats.pop("shoe_motion_px", {})
    timings["camera_motion_s"] = time.perf_counter() - t2
    log(f"pose: camera motion {'none (still camera)' if motion_stats['still'] else 'removed'} "
        f"(image corners move up to {motion_stats['max_corner_shift_px']:.0f} px)")

    warnings_: list[str] = []
    if walker.height_px < walker_mod.SMALL_PERSON_HEIGHT_PX:
        warnings_.append(
            f"the walker is only about {walker.height_px:.0f} px tall; heel and toe positions will be noisy "
            "(film closer or in landscape)"
        )
    span = slice(max(0, int(walker.frames[0])), int(walker.frames[-1]) + 1)
    kept = np.isfinite(xyz[span, hips, 0]).all(axis=1)
    if kept.size and kept.mean() < MIN_FOUND_FRACTION:
        warnings_.append(
            f"the walker's keypoints were found in only {100 * kept.mean():.0f} % of the frames where she or he "
            "was seen; check overlay.mp4 (light, clothing, occlusion)"
        )
    timings["total_s"] = time.perf_counter() - t0
    selection = {
        "people_tracks": len(tracks),
        "max_people_in_frame": int(max_in_frame),
        "walker_travel_px": round(walker.travel_px, 1),
        "walker_depth_travel_log": round(walker.depth_travel, 3),
        "walker_foot_travel_px": round(walker.foot_travel_px, 1),
        "walker_direction": walker.direction(info.width_px),
        "walker_height_px": round(walker.height_px, 1),
        "walker_first_frame": int(walker.frames[0]),
        "walker_last_frame": int(walker.frames[-1]),
        "people_sampled_every_frames": sample_every,
        "cropped_second_pass": cropped,
        "leg_labels_exchanged_frames": int(n_relabelled),
        "chunks": len(cpu1),
        "warnings": warnings_,
        "timings_s": {k: (round(v, 3) if isinstance(v, float) else v) for k, v in timings.items()},
    }
    meta = {
        "backend": be.name,
        "backend_version": be.version,
        "model": be.model,
        "mode": mode,
        "backend_settings": backend_settings(backend, mode),
        "rotation_deg": info.rotation_deg,
        "nominal_rate_hz": info.nominal_rate_hz,
        "walker_selection": selection,
        "camera_motion": {**motion_stats,
                          "affine_to_frame0": None if motion_stats["still"] else np.round(motion, 6).tolist()},
        # each shoe's own image motion from the previous frame (dx, dy px; camera motion taken out): see
        # gaitscope.capture.camera_motion; read by the frontal contact detector
        "shoe_motion_px": {side: [None if not np.isfinite(v).all() else [round(float(v[0]), 3), round(float(v[1]), 3)]
                                  for v in arr] for side, arr in shoes.items()},
        "pose_stage_version": POSE_STAGE_VERSION,
    }
    pose = PoseSequence(
        xyz=xyz,
        score=score,
        names=names,
        t_s=info.t_s,
        frame="image",
        frame_index=np.arange(n),
        image_size_px=info.image_size_px,
        source=str(info.path),
        meta=meta,
    )
    return pose, world, selection


def keep_legs_apart(xyz: np.ndarray, score: np.ndarray, world: np.ndarray,
                    names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Each leg's keypoints under one label over the clip: the frames where the model exchanged them, back.

    The model fits every frame afresh (:data:`VIDEO_BACKEND_SETTINGS`), and in a side view one image hardly tells
    the near leg from the far one: on ``walk_outdoor_two_people.mp4`` the labels jump back and forth over frames
    80-84 while the rear foot pushes off (docs/pose.md, "Leg labels"). The labelling kept is the one whose hip,
    knee, ankle, heel and toe tracks move most smoothly (a constant-velocity Viterbi path,
    :func:`gaitscope.signal.clean.detect_leg_swaps`, the signal stage's repair), with a cost of
    ``swap_cost_height`` standing heights (``knowledge/signal_settings.csv``) per exchanged frame, so the model's
    own labels stand unless the motion clearly says otherwise. The model's metric keypoints go with their
    keypoints; its keypoint scores stay with its labels, as the signal stage's repair has always left them: they
    say which leg the model took for the partly hidden one, and that is what the quality layer's far-leg grade
    reads (:func:`gaitscope.quality.visibility.leg_visibility`). Moved with the keypoints, the older adult's legs
    scored 0.950 and 0.988 in pass 0 (0.038 apart, under the 0.05 margin) instead of 0.934 and 0.991, and her far
    leg was no longer marked. Returns ``xyz``, ``score`` (unchanged), ``world`` and the number of frames exchanged.
    """
    from gaitscope.knowledge.signal_settings import signal_setting
    from gaitscope.signal.clean import detect_leg_swaps, leg_index_pairs, swap_legs

    pairs = leg_index_pairs(names)
    height = _apparent_height_px(xyz, names)
    if not pairs or not np.isfinite(height).any():
        return xyz, score, world, 0
    swapped = detect_leg_swaps(xyz[:, :, :2], pairs,
                               swap_cost=signal_setting("swap_cost_height") * float(np.nanmedian(height)))
    if not swapped.any():
        return xyz, score, world, 0
    return swap_legs(xyz, pairs, swapped), score, swap_legs(world, pairs, swapped), int(swapped.sum())


def _apparent_height_px(xyz: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Apparent standing height per frame (px): thigh + shank of both legs (0.491 H, Winter 2009),
    running median over 15 frames; NaN where the legs are not seen."""
    legs = []
    for side in ("left", "right"):
        hip, knee, ank = (xyz[:, names.index(f"{side}_{k}"), :2] for k in ("hip", "knee", "ankle"))
        legs.append(np.hypot(*(hip - knee).T) + np.hypot(*(knee - ank).T))
    both = np.stack(legs, 1)
    cnt = np.isfinite(both).sum(axis=1)
    leg = np.where(cnt > 0, np.where(np.isfinite(both), both, 0.0).sum(axis=1) / np.maximum(cnt, 1), np.nan)
    h = leg / 0.491
    out = np.full_like(h, np.nan)
    for i in range(h.size):
        w = h[max(0, i - 7) : i + 8]
        w = w[np.isfinite(w)]
        if w.size:
            out[i] = np.median(w)
    return out


def _cache_key(path: Path, backend: str, mode: str) -> dict[str, Any]:
    st = path.stat()
    return {
        "video": str(path.resolve()),
        "size_bytes": int(st.st_size),
        "mtime_ns": int(st.st_mtime_ns),
        "backend": backend,
        "mode": mode,
        "pose_stage_version": POSE_STAGE_VERSION,
    }


def _cached(csv_path: Path, key: dict[str, Any], log: Callable[[str], None] | None = None) -> PoseSequence | None:
    """The cached pose when ``csv_path`` + its sidecar were made with ``key`` and their checksum and
    frame count match (``docs/reliability.md``); else None (``log`` is told why when a cache for
    this key was refused)."""
    from gaitscope.capture.pose_csv import PoseCacheMismatch

    if not (csv_path.is_file() and sidecar_path(csv_path).is_file()):
        return None
    try:
        pose = read_pose_csv(csv_path)
    except PoseCacheMismatch as err:
        if log is not None:
            log(f"pose: not reusing {csv_path}: {err.reason}; recomputing")
        return None
    except GaitscopeError:
        return None
    if pose.meta.get("cache_key") != key:
        return None
    try:
        side = json.loads(sidecar_path(csv_path).read_text())
    except (OSError, ValueError):
        return None
    if not side.get("csv_sha256"):  # a cache from before the checksum: not trusted
        return None
    return pose


def run_pose(
    video: str | Path,
    *,
    out_dir: str | Path,
    backend: str = "mediapipe",
    overlay: bool = False,
    workers: int | None = None,
    progress: bool = True,
    force: bool = False,
    mode: str = "accurate",
    max_duration_s: float | None = DEFAULT_MAX_DURATION_S,
    expected_view: str | None = None,
) -> PoseRunResult:
    """Keypoints of the walker in ``video``, written to ``out_dir/pose.csv`` (+ ``pose.json``).

    Parameters
    ----------
    video
        Video file (mp4, mov ...). Phone rotation is applied; ``t_s`` are presentation times.
    out_dir
        Output folder (created).
    backend
        Pose backend name (``"mediapipe"``).
    overlay
        Also write ``out_dir/overlay.mp4`` with the skeleton drawn.
    workers
        Processes for the pose stage (default: all cores this process may use).
    progress
        Print progress lines to stderr.
    force
        Re-run the model even when a matching cache exists.
    mode
        ``"accurate"`` (default: a fresh detection every frame, feet land on the shoes) or
        ``"fast"`` (MediaPipe's tracking: less CPU, feet misplaced in about 1 frame in 8).
    max_duration_s
        Longest clip accepted (s); longer ones are refused before any frame is decoded (None: no
        limit). Default :data:`~gaitscope.capture.video.DEFAULT_MAX_DURATION_S`.
    expected_view
        ``"side"``, ``"frontal"`` or None: the view the user was asked to film (only changes the
        advice of a refusal).

    Raises
    ------
    GaitscopeError
        For any input a user can fix (see :func:`gaitscope.capture.video.probe_video` and
        :func:`gaitscope.pose.walker.choose_walker`), with one sentence naming the file.
    """
    path = Path(video)
    out_dir = Path(out_dir)
    remove_leftovers(out_dir)  # temporary files of a killed earlier run (docs/reliability.md)

    def log(msg: str) -> None:
        if progress:
            print(msg, file=sys.stderr, flush=True)

    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise GaitscopeError(f"workers must be a whole number of processes, 1 or more (got {workers!r})")
    info = probe_video(path, max_duration_s=max_duration_s)
    get_backend(backend)  # unknown backend -> clear error before any work
    backend_settings(backend, mode)  # unknown mode -> clear error before any work
    csv_path = out_dir / CSV_NAME
    key = _cache_key(path, backend, mode)
    pose = None if force else _cached(csv_path, key, log)
    from_cache = pose is not None
    world = None
    t0 = time.perf_counter()
    if pose is None:
        from gaitscope.pose.prescan import check_walking_early

        check_walking_early(info, log=log)  # long clips: "no walking" in seconds, not minutes (docs/reliability.md)
        pose, world, selection = estimate_video(
            info, backend=backend, workers=workers, log=log, mode=mode, progress=ProgressBar() if progress else None,
            expected_view=expected_view,
        )
        meta = dict(pose.meta)
        meta["cache_key"] = key
        pose = pose.with_xyz(pose.xyz, meta=meta)
        out_dir.mkdir(parents=True, exist_ok=True)
        with atomic_path(out_dir / "pose_model_world.npz") as tmp:
            np.savez_compressed(tmp, world_m=world, names=np.array(pose.names), t_s=pose.t_s)
        write_pose_csv(pose, csv_path)  # atomic, with the checksum its reuse is checked against
        # analyse what was stored (9 significant digits), so a run that reuses the cache gives the
        # same outputs, byte for byte, as the run that wrote it (docs/reliability.md)
        pose = read_pose_csv(csv_path)
    else:
        log(f"pose: reusing {csv_path} (same video and backend; use --force to re-run)")
    elapsed = time.perf_counter() - t0
    sel = pose.meta.get("walker_selection", {})

    overlay_path = None
    if overlay:
        from gaitscope.pose.overlay import write_overlay

        overlay_path = out_dir / OVERLAY_NAME
        log(f"pose: writing {overlay_path}")
        write_overlay(info, pose, overlay_path)

    found = _walker_found(pose)
    n = pose.n_frames
    parts = [
        f"{path.name}: walker found in {int(found.sum())}/{n} frames ({100.0 * found.mean():.0f} %)",
        f"{sel.get('people_tracks', '?')} person track(s) seen",
    ]
    if not from_cache:
        parts.append(f"{n / max(elapsed, 1e-9):.1f} frames/s")
    else:
        parts.append("from cache")
    msg = "; ".join(parts) + f"; keypoints in {csv_path}"
    if overlay_path is not None:
        msg += f", overlay in {overlay_path}"
    warns = tuple(sel.get("warnings", ()))
    for w in warns:
        msg += f"\nwarning: {w}"
    return PoseRunResult(
        pose=pose,
        out_dir=out_dir,
        message=msg,
        csv_path=csv_path,
        overlay_path=overlay_path,
        from_cache=from_cache,
        warnings=warns,
        timings_s=dict(sel.get("timings_s", {})) if not from_cache else {},
    )


def _walker_found(pose: PoseSequence) -> np.ndarray:
    """Frames where both hips of the walker have coordinates."""
    return np.isfinite(pose.get("left_hip")[:, 0]) & np.isfinite(pose.get("right_hip")[:, 0])
