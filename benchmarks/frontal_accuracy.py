"""Measurement error of the frontal-plane measures and arm swing (docs/frontal.md).

1. Phantom (synthetic, known truth): normal and frontal-pattern walks, several seeds, analysed in 3D and
   through the virtual camera from the front and from behind (30 frames/s, 1 px noise, 2 % dropped frames;
   arm swing from the side), each side's mean over its strides compared with the phantom's truth mean.
   Frontal-video events come from foot stillness (``FootStillnessEventDetector``); their timing error against
   the phantom's events is reported too.
   A further camera, ``frontal-front-clip``, has the real clip's resolution and distance
   (``walk_frontal_toward_camera.mp4``: 1920x1080, the walker's image growing from about 350 to 585 px
   nose-to-heel over a 5 s walk of about 6 m): a 5 s phantom walk seen from the front by a camera whose
   focal length and distance make the phantom's nose-to-heel image grow from 350 to 585 px, lens 1.3 m
   above the floor (a phone at chest height), 1 px noise, 2 % dropped frames.
2. Lab (real): ``treadmill_walk_events.c3d``: gaitscope's pelvic obliquity (hip joint centres) in 3D and
   through a frontal virtual camera against the lab's Plug-in-Gait ``PelvisAngles`` (obliquity), and foot
   progression against ``FootProgressAngles``, using the lab's events for the stance windows.

Run:  .venv/bin/python benchmarks/frontal_accuracy.py [--seeds 3]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from gaitscope.capture.virtual_camera import project
from gaitscope.events import detect_events
from gaitscope.metrics import compute_angles, compute_cycles
from gaitscope.metrics.frontal import (
    FootStillnessEventDetector,
    compute_frontal,
    foot_progression_angle_deg,
    pelvic_obliquity_deg,
)
from gaitscope.phantom.walker import simulate
from gaitscope.signal import prepare_walk
from gaitscope.types import SIDES

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
WALKS = (
    (None, "moderate", "right"),
    ("trendelenburg", "moderate", "right"),
    ("trendelenburg", "severe", "left"),
    ("trendelenburg_compensated", "moderate", "left"),
    ("knee_valgus", "moderate", "right"),
    ("leg_length_difference", "severe", "left"),
    ("stiff_knee", "severe", "right"),
    ("reduced_arm_swing", "moderate", "left"),
)
ANGLE_METRICS = ("pelvic_drop_stance_max_deg", "pelvic_obliquity_mean_deg", "trunk_lean_lat_stance_max_deg",
                 "knee_fppa_stance_max_deg")


def analyse(pose, view):
    prep = prepare_walk(pose, height_m=1.70)
    ev = detect_events(prep)
    if prep.view == "frontal":
        ev = FootStillnessEventDetector().detect(prep)
    cyc = compute_cycles(prep, ev, compute_angles(prep))
    fr, _ = compute_frontal(prep, ev, cyc)
    fr["side"] = cyc["side"].to_numpy()
    return prep, ev, fr


def event_errors(ev, truth_ev, prep):
    out = defaultdict(list)
    t0, t1 = prep.pose.t_s[0], prep.pose.t_s[-1]
    for kind in ("ic", "fc"):
        for s in SIDES:
            tr = truth_ev[(truth_ev.side == s) & (truth_ev.event == kind)].t_s.to_numpy()
            tr = tr[(tr > t0) & (tr < t1)]
            for x in ev[(ev.side == s) & (ev.event == kind)].t_s.to_numpy():
                if tr.size:
                    d = x - tr[np.argmin(np.abs(tr - x))]
                    if abs(d) < 0.6:
                        out[kind].append(d)
    return out


#: The real frontal clip's image: 1920x1080, nose-to-heel 350 px far and 585 px near, over a 5 s walk.
CLIP_IMAGE_PX = (1920, 1080)
CLIP_SIZE_FAR_PX, CLIP_SIZE_NEAR_PX = 350.0, 585.0
CLIP_WALK_S = 5.0


def clip_camera(pose_world) -> dict:
    """Virtual-camera settings giving the real clip's resolution and walker size at both ends of the walk."""
    names = pose_world.names
    hip = 0.5 * (pose_world.xyz[:, names.index("left_hip")] + pose_world.xyz[:, names.index("right_hip")])
    path_m = float(np.nanmax(hip[:, 0]) - np.nanmin(hip[:, 0]))
    nose_heel_m = float(np.nanmedian(pose_world.xyz[:, names.index("nose"), 1]))  # heel at the floor (y = 0)
    near_m = path_m / (CLIP_SIZE_NEAR_PX / CLIP_SIZE_FAR_PX - 1.0)  # size is inversely proportional to distance
    return {"image_size_px": CLIP_IMAGE_PX, "focal_px": CLIP_SIZE_NEAR_PX * near_m / nose_heel_m,
            "distance_m": near_m + 0.5 * path_m, "camera_height_m": 1.3}


