"""Accuracy of gaitscope's gait analysis against references: events, angles, spatiotemporal values.

Prints one combined table (docs/accuracy.md carries it):

1. events (IC/FC) against mocap reference events: rows from ``benchmarks/accuracy_events.py``;
2. sagittal hip, knee and ankle angles against the lab's model angles in the same file
   (treadmill_walk_events.c3d in 3D and through the virtual camera from both sides;
   walk_subject01.trc against walk_subject01_ik.mot): RMSE and Pearson r after removing a
   constant offset (the offset is printed too);
3. the phantom walker through the virtual camera with noise and dropped frames: cadence, step
   length, speed, stance and angles against its known truth;
4. the older-adult video (no truth): what is found, with her height assumed 1.60 m.

Run from the repository root (needs ../shared/data):

    .venv/bin/python benchmarks/accuracy.py [--no-video] [--cache /tmp/gaitscope_accuracy]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
ANGLES = ("hip_flex_deg", "knee_flex_deg", "ankle_dorsi_deg")
ANGLE_TARGET_DEG = {"knee_flex_deg": 4.0, "hip_flex_deg": 5.0, "ankle_dorsi_deg": 5.0}
PHANTOM_SEEDS = (11, 12, 13)
PHANTOM_HEIGHT_M = 1.70


def _row(section, case, measure, value, unit, target="", ok=None, note=""):
    return {
        "section": section,
        "case": case,
        "measure": measure,
        "value": value,
        "unit": unit,
        "target": target,
        "ok": "" if ok is None else ("yes" if ok else "NO"),
        "note": note,
    }


def angle_rows(shared: Path) -> list[dict]:
    """Offset-removed RMSE and r of hip, knee and ankle angles against the lab model angles."""
    from gaitscope.metrics.agreement import compare_angle_tables
    from gaitscope.pipeline import analyze

    cases = [
        ("treadmill_walk_events.c3d", None),
        ("treadmill_walk_events.c3d", "sagittal-left"),
        ("treadmill_walk_events.c3d", "sagittal-right"),
        ("walk_subject01.trc", None),
        ("walk_subject01.trc", "sagittal-left"),
    ]
    rows = []
    for name, cam in cases:
        res = analyze(shared / "mocap" / name, virtual_camera=cam, write=False)
        ref = res.reference.model_angles
        tab = compare_angle_tables(res.angles, ref, ANGLES)
        case = f"{name} {'3D' if cam is None else 'camera ' + cam}"
        for angle in ANGLES:
            t = tab[tab["angle"] == angle]
            rmse = float(t["rmse_deg"].max())  # worse side
            r = float(t["r"].min())
            off = ", ".join(f"{s[0].upper()} {o:+.1f}" for s, o in zip(t["side"], t["offset_deg"]))
            target = ANGLE_TARGET_DEG[angle]
            rows.append(
                _row(
                    "angles vs lab model",
                    case,
                    f"{angle} RMSE (worse side)",
                    round(rmse, 2),
                    "deg",
                    f"<= {target:g}",
                    rmse <= target,
                    f"r {r:.3f}; offset {off} deg",
                )
            )
    return rows


def phantom_rows() -> list[dict]:
    """The phantom through the virtual camera (1 px noise, 3 % dropped frames) against its truth."""
    from gaitscope.capture.virtual_camera import project
    from gaitscope.metrics.agreement import compare_angle_tables, within_cycles
    from gaitscope.phantom.walker import simulate
    from gaitscope.pipeline import analyze_pose

    errs: dict[str, list[float]] = {k: [] for k in ("cadence", "step", "stride", "speed", "stance")}
    ang: dict[str, list[float]] = {a: [] for a in ANGLES}
    n_cyc = []
    for seed in PHANTOM_SEEDS:
        walk = simulate(duration_s=20.0, rate_hz=100.0, height_m=PHANTOM_HEIGHT_M, seed=seed)
        for view in ("sagittal-left", "sagittal-right"):
            pose = project(
                walk.pose, view=view, rate_hz=30.0, image_size_px=(1280, 720), noise_px=1.0, drop_fraction=0.03, seed=seed
            )
            res = analyze_pose(pose, height_m=PHANTOM_HEIGHT_M)
            p = res.summary["parameters"]
            tr = walk.truth
            errs["cadence"].append(p["cadence_spm"]["both"]["mean"] - tr["cadence_spm"])
            errs["step"].append(p["step_length_m"]["both"]["mean"] - float(np.mean(list(tr["step_length_m"].values()))))
            errs["stride"].append(p["stride_length_m"]["both"]["mean"] - float(np.mean(list(tr["stride_length_m"].values()))))
            errs["speed"].append(p["speed_mps"]["both"]["mean"] - tr["speed_mps"])
            errs["stance"].append(p["stance_pct"]["both"]["mean"] - float(np.mean(list(tr["stance_pct"].values()))))
            n_cyc.append(sum(res.summary["n_cycles"].values()))
            tab = compare_angle_tables(within_cycles(res.angles, res.cycles), walk.angles, ANGLES)
            for a in ANGLES:
                ang[a].append(float(tab[tab["angle"] == a]["rmse_deg"].max()))
    case = f"phantom x{len(PHANTOM_SEEDS)} seeds x 2 sides, camera 30 Hz, 1 px noise, 3 % drops"
    worst = {k: float(np.max(np.abs(v))) for k, v in errs.items()}
    rows = [
        _row("phantom vs truth", case, "cadence error (worst run)", round(worst["cadence"], 2), "steps/min", "<= 1", worst["cadence"] <= 1.0,
             f"mean {np.mean(errs['cadence']):+.2f}; {int(np.mean(n_cyc))} strides per run"),
        _row("phantom vs truth", case, "step length error (worst run)", round(100 * worst["step"], 2), "cm", "<= 3", worst["step"] <= 0.03,
             f"mean {100 * np.mean(errs['step']):+.2f} cm"),
        _row("phantom vs truth", case, "stride length error (worst run)", round(100 * worst["stride"], 2), "cm", "", None,
             f"mean {100 * np.mean(errs['stride']):+.2f} cm"),
        _row("phantom vs truth", case, "speed error (worst run)", round(worst["speed"], 3), "m/s", "", None,
             f"mean {np.mean(errs['speed']):+.3f} m/s"),
        _row("phantom vs truth", case, "stance error (worst run)", round(worst["stance"], 2), "% cycle", "", None,
             f"mean {np.mean(errs['stance']):+.2f} (events stage)"),
    ]
    for a in ANGLES:
        rows.append(_row("phantom vs truth", case, f"{a} RMSE (worst run and side)", round(max(ang[a]), 2), "deg", "", None,
                         f"median {np.median(ang[a]):.2f}; samples inside analysed strides"))
    return rows


def step_noise_rows(noise_levels_px: tuple[float, ...] = (1.0, 3.0, 5.0)) -> list[dict]:
    """Per-stride step-length error against the phantom's truth as keypoint noise grows
    (camera 30 Hz, 3 % dropped frames, both sides, the three seeds). The SD includes the
    phantom's own stride-to-stride variation (the truth compared is its mean step)."""
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom.walker import simulate
    from gaitscope.pipeline import analyze_pose

    walks = {seed: simulate(duration_s=20.0, rate_hz=100.0, height_m=PHANTOM_HEIGHT_M, seed=seed) for seed in PHANTOM_SEEDS}
    rows = []
    for noise in noise_levels_px:
        errs = []
        for seed, walk in walks.items():
            truth_m = float(np.mean(list(walk.truth["step_length_m"].values())))
            for view in ("sagittal-left", "sagittal-right"):
                pose = project(walk.pose, view=view, rate_hz=30.0, image_size_px=(1280, 720), noise_px=noise,
                               drop_fraction=0.03, seed=seed)
                res = analyze_pose(pose, height_m=PHANTOM_HEIGHT_M)
                errs.extend((res.cycles["step_length_m"].to_numpy(float) - truth_m).tolist())
        e = 100.0 * np.asarray(errs)
        e = e[np.isfinite(e)]
        case = f"phantom x{len(PHANTOM_SEEDS)} seeds x 2 sides, camera 30 Hz, {noise:g} px noise, 3 % drops"
        rows.append(_row("phantom vs truth", case, "per-stride step length error SD", round(float(np.std(e)), 2), "cm", "", None,
                         f"mean {np.mean(e):+.2f}, max abs {np.max(np.abs(e)):.1f} cm, {e.size} strides"))
    return rows


