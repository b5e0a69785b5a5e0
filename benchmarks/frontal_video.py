"""The frontal view on real video: contacts against an eye reading, and the real-video error of each frontal
measure (docs/frontal.md).

Input: ``../shared/data/video/walk_frontal_toward_camera.mp4`` (a young man walking toward a hand-held phone,
1080p, 30 frames/s), its mirror image and the clip at half the frame rate (both made in ``--work``), each run
through ``gaitscope analyze --height-m 1.78`` (the pose stage is cached in ``--work``: the first run takes a
few minutes on 2 shared cores, later runs seconds).

Prints
1. contacts vs ``tests/data/video_contacts_frontal_eye.csv`` (read by eye before the detector was written):
   per clip, detected - read frame of every read contact (the mirror's sides swapped; the half-rate clip against
   the first of its own frames that shows the contact, and against the read frame halved), then per contact;
   the detector's settings were chosen on the left foot of the original clip, so the right foot, the mirror and
   the half-rate clip are the held-out figures;
2. each frontal measure's side means in the three clips, its left/right difference (a healthy walker), the
   model's own disagreement with itself (original vs mirror image: the same strides, only the pose model sees
   them mirrored; original vs half frame rate), and the frame-to-frame noise while he stands still before
   his first step (SD of the per-frame value over frames 0-17 after the pipeline's 0.2 s smoothing);
3. cadence and stance % against the same quantities computed from the eye-read contacts;
4. the real-video error stated for each measure = the largest of the side-mean disagreements above (rounded
   up); ``knowledge/frontal_video_errors.csv`` holds these values.

Run:  .venv/bin/python benchmarks/frontal_video.py [--work /tmp/gaitscope_frontal_video]
      .venv/bin/python benchmarks/frontal_video.py --shoe-noise 0.02 0.04   (after a first run: contacts with noise
      added to the shoes' measured motion, the shipped FC rule vs the first forward frame)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT.parent / "shared" / "data" / "video" / "walk_frontal_toward_camera.mp4"
EYE = ROOT / "tests" / "data" / "video_contacts_frontal_eye.csv"
MEASURES = ("pelvic_drop_stance_max_deg", "pelvic_obliquity_mean_deg", "pelvic_obliquity_persistent_deg",
            "trunk_lean_lat_stance_max_deg", "knee_fppa_stance_max_deg", "step_width_m", "circumduction_m")
STANDING_FRAMES = (0, 18)  # he stands still until his left heel rises at frame 18 (eye reading)


def make_variant(src: Path, dst: Path, *, mirror: bool, step: int) -> Path:
    import av

    if dst.exists():
        return dst
    with av.open(str(src)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)][::step]
    if mirror:
        frames = [np.ascontiguousarray(f[:, ::-1]) for f in frames]
    tmp = dst.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as c:
        s = c.add_stream("libx264", rate=30 // step)
        s.width, s.height, s.pix_fmt = frames[0].shape[1], frames[0].shape[0], "yuv420p"
        s.options = {"crf": "18", "preset": "ultrafast"}
        for f in frames:
            for pkt in s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    tmp.rename(dst)
    return dst


def kept_frame_reading(frame: float, step: int) -> float:
    """The reading's own rule applied to a copy that keeps every ``step``-th frame (0, step, 2 step, ...).

    ``frame`` as read (``tests/data/README.md``): an integer is the first frame that shows the contact (the frame
    before does not); ``k + 0.5`` means frame ``k`` is ambiguous and ``k + 1`` the first clear one. In the copy the
    first frame showing the contact is the first kept frame at or after the first clear one; + 0.5 again when the
    ambiguous frame is kept and is the kept frame just before it. ``step`` 1 returns ``frame``."""
    first_clear = int(np.ceil(frame))
    c = int(np.ceil(first_clear / step))
    amb = int(np.floor(frame)) if frame != np.floor(frame) else None
    if amb is not None and amb % step == 0 and amb // step == c - 1:
        return c - 0.5
    return float(c)


def read_contacts(mirror: bool = False, step: int = 1, rule: str = "frames") -> pd.DataFrame:
    """The eye-read contacts as seen in a variant: the mirror image swaps the person's sides; in the half-rate
    copy (``step`` 2) ``rule="frames"`` gives the frame of the copy that first shows each contact
    (:func:`kept_frame_reading`: the reading's rule applied to the frames the copy has), ``rule="halved"`` the read
    frame divided by ``step`` (the read time in the copy's frame units, which can fall between its frames)."""
    eye = pd.read_csv(EYE)
    if mirror:
        eye["foot"] = eye["foot"].map({"left": "right", "right": "left"})
    if rule == "halved":
        eye["frame"] = eye["frame"] / step
    elif rule == "frames":
        eye["frame"] = [kept_frame_reading(float(f), step) for f in eye["frame"]]
    else:
        raise ValueError(f"rule must be 'frames' or 'halved', not {rule!r}")
    return eye


def contact_errors(events: pd.DataFrame, t_s: np.ndarray, truth: pd.DataFrame) -> np.ndarray:
    """Detected - read frame of every read contact (nearest event of the same foot and kind; NaN if none
    within 5 frames); ``t_s`` = the time of each frame of the clip."""
    err = []
    for _, r in truth.iterrows():
        c = events[(events["event"] == r["event"]) & (events["side"] == r["foot"])]
        d = np.interp(c["t_s"].to_numpy(float), t_s, np.arange(t_s.size)) - r["frame"]
        err.append(d[np.argmin(np.abs(d))] if d.size and np.min(np.abs(d)) <= 5 else np.nan)
    # events.csv and pose.csv keep t_s to 6 digits: 0.633333 s is frame 18.99999 at 30 frames/s
    return np.round(np.asarray(err), 2)


def eye_timing(mirror: bool, step: int) -> dict:
    """Stance % per side and cadence from the eye-read contacts alone (the truth for the tool's values):
    stance = IC -> own FC over IC -> next own IC; cadence = 60 / mean time between consecutive ICs."""
    eye = read_contacts(mirror, step, rule="halved")  # read times, not frames
    rate = 30.0 / step
    stance = {}
    for side in ("left", "right"):
        ic = np.sort(eye.loc[(eye["foot"] == side) & (eye["event"] == "ic"), "frame"].to_numpy(float))
        fc = np.sort(eye.loc[(eye["foot"] == side) & (eye["event"] == "fc"), "frame"].to_numpy(float))
        stance[side] = float(np.mean([100 * (fc[(fc > a) & (fc < b)][0] - a) / (b - a) for a, b in zip(ic, ic[1:])
                                      if ((fc > a) & (fc < b)).any()]))
    double = {}
    for side, other in (("left", "right"), ("right", "left")):
        ic = np.sort(eye.loc[(eye["foot"] == side) & (eye["event"] == "ic"), "frame"].to_numpy(float))
        ic_o = np.sort(eye.loc[(eye["foot"] == other) & (eye["event"] == "ic"), "frame"].to_numpy(float))
        fc = {f: np.sort(eye.loc[(eye["foot"] == f) & (eye["event"] == "fc"), "frame"].to_numpy(float))
              for f in (side, other)}
        vals = []
        for a, b in zip(ic, ic[1:]):  # stride a -> b: IC this -> FC other, then IC other -> FC this
            fo, io = fc[other][(fc[other] > a) & (fc[other] < b)], ic_o[(ic_o > a) & (ic_o < b)]
            fs = fc[side][(fc[side] > a) & (fc[side] < b)]
            if fo.size and io.size and fs.size:
                vals.append(100 * ((fo[0] - a) + (fs[0] - io[0])) / (b - a))
        double[side] = float(np.mean(vals)) if vals else float("nan")
    ic = eye[eye["event"] == "ic"].sort_values("frame")
    if (ic["foot"].to_numpy()[1:] == ic["foot"].to_numpy()[:-1]).any():
        raise ValueError("the read landings do not alternate between the feet: a step is missing from the reading")
    steps = np.diff(ic["frame"].to_numpy(float)) / rate
    return {"stance": stance, "double_support": double, "cadence": 60.0 / float(np.mean(steps)), "cadence_steady": 60.0 / float(np.mean(steps[1:])),
            "steps_s": steps}


def standing_noise(out: Path) -> dict[str, float]:
    """SD over the standing frames of the per-frame frontal angles and of the lateral distance between the heels."""
    from gaitscope.capture.pose_csv import read_pose_csv
    from gaitscope.metrics.frontal import (
        SMOOTH_FRONTAL_S,
        knee_fppa_deg,
        lateral_positions,
        pelvic_obliquity_deg,
        trunk_lean_lat_deg,
    )
    from gaitscope.signal import prepare_walk

    prep = prepare_walk(read_pose_csv(out / "pose.csv"), height_m=1.78)
    names, lat = prep.names, prep.lat_xy
    a, b = STANDING_FRAMES
    k = max(1, int(round(SMOOTH_FRONTAL_S * prep.rate_hz)))

    def L(n: str) -> np.ndarray:
        return lat[:, names.index(n), :]

    def sd(x: np.ndarray) -> float:
        x = pd.Series(x).rolling(k, center=True, min_periods=1).mean().to_numpy(float)[a:b]
        return float(np.std(x, ddof=1))

    mh = 0.5 * (L("left_hip") + L("right_hip"))
    ms = 0.5 * (L("left_shoulder") + L("right_shoulder"))
    X, _ = lateral_positions(prep)
    heels = X[:, names.index("left_heel")] - X[:, names.index("right_heel")]
    return {
        "pelvic_drop_stance_max_deg": sd(pelvic_obliquity_deg(L("left_hip"), L("right_hip"))),
        "pelvic_obliquity_mean_deg": sd(pelvic_obliquity_deg(L("left_hip"), L("right_hip"))),
        "trunk_lean_lat_stance_max_deg": sd(trunk_lean_lat_deg(mh, ms, "left")),
        "knee_fppa_stance_max_deg": max(sd(knee_fppa_deg(L(f"{s}_hip"), L(f"{s}_knee"), L(f"{s}_ankle"), s))
                                        for s in ("left", "right")),
        "step_width_m": float(np.std(heels[a:b], ddof=1)),
    }


def shoe_noise(work: Path, sd_height_per_s: float, draws: int = 40, seed: int = 0) -> None:
    """Contacts vs the reading when Gaussian noise (``sd_height_per_s`` standing heights/s) is added to each shoe's
    measured motion, for the shipped lift-off bracket and for the first forward frame alone
    (``heel_rise_window_s=0``); reads the pose runs already in ``work``."""
    from dataclasses import replace

    from gaitscope.capture.pose_csv import read_pose_csv
    from gaitscope.metrics.frontal import ShoeMotionEventDetector, apparent_height_px
    from gaitscope.signal import prepare_walk

    rng = np.random.default_rng(seed)
    print(f"\nShoe-motion noise {sd_height_per_s:g} H/s, {draws} draws: contacts within 1 frame of the reading\n")
    print("| clip | FC rule | mean within 1 frame (of 15) | fewest | all 15 within 1 frame (share of draws) |")
    print("|---|---|---|---|---|")
    for name, (mirror, step) in {"original": (False, 1), "mirror": (True, 1), "half_rate": (False, 2)}.items():
        prep = prepare_walk(read_pose_csv(work / name / "pose.csv"), height_m=1.78)
        height = apparent_height_px(prep.pose.xyz[:, :, :2], prep.names)
        clean = prep.pose.meta["shoe_motion_px"]
        truth = read_contacts(mirror, step)
        for label, det in (("bracket (shipped)", ShoeMotionEventDetector()),
                           ("first forward frame", ShoeMotionEventDetector(heel_rise_window_s=0.0))):
            within = []
            for _ in range(draws):
                noisy = {s: [None if v is None else [v[0], v[1] + rng.normal(0, sd_height_per_s * height[k] / prep.rate_hz)]
                             for k, v in enumerate(clean[s])] for s in clean}
                ev = det.detect(replace(prep, pose=replace(prep.pose, meta={**prep.pose.meta, "shoe_motion_px": noisy})))
                within.append(int((np.abs(contact_errors(ev, prep.pose.t_s, truth)) <= 1).sum()))
            w = np.asarray(within)
            print(f"| {name} | {label} | {w.mean():.1f} | {w.min()} | {np.mean(w == len(truth)):.2f} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/gaitscope_frontal_video"))
    ap.add_argument("--shoe-noise", type=float, nargs="*", metavar="H_PER_S",
                    help="only the noise check on the pose runs already in --work (e.g. 0.02 0.04)")
    args = ap.parse_args(argv)
    if not CLIP.exists():
        print(f"{CLIP} not found: nothing to measure")
        return 0
    if args.shoe_noise:
        for sd in args.shoe_noise:
            shoe_noise(args.work, sd)
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    clips = {"original": (CLIP, False, 1),
             "mirror": (make_variant(CLIP, args.work / "mirror.mp4", mirror=True, step=1), True, 1),
             "half_rate": (make_variant(CLIP, args.work / "half.mp4", mirror=False, step=2), False, 2)}
    means: dict[str, dict[str, dict[str, float]]] = {}
    print("Contacts vs the eye reading (detected - read, frames of that clip; settings chosen on the original's "
          "left foot)\n")
    print("| clip | truth | contacts read | found | within 1 frame | mean | max abs | per contact (read order) |")
    print("|---|---|---|---|---|---|---|---|")
    per_contact: dict[str, tuple[pd.DataFrame, np.ndarray]] = {}
    for name, (video, mirror, step) in clips.items():
        out = args.work / name
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gaitscope.cli", "analyze", str(video), "--height-m", "1.78",
                        "--out", str(out), "--quiet"], check=True)
        t = pd.read_csv(out / "pose.csv", usecols=["t_s"])["t_s"].to_numpy(float)
        events = pd.read_csv(out / "events.csv")
        for rule in ("frames", "halved") if step > 1 else ("frames",):
            truth = read_contacts(mirror, step, rule)
            err = contact_errors(events, t, truth)
            ok = np.isfinite(err)
            label = "read frame" if step == 1 else ("first frame of the copy showing it" if rule == "frames"
                                                     else f"read frame / {step}")
            print(f"| {name} | {label} | {err.size} | {ok.sum()} | {(np.abs(err[ok]) <= 1).sum()} | "
                  f"{np.nanmean(err):+.2f} | {np.nanmax(np.abs(err)):.2f} | {' '.join(f'{e:+.2f}' for e in err)} |")
            if rule == "frames":
                per_contact[name] = (truth, err)
        p = json.loads((out / "summary.json").read_text())["parameters"]
        sides = {"left": "right", "right": "left"} if mirror else {"left": "left", "right": "right"}
        means[name] = {m: {s: float(p[m][sides[s]]["mean"]) for s in ("left", "right") if sides[s] in p.get(m, {})}
                       for m in MEASURES}
        means[name]["_run_s"] = {"s": time.perf_counter() - t0}
        if name == "original":
            s = p
            print(f"\n(original: cadence {s['cadence_spm']['both']['mean']:.1f} steps/min, stride "
                  f"{s['stride_time_s']['both']['mean']:.3f} s, step {s['step_time_s']['both']['mean']:.3f} s)\n")
    print("\nPer contact (detected - read, frames of each clip; the mirror's feet swapped back to the person's; the "
          "half-rate copy against the first of its frames showing the contact)\n")
    print("| read frame | contact | original | mirror | half rate: read in its frames | half rate |")
    print("|---|---|---|---|---|---|")
    truth0 = per_contact["original"][0]
    for k in range(len(truth0)):
        r = truth0.iloc[k]
        cells = [f"{per_contact[n][1][k]:+.2f}" for n in ("original", "mirror")]
        print(f"| {r['frame']:g} | {r['foot']} {r['event'].upper()} | {cells[0]} | {cells[1]} | "
              f"{per_contact['half_rate'][0].iloc[k]['frame']:g} | {per_contact['half_rate'][1][k]:+.2f} |")
    print("\nTiming vs the eye reading (truth: the read contacts; cadence = 60 / mean IC-to-IC step time, 'steady' "
          "without the first step from standing)\n")
    print("| clip | cadence tool | cadence read | steady read | stance % L tool / read | stance % R tool / read | "
          "double support % L tool / read | double support % R tool / read |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (_video, mirror, step) in clips.items():
        p = json.loads((args.work / name / "summary.json").read_text())["parameters"]
        e = eye_timing(mirror, step)
        st = p.get("stance_pct", {})
        print(f"| {name} | {p['cadence_spm']['both']['mean']:.1f} | {e['cadence']:.1f} | {e['cadence_steady']:.1f} | "
              + " | ".join(f"{st.get(s, {}).get('mean', float('nan')):.1f} / {e['stance'][s]:.1f}" for s in ("left", "right"))
              + " | " + " | ".join(f"{p.get('double_support_pct', {}).get(s, {}).get('mean', float('nan')):.1f} / "
                                  f"{e['double_support'][s]:.1f}" for s in ("left", "right")) + " |")
    print("read step times (s, original): " + " ".join(f"{x:.3f}" for x in eye_timing(False, 1)["steps_s"]))
    noise = standing_noise(args.work / "original")
    print("\nFrontal measures: side means (the person's sides; the mirror's relabelled), disagreements, noise\n")
    print("| measure | original L / R | mirror L / R | half rate L / R | L-R (original) | max orig-mirror | "
          "max orig-half | standing noise SD | stated error |")
    print("|---|---|---|---|---|---|---|---|---|")
    for m in MEASURES:
        o, mi, h = means["original"][m], means["mirror"][m], means["half_rate"][m]
        if not o:
            continue
        fmt = "{:.3f}" if m.endswith("_m") else "{:.1f}"

        def pair(d):
            return " / ".join(fmt.format(d[s]) if s in d else "-" for s in ("left", "right"))

        lr = abs(o["left"] - o["right"]) if len(o) == 2 else float("nan")
        om = max((abs(o[s] - mi[s]) for s in o if s in mi), default=float("nan"))
        oh = max((abs(o[s] - h[s]) for s in o if s in h), default=float("nan"))
        nz = noise.get(m, float("nan"))
        stated = np.nanmax([om, oh])
        print(f"| {m} | {pair(o)} | {pair(mi)} | {pair(h)} | {fmt.format(lr)} | {fmt.format(om)} | {fmt.format(oh)} | "
              f"{fmt.format(nz)} | {fmt.format(stated)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
