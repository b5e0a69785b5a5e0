"""Speed of the pose stage against a bare single-process MediaPipe loop, same frames, same run.

Usage (from the repository root)::

    .venv/bin/python benchmarks/pose_speed.py [VIDEO] [--repeat N] [--workers N]

Default VIDEO: ../shared/data/video/walk_sagittal_older_adult.mp4 (13.4 s, 1280x720, 401 frames).

* bare loops: one process decodes each frame with PyAV (no threads) and calls
  ``mediapipe.solutions.pose.Pose(model_complexity=1, static_image_mode=...).process`` on it --
  the obvious way to write it. Two of them: ``static`` (a fresh detection per frame, the same
  model work as the stage, which uses it because tracking mode misplaces the feet) and
  ``tracking`` (MediaPipe's default video mode, less work per frame). CPU time / wall time
  shows whether MediaPipe itself already uses both cores.
* pose stage: :func:`gaitscope.pose.run.estimate_video` (chunks over processes, decoding in a
  thread, people detection for choosing the walker, no file writing).

Prints frames/s, wall time (s) and the ratio stage / bare (target <= 0.75). Timings depend on
what else runs on the machine: run it on a quiet machine, and more than once (``--repeat``).
Also printed: CPU seconds of each worker and of the bare loop. "busiest worker CPU / bare CPU"
is what the wall ratio tends to on an idle machine with enough cores (worker start-up and the
wait for the slower chunk aside); it does not depend on other load.
"""

from __future__ import annotations

import argparse
import os
import warnings
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_VIDEO = REPO.parent / "shared" / "data" / "video" / "walk_sagittal_older_adult.mp4"


def bare_loop(path: Path, *, static: bool) -> tuple[float, float, int]:
    """Wall time (s), CPU time (s) and frame count of a plain decode + MediaPipe loop."""
    import av
    import numpy as np
    from mediapipe.python.solutions import pose as mp_pose

    from gaitscope.pose._mediapipe import quiet_native_logs

    t0 = time.perf_counter()
    c0 = time.process_time()
    n = 0
    with quiet_native_logs():
        model = mp_pose.Pose(model_complexity=1, static_image_mode=static)
    with model, av.open(str(path)) as container, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="SymbolDatabase.GetPrototype")
        for frame in container.decode(video=0):
            rgb = np.ascontiguousarray(frame.to_ndarray(format="rgb24"))
            model.process(rgb)
            n += 1
    return time.perf_counter() - t0, time.process_time() - c0, n


def stage(path: Path, workers: int | None, mode: str = "accurate") -> tuple[float, int, dict]:
    from gaitscope.capture.video import probe_video
    from gaitscope.pose.run import estimate_video

    t0 = time.perf_counter()
    info = probe_video(path)
    pose, _, selection = estimate_video(info, workers=workers, mode=mode)
    return time.perf_counter() - t0, pose.n_frames, selection


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", nargs="?", default=str(DEFAULT_VIDEO))
    ap.add_argument("--repeat", type=int, default=1, help="repeat both measurements N times")
    ap.add_argument("--workers", type=int, default=None, help="processes for the stage (default: all cores)")
    args = ap.parse_args(argv)
    path = Path(args.video)
    if not path.exists():
        print(f"video not found: {path}", file=sys.stderr)
        return 2
    print(f"video: {path.name}   cores available: {len(os.sched_getaffinity(0))}   load average: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    from gaitscope.pose._mediapipe import mediapipe_version

    print(f"mediapipe {mediapipe_version()}")
    # Each stage mode is compared with the bare loop doing the same per-frame work (accurate:
    # a detection every frame = static mode; fast: MediaPipe tracking), and accurate also with
    # the default tracking loop, the cheapest bare loop there is.
    ratios: dict[str, list[float]] = {"accurate/static": [], "accurate/tracking": [], "fast/tracking": []}
    for r in range(args.repeat):
        stages = {}
        for mode in ("accurate", "fast"):
            sw, sn, sel = stage(path, args.workers, mode)
            cpu = sel["timings_s"]["pass1_worker_cpu_s"]
            stages[mode] = (sw, cpu)
            print(f"[{r + 1}] pose stage {mode:8s}: {sn / sw:6.1f} frames/s  wall {sw:6.2f} s  "
                  f"(chunks {sel['chunks']}, worker CPU {' + '.join(f'{c:.2f}' for c in cpu)} s, people searched every "
                  f"{sel['people_sampled_every_frames']} frames, second pass {sel['cropped_second_pass']})")
        for bare in ("static", "tracking"):
            bw, bc, n = bare_loop(path, static=bare == "static")
            print(f"[{r + 1}] bare loop, {bare:8s}: {n / bw:6.1f} frames/s  wall {bw:6.2f} s  "
                  f"CPU {bc:6.2f} s  cpu/wall {bc / bw:4.2f}")
            for mode, (sw, cpu) in stages.items():
                key = f"{mode}/{bare}"
                if key in ratios:
                    ratios[key].append(sw / bw)
                    print(f"      stage {mode} / bare {bare}: wall {sw / bw:4.2f}, busiest worker CPU / bare CPU "
                          f"{max(cpu) / bc:4.2f}")
    for key, rs in ratios.items():
        rs = sorted(rs)
        print(f"ratio stage {key:18s}: min {rs[0]:.2f}  median {rs[len(rs) // 2]:.2f}  max {rs[-1]:.2f}"
              "   (target <= 0.75)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