def older_adult_rows(shared: Path, cache: Path) -> list[dict]:
    """What the older-adult video yields (no truth; height assumed 1.60 m)."""
    from gaitscope.pipeline import analyze

    t0 = time.perf_counter()
    res = analyze(shared / "video" / "walk_sagittal_older_adult.mp4", height_m=1.60, out_dir=cache / "older_adult")
    wall = time.perf_counter() - t0
    s = res.summary
    p = s["parameters"]
    case = "walk_sagittal_older_adult.mp4, height 1.60 m"
    passes = "; ".join(f"{q['kind']} frames {q['start']}-{q['end']} {'usable' if q['usable'] else 'not used'}" for q in s["passes"])
    rows = [
        _row("older-adult video", case, "view / passes", s["view"], "", "", None, passes),
        _row("older-adult video", case, "events L/R (IC+FC)", f"{sum(s['n_events']['left'].values())}/{sum(s['n_events']['right'].values())}", "", "", None,
             f"strides L {s['n_cycles']['left']}, R {s['n_cycles']['right']}; analysis wall time {wall:.1f} s incl. pose (cached after first run)"),
    ]
    plaus = {  # Hollman et al. 2011, women 70-74 and 75-79, mean +-1 SD (knowledge/normative_spatiotemporal.csv)
        "cadence_spm": "older women 93-133",
        "speed_mps": "older women 0.95-1.36",
        "step_length_m": "older women 0.52-0.70",
        "stance_pct": "older women 60-67",
    }
    for k in ("cadence_spm", "speed_mps", "step_length_m", "stride_time_s", "stance_pct", "double_support_pct",
              "knee_flex_swing_max_deg", "hip_ext_stance_max_deg", "ankle_plantar_pushoff_max_deg", "foot_angle_ic_deg"):
        if k in p:
            b = p[k]["both"]
            sd = f" SD {b['sd']:.2f}" if "sd" in b else ""
            rows.append(_row("older-adult video", case, k, round(b["mean"], 3), p[k]["unit"], plaus.get(k, ""), None, f"n {b['n']}{sd}"))
        else:
            rows.append(_row("older-adult video", case, k, "not assessable", "", "", None, ""))
    return rows


