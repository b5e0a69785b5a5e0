"""Wall time of the gait analysis after pose, for a 60 s walk filmed at 30 frames/s.

Input: the phantom walker (60 s, 30 Hz, its forward progression taken out as on a treadmill so
that it stays in view) seen by the virtual camera from the side (1280x720, 1 px noise), i.e.
exactly what the pose stage hands over for a phone video. Timed: everything
after pose (signal preparation, events, angles, strides, summary), best and median of repeats.
Target (issue 3): well under 0.5 s. A second line times the whole ``analyze_pose`` (also
frontal-plane values, pattern rules and findings) on 60 s of the 3-D phantom walking overground
at 30 Hz (marker-like input, where every plane is measured).

    .venv/bin/python benchmarks/analysis_speed.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import time


def make_input(duration_s: float = 60.0, rate_hz: float = 30.0):
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom.walker import simulate

    walk = simulate(duration_s=duration_s, rate_hz=rate_hz, seed=3)
    # keep the walker in view for the whole minute: take out the forward progression (as on a
    # treadmill), so every frame holds gait to analyse
    xyz = walk.pose.xyz.copy()
    xyz[:, :, 0] -= walk.truth["speed_mps"] * (walk.pose.t_s - walk.pose.t_s[0])[:, None]
    pose = walk.pose.with_xyz(xyz)
    return project(pose, view="sagittal-left", rate_hz=rate_hz, image_size_px=(1280, 720), noise_px=1.0, drop_fraction=0.0, seed=3), walk


def time_stages(pose, height_m: float):
    from gaitscope.events import detect_events
    from gaitscope.metrics.cycles import compute_angles, compute_cycles
    from gaitscope.metrics.summary import summarize
    from gaitscope.signal import prepare_walk

    t = [time.perf_counter()]
    prep = prepare_walk(pose, height_m=height_m)
    t.append(time.perf_counter())
    events = detect_events(prep)
    t.append(time.perf_counter())
    angles = compute_angles(prep)
    cycles = compute_cycles(prep, events, angles)
    t.append(time.perf_counter())
    summary = summarize(prep, events, cycles, angles)
    t.append(time.perf_counter())
    return [b - a for a, b in zip(t[:-1], t[1:])], summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args(argv)
    pose, walk = make_input()
    time_stages(pose, 1.70)  # warm-up: imports and caches
    runs = []
    for _ in range(args.repeats):
        times, summary = time_stages(pose, float(walk.params.get("height_m", 1.70)))
        runs.append(times)
    totals = [sum(r) for r in runs]
    names = ("signal (prepare_walk)", "events", "angles + cycles", "summary")
    n = summary["n_cycles"]
    print(
        f"analysis after pose: {pose.n_frames} frames, {pose.duration_s:.1f} s at {pose.median_rate_hz:.1f} Hz "
        f"(phantom on a virtual treadmill, camera sagittal-left): {n['left']} + {n['right']} strides"
    )
    for i, name in enumerate(names):
        vals = [r[i] for r in runs]
        print(f"  {name:<22} median {statistics.median(vals) * 1000:7.1f} ms")
    print(f"  {'total':<22} median {statistics.median(totals) * 1000:7.1f} ms, best {min(totals) * 1000:.1f} ms (target < 500 ms)")

    from gaitscope.phantom.walker import simulate
    from gaitscope.pipeline import analyze_pose

    walk3d = simulate(duration_s=60.0, rate_hz=30.0, seed=3)
    analyze_pose(walk3d.pose, height_m=1.70)  # warm-up
    whole = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        res = analyze_pose(walk3d.pose, height_m=1.70)
        whole.append(time.perf_counter() - t0)
    print(
        f"whole analyze_pose, 3-D phantom overground, 60 s at 30 Hz ({len(res.cycles)} strides, frontal + patterns + "
        f"findings): median {statistics.median(whole) * 1000:.1f} ms, best {min(whole) * 1000:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