def phantom(seeds: int) -> None:
    err = defaultdict(list)  # (metric, view) -> list of (measured - truth)
    ev_err = defaultdict(list)
    for pattern, sev, side in WALKS:
        for seed in range(seeds):
            walk = simulate(pattern=pattern, severity=sev, side=side, duration_s=10, seed=seed)
            short = simulate(pattern=pattern, severity=sev, side=side, duration_s=CLIP_WALK_S, seed=seed)
            for view in ("3d", "frontal-front", "frontal-back", "sagittal-left", "frontal-front-clip"):
                if view == "frontal-front-clip":
                    walk_v = short
                    pose = project(short.pose, view="frontal-front", rate_hz=30, noise_px=1.0, drop_fraction=0.02,
                                   seed=seed, **clip_camera(short.pose))
                else:
                    walk_v = walk
                    pose = walk.pose if view == "3d" else project(walk.pose, view=view, rate_hz=30, noise_px=1.0,
                                                                    drop_fraction=0.02, seed=seed)
                truth = walk_v.truth["per_side"]
                prep, ev, fr = analyse(pose, view)
                if view.startswith("frontal"):
                    for k, v in event_errors(ev, walk_v.events, prep).items():
                        ev_err[(view, k)].extend(v)
                for s in SIDES:
                    g = fr[fr.side == s]
                    if len(g) == 0:
                        continue
                    for m in ANGLE_METRICS + ("arm_swing_amplitude_deg",):
                        v = g[m].mean()
                        if np.isfinite(v) and m in truth[s]:
                            err[(m, view)].append(v - truth[s][m])
                    v = g["step_width_m"].mean()
                    if np.isfinite(v):
                        err[("step_width_m", view)].append(v - walk_v.truth["step_width_m"])
                    inj = walk_v.truth["pattern"]["injected"].get(pattern, {}) if pattern else {}
                    circ_truth = 0.0
                    if pattern == "stiff_knee" and s == side:
                        circ_truth = inj["circumduction_m"]
                    if pattern == "leg_length_difference" and s != side:
                        circ_truth = inj["long_leg_circumduction_m"]
                    v = g["circumduction_m"].mean()
                    if np.isfinite(v):
                        err[("circumduction_m", view)].append(v - circ_truth)
                    v = g["heel_eversion_deg"].mean()
                    if np.isfinite(v):  # the phantom's rearfoot is not everted: truth 0 deg
                        err[("heel_eversion_deg", view)].append(v)
                    v = g["foot_progression_deg"].mean()
                    if np.isfinite(v):  # phantom toe-out 7 deg (FOOT_PROGRESSION_OUT_DEG)
                        err[("foot_progression_deg", view)].append(v - 7.0)
    print(f"Phantom: {len(WALKS)} walks x {seeds} seeds, per-side means vs truth (measured - truth); camera 30 fps, "
          "1 px noise, 2 % dropped frames, height 1.70 m given")
    print()
    print("| metric | view | n side-means | bias | SD | RMSE | max abs |")
    print("|---|---|---|---|---|---|---|")
    for (m, view), v in sorted(err.items()):
        a = np.asarray(v)
        print(f"| {m} | {view} | {a.size} | {a.mean():+.2f} | {a.std(ddof=1) if a.size > 1 else 0:.2f} | "
              f"{np.sqrt(np.mean(a ** 2)):.2f} | {np.max(np.abs(a)):.2f} |")
    print()
    print("| frontal-video events (foot stillness) | view | n | mean error s | SD s |")
    print("|---|---|---|---|---|")
    for (view, k), v in sorted(ev_err.items()):
        a = np.asarray(v)
        print(f"| {k} | {view} | {a.size} | {a.mean():+.3f} | {a.std(ddof=1):.3f} |")


