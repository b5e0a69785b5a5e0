"""Pattern detection on the phantom through the virtual camera: sensitivity, side, severity, specificity.

Every pattern the phantom can inject, at each severity, on each side, for several seeds, is filmed by the
virtual camera (30 frames/s, 1 px noise, 2 % dropped frames) from the views that show it: sagittal patterns
(antalgic, foot drop -> steppage, stiff knee, crouch, reduced heel strike) and reduced arm swing from the
left and the right; frontal patterns (Trendelenburg, compensated Trendelenburg, knee valgus, leg-length
difference) from the front and from behind. Each clip runs through the full ``analyze`` path (signal ->
events -> metrics -> frontal measures -> findings) and the finding of the expected rule is checked for
status, side and severity. Normal walks filmed from all four views measure specificity (per rule: normal
walks in which that rule was not flagged).

Run:  .venv/bin/python benchmarks/patterns.py [--seeds 2] [--duration-s 10]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

from gaitscope.capture.virtual_camera import project
from gaitscope.phantom.walker import simulate
from gaitscope.pipeline import analyze_pose
from gaitscope.types import GaitscopeError

#: phantom pattern -> the rule code that should flag it
EXPECTED = {
    "antalgic": "antalgic",
    "foot_drop": "steppage",
    "stiff_knee": "stiff_knee",
    "crouch": "crouch",
    "reduced_heel_strike": "reduced_heel_strike",
    "reduced_arm_swing": "reduced_arm_swing",
    "trendelenburg": "trendelenburg",
    "trendelenburg_compensated": "trendelenburg_compensated",
    "knee_valgus": "knee_valgus",
    "leg_length_difference": "leg_length_difference_signs",
    "equinus": "equinus",
    "hemiparetic": "hemiparetic",
}
SEVERITIES = ("mild", "moderate", "severe")
SAGITTAL = ("sagittal-left", "sagittal-right")
FRONTAL = ("frontal-front", "frontal-back")
FRONTAL_PATTERNS = ("trendelenburg", "trendelenburg_compensated", "knee_valgus", "leg_length_difference")
CAMERAS = SAGITTAL + FRONTAL


def cameras_for(pattern: str) -> tuple[str, ...]:
    return FRONTAL if pattern in FRONTAL_PATTERNS else SAGITTAL


class _F:
    """A findings.json pattern entry with attribute access."""

    def __init__(self, d):
        self.code, self.status, self.side, self.severity = d["code"], d["status"], d["side"], d["severity"]


def run_one(pattern, severity, side, seed, camera, duration_s):
    walk = simulate(pattern=pattern, severity=severity, side=side, duration_s=duration_s, seed=seed)
    img = project(walk.pose, view=camera, rate_hz=30.0, noise_px=1.0, drop_fraction=0.02, seed=seed)
    res = analyze_pose(img, height_m=1.70)
    return {d["code"]: _F(d) for d in res.findings["patterns"]}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--duration-s", type=float, default=10.0)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    hits = defaultdict(lambda: [0, 0])  # (pattern, severity) -> [detected on the right side, runs]
    sev_seen = defaultdict(list)
    wrong_side = defaultdict(int)
    extra = defaultdict(int)
    failures = 0
    for pattern, code in EXPECTED.items():
        for severity in SEVERITIES:
            for side in ("left", "right"):
                for seed in range(args.seeds):
                    for cam in cameras_for(pattern):
                        try:
                            found = run_one(pattern, severity, side, seed, cam, args.duration_s)
                        except GaitscopeError:
                            failures += 1
                            hits[(pattern, severity)][1] += 1
                            continue
                        f = found[code]
                        h = hits[(pattern, severity)]
                        h[1] += 1
                        if f.status == "present" and f.side in (side, "both"):
                            h[0] += 1
                            sev_seen[(pattern, severity)].append(f.severity)
                            if f.side == "both":
                                wrong_side[pattern] += 1
                        elif f.status == "present":
                            wrong_side[pattern] += 1
                        for c, g in found.items():
                            if c != code and g.status == "present":
                                extra[(pattern, c)] += 1
    normal_runs = defaultdict(int)  # per camera group
    normal_fp = defaultdict(int)
    normal_na = defaultdict(int)
    normal_assessed = defaultdict(int)
    for seed in range(5 * args.seeds):
        for cam in CAMERAS:
            try:
                found = run_one(None, "moderate", "right", 100 + seed, cam, args.duration_s)
            except GaitscopeError:
                failures += 1
                continue
            normal_runs[cam] += 1
            for c, g in found.items():
                if g.status == "present":
                    normal_fp[c] += 1
                elif g.status == "not_assessable":
                    normal_na[c] += 1
                if g.status != "not_assessable":
                    normal_assessed[c] += 1
    elapsed = time.perf_counter() - t0

    n_normal = sum(normal_runs.values())
    print(f"Pattern rules on the phantom through the virtual camera (sagittal patterns: {', '.join(SAGITTAL)}; "
          f"frontal patterns: {', '.join(FRONTAL)}; 30 fps, 1 px noise, 2 % dropped frames, height given), "
          f"{args.seeds} seed(s) x 2 sides x 2 cameras per cell; full analyze path; {elapsed:.0f} s")
    print()
    print("| phantom pattern | rule | views | sensitivity mild | moderate | severe | mean severity mild / moderate / severe | side wrong or both | specificity (normal walks where the rule was assessable) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for pattern, code in EXPECTED.items():
        cells = []
        sevs = []
        for severity in SEVERITIES:
            d, n = hits[(pattern, severity)]
            cells.append(f"{d}/{n}")
            s = sev_seen[(pattern, severity)]
            sevs.append(f"{sum(s) / len(s):.1f}" if s else "-")
        spec = f"{normal_assessed[code] - normal_fp[code]}/{normal_assessed[code]}"
        views = "front, back" if pattern in FRONTAL_PATTERNS else "left, right"
        print(f"| {pattern} | `{code}` | {views} | {' | '.join(cells)} | {' / '.join(sevs)} | {wrong_side[pattern]} | {spec} |")
    print()
    if extra:
        print("Other rules present in the pattern walks (co-occurring signs):")
        for (pattern, c), k in sorted(extra.items()):
            print(f"  {pattern}: {c} x{k} of {3 * 2 * args.seeds * 2}")
    print(f"Normal walks: {n_normal} ({', '.join(f'{c} {k}' for c, k in normal_runs.items())}); any rule present: "
          + (", ".join(f"{c} x{k}" for c, k in sorted(normal_fp.items()) if k) or "none"))
    print("Not assessable on normal walks (of all views): "
          + ", ".join(f"{c} ({k}/{n_normal})" for c, k in sorted(normal_na.items())))
    if failures:
        print(f"Analysis refused {failures} walk(s) (counted as missed).")


if __name__ == "__main__":
    main()
