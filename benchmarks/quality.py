"""The quality layer on real and synthetic walks: far leg, steady-state strides, plausibility drops.

    nice -n 5 .venv/bin/python benchmarks/quality.py

Prints, per input, the visibility grade of each leg (median keypoint score of hip, knee, ankle, heel, toe),
the strides kept and excluded as acceleration/deceleration (with their step length and speed), and the values
dropped as physiologically impossible. The real clips need ../shared/data (skipped without it); their
keypoints are cached under /tmp/gaitscope_pose_cache/<clip>/ (the pose model runs once). Figures are quoted
in docs/report.md ("Quality of the values").
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
CACHE = Path("/tmp/gaitscope_pose_cache")
CLIPS = (("walk_sagittal_older_adult.mp4", 1.60), ("walk_outdoor_two_people.mp4", None))


def _clip(name: str, height_m: float | None, tmp: Path):
    from gaitscope.pipeline import analyze

    clip = DATA / "video" / name
    out = tmp / clip.stem
    cached = CACHE / clip.stem
    if (cached / "pose.csv").is_file():
        shutil.copytree(cached, out, dirs_exist_ok=True)
    res = analyze(clip, out_dir=out, height_m=height_m)
    cached.mkdir(parents=True, exist_ok=True)
    for f in ("pose.csv", "pose.json"):
        if (out / f).is_file() and not (cached / f).is_file():
            shutil.copy2(out / f, cached / f)
    return res


def _report(label: str, res) -> None:
    q = res.summary["quality"]
    legs = ", ".join(f"{s} {g['grade']} (score {g['score'] if g['score'] is not None else '-'})"
                     for s, g in q["legs"].items())
    st = q["steady_state"]
    print(f"\n## {label}")
    print(f"legs: {legs}")
    print(f"strides kept {st['strides_kept']}, excluded {st['strides_excluded']}")
    for e in st["excluded"]:
        extra = ", ".join(f"{k} {v}" for k, v in e.items() if k in ("step_length_m", "speed_mps"))
        print(f"  excluded: {e['side']} stride at {e['t_start_s']:.2f} s ({extra})")
    pl = q["plausibility"]
    print(f"values dropped as impossible: {pl['values_dropped']}")
    for d in pl["dropped"]:
        print(f"  {d['metric']} {d['side']} at {d['t_start_s']:.2f} s: {d['value']} {d['unit']} "
              f"(possible {d['low']}..{d['high']})")


def main() -> int:
    import tempfile

    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom import simulate
    from gaitscope.pipeline import analyze, analyze_pose

    print("# quality layer: far leg, steady state, plausibility")
    walk = simulate(pattern="normal", duration_s=10, seed=11)
    _report("phantom, virtual side camera (far side scored 0.6)",
            analyze_pose(project(walk.pose, view="sagittal-left", rate_hz=30, noise_px=1.0, seed=11), height_m=1.70))
    if not DATA.is_dir():
        print("\n../shared/data not present: real clips and lab files skipped")
        return 0
    for rel in ("mocap/treadmill_walk_events.c3d", "mocap/walk_subject01.trc"):
        _report(f"lab markers {Path(rel).name} (3D)", analyze(DATA / rel, write=False))
    print("\n## lab corpus (overground, 3D markers): strides excluded as speeding up / slowing down")
    for c3d in sorted((DATA / "mocap_corpus").glob("*.c3d")):
        try:
            q = analyze(c3d, write=False).summary["quality"]
        except Exception as err:  # a file the readers refuse is reported, not a crash of the benchmark
            print(f"- {c3d.name}: not analysed ({err.__class__.__name__})")
            continue
        st = q["steady_state"]
        ex = "; ".join(f"{e['side']} {e.get('speed_mps', '-')} m/s" for e in st["excluded"])
        print(f"- {c3d.name}: kept {st['strides_kept']}, excluded {st['strides_excluded']}"
              + (f" ({ex})" if ex else "") + f", impossible values {q['plausibility']['values_dropped']}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, h in CLIPS:
            _report(f"real video {name}" + (f", height {h} m" if h else ""), _clip(name, h, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