def lab() -> None:
    path = SHARED / "mocap" / "treadmill_walk_events.c3d"
    if not path.exists():
        print("\n../shared/data not present: lab comparison skipped")
        return
    from gaitscope.capture.markers import load_markers

    rec = load_markers(path)
    ref = rec.model_angles
    ev = rec.reference_events
    print()
    print(f"Lab: {path.name} (treadmill, Plug-in-Gait), lab events for the stance windows")
    print()
    print("| measure | input | n | bias deg | SD deg | RMSE deg | note |")
    print("|---|---|---|---|---|---|---|")
    for view in ("3d", "frontal-front", "frontal-back"):
        pose = rec.pose if view == "3d" else project(rec.pose, view=view, rate_hz=30, noise_px=1.0, seed=0)
        prep = prepare_walk(pose)
        if prep.passes and not prep.passes[0].usable:  # a treadmill seen from the front does not travel
            prep = replace(prep, passes=tuple(replace(p, usable=True, kind="treadmill") for p in prep.passes))
        names = prep.names
        lat = prep.lat_xy
        t = prep.pose.t_s
        diffs = []
        peaks = []
        for s in SIDES:
            o = "right" if s == "left" else "left"
            obl = pelvic_obliquity_deg(lat[:, names.index(f"{s}_hip")], lat[:, names.index(f"{o}_hip")])
            r = ref[ref.side == s]
            lab_obl = np.interp(t, r.t_s.to_numpy(), r.pelvis_obliquity_deg.to_numpy())
            ok = np.isfinite(obl) & np.isfinite(lab_obl)
            diffs.append(obl[ok] - lab_obl[ok])
            ics = ev[(ev.side == s) & (ev.event == "ic")].t_s.to_numpy()
            fcs = ev[(ev.side == s) & (ev.event == "fc")].t_s.to_numpy()
            for a in ics:
                f = fcs[fcs > a]
                if f.size and f[0] - a < 1.2:
                    m = (t >= a) & (t < f[0]) & ok
                    if m.sum() > 3:
                        peaks.append(np.max(obl[m]) - np.max(lab_obl[m]))
        d = np.concatenate(diffs)
        pk = np.asarray(peaks)
        print(f"| pelvic obliquity per sample | {view} | {d.size} | {d.mean():+.2f} | {d.std():.2f} | "
              f"{np.sqrt(np.mean(d ** 2)):.2f} | hip joint centres vs ASIS/PSIS pelvis |")
        print(f"| pelvic drop (stance peak) per stride | {view} | {pk.size} | {pk.mean():+.2f} | {pk.std():.2f} | "
              f"{np.sqrt(np.mean(pk ** 2)):.2f} | |")
        if view == "3d":
            fd = []
            for s in SIDES:
                heel = np.stack([prep.sag_xy[:, names.index(f"{s}_heel"), 0], lat[:, names.index(f"{s}_heel"), 0]], -1)
                toe = np.stack([prep.sag_xy[:, names.index(f"{s}_toe"), 0], lat[:, names.index(f"{s}_toe"), 0]], -1)
                fpa = foot_progression_angle_deg(heel, toe, s)
                r = ref[ref.side == s]
                lab_fpa = -np.interp(t, r.t_s.to_numpy(), r.foot_progression_deg.to_numpy())  # lab: in-toeing +
                ics = ev[(ev.side == s) & (ev.event == "ic")].t_s.to_numpy()
                fcs = ev[(ev.side == s) & (ev.event == "fc")].t_s.to_numpy()
                for a in ics:
                    f = fcs[fcs > a]
                    if f.size and f[0] - a < 1.2:
                        m = (t >= a + 0.2 * (f[0] - a)) & (t < a + 0.6 * (f[0] - a))
                        fd.append(np.median(fpa[m]) - np.median(lab_fpa[m]))
            a = np.asarray(fd)
            print(f"| foot progression (mid-stance median) per stride | 3d | {a.size} | {a.mean():+.2f} | {a.std():.2f} | "
                  f"{np.sqrt(np.mean(a ** 2)):.2f} | heel->2nd metatarsal line vs the lab foot axis |")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args(argv)
    phantom(args.seeds)
    lab()


if __name__ == "__main__":
    main()