def event_rows() -> list[dict]:
    """Event-accuracy rows from the events engineer's benchmark (benchmarks/accuracy_events.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from accuracy_events import event_accuracy_rows

    rows = []
    for rec in event_accuracy_rows():
        target = rec.get("target_ms")
        ok = rec.get("meets_target")
        rows.append(
            _row(
                "events vs reference",
                f"{rec['dataset']} {rec['path']} @ {rec['rate_hz']:g} Hz",
                "IC / FC mean abs error",
                f"{rec['ic_mae_ms']:.1f} / {rec['fc_mae_ms']:.1f}",
                "ms",
                "" if target is None else f"<= {target:g}, all matched, none extra",
                None if ok is None else bool(ok),
                f"matched {rec['matched']}/{rec['n_ref']}, extra {rec['extra']}; bias IC {rec['ic_bias_ms']:+.1f}, FC {rec['fc_bias_ms']:+.1f} ms",
            )
        )
    return rows


def print_table(rows: list[dict]) -> None:
    df = pd.DataFrame(rows, columns=["section", "case", "measure", "value", "unit", "target", "ok", "note"]).fillna("")
    print("| section | case | measure | value | unit | target | ok | note |")
    print("|---|---|---|---|---|---|---|---|")
    for r in df.itertuples(index=False):
        print("| " + " | ".join(str(x) for x in r) + " |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="gaitscope accuracy table (needs ../shared/data)")
    ap.add_argument("--no-video", action="store_true", help="skip the older-adult video (pose stage, slow)")
    ap.add_argument("--no-events", action="store_true", help="skip the event rows")
    ap.add_argument("--cache", default="/tmp/gaitscope_accuracy", help="where the video's keypoints are cached")
    args = ap.parse_args(argv)
    if not SHARED.is_dir():
        print(f"accuracy: {SHARED} not found; this benchmark needs ../shared/data", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    rows: list[dict] = []
    if not args.no_events:
        rows += event_rows()
    rows += angle_rows(SHARED)
    rows += phantom_rows()
    rows += step_noise_rows()
    if not args.no_video:
        rows += older_adult_rows(SHARED, Path(args.cache))
    print_table(rows)
    print(f"\n({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
