"""Does filming at 30 frames/s by itself move the detected contacts? The lab corpus through the virtual camera.

    .venv/bin/python benchmarks/video_frame_rate.py [--ic-median] [--noise-px SIGMA]

Real video events are scored against eye-read contacts (``benchmarks/video_events.py``); on the outdoor clip
the final contacts come early (docs/events.md, "The outdoor walker's final contacts"). This separates the
frame rate from the pose model: every lab file of ``benchmarks/lab_corpus.py`` (the 12 corpus trials and the
older shared files; not the foot-marker file, which has no body to frame) is filmed by the virtual camera
(``benchmarks/accuracy_events.project_camera``: 1280x720, no noise, sagittal-left and sagittal-right) at the
file's own rate and at 30 frames/s (camera start 0, 1/90 and 2/90 s, so the frames fall at three phases of the
movement), the shipped detector runs on each, and the contacts are matched with the lab's reference events
(``accuracy_events.match_events``, 100 ms; only events while the walker is in view, ``visible_reference``).

Printed: per rate and kind, the signed mean error (detected - reference, ms; + = late) over all matched
events, its SD, and the matched count; then per file. Runtime about 1 minute on 2 cores.

``--ic-median``: also runs the opt-in IC (``ic_method="median"``: median of the speed threshold, the knee of the
contact speed and the heel keypoint's lowest image point, at the shipped ``ic_median_fraction`` /
``ic_knee_offset_s``) and prints each file's IC mean absolute error (a missed reference IC counts 100 ms) for the
shipped threshold and the median, at the file's own rate and at 30 frames/s. ``--noise-px SIGMA``: Gaussian noise of
SIGMA px on every keypoint (seeded, the virtual camera's ``noise_px``), as a video pose model's jitter. Figures in
docs/accuracy.md ("Video initial contact: the median through the camera").
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy_events import match_events, project_camera, visible_reference  # noqa: E402

VIEWS = ("sagittal-left", "sagittal-right")
PHASES_S = (0.0, 1.0 / 90.0, 2.0 / 90.0)
VIDEO_RATE_HZ = 30.0


def signed_errors(cases, detectors: dict | None = None, rates: tuple[str, ...] = ("own", "30"),
                  noise_px: float = 0.0) -> pd.DataFrame:
    """One row per matched reference event: ``file``, ``view``, ``rate`` ("own"/"30"), ``event``, ``err_ms``,
    ``source`` (the reference's: ``force_plate`` or the lab's EVENT section) and ``detector`` (the key of
    ``detectors``, label -> :class:`~gaitscope.events.FootVelocityEventDetector`; default: the shipped one,
    ``"shipped"``). A reference event no detector matches within 100 ms gets ``err_ms`` NaN. ``noise_px``: keypoint
    noise SD (px) of the virtual camera (seeded per file, view and phase)."""
    from gaitscope.capture.virtual_camera import project
    from gaitscope.events import detect_events
    from gaitscope.signal import prepare_walk
    from gaitscope.types import GaitscopeError

    detectors = detectors or {"shipped": None}
    rows = []
    for c in cases:
        if c.name == "foot_markers_healthy.csv":
            continue
        own = float(c.pose.median_rate_hz)
        for view in VIEWS:
            for label, rate, phases in (("own", own, (0.0,)), ("30", VIDEO_RATE_HZ, PHASES_S)):
                if label not in rates:
                    continue
                for k, start in enumerate(phases):
                    try:
                        img = project(c.pose, view=view, rate_hz=rate, image_size_px=(1280, 720), start_s=start,
                                      noise_px=noise_px, seed=k + 10 * VIEWS.index(view))
                        ref = visible_reference(img, c.ref).reset_index(drop=True)
                        prep = prepare_walk(img)
                    except GaitscopeError:
                        continue
                    for key, det in detectors.items():
                        ev = detect_events(prep, det)
                        for kind in ("ic", "fc"):
                            r = ref[ref["event"] == kind].reset_index(drop=True)
                            for _, one in r.iterrows():
                                m = match_events(ev, pd.DataFrame([one])[["event", "side", "t_s"]])
                                err = m[f"{kind}_bias_ms"] if m[f"{kind}_n"] else np.nan
                                rows.append((c.name, view, label, kind, err, one.get("source", ""), key))
    return pd.DataFrame(rows, columns=["file", "view", "rate", "event", "err_ms", "source", "detector"])


def ic_mae_table(df: pd.DataFrame) -> pd.DataFrame:
    """Per file, rate and detector: the IC mean absolute error (ms) over both views (and the 30 frames/s phases),
    a reference IC no detection matched within 100 ms counting 100 ms (as ``lab_corpus.MISS_PENALTY_MS``)."""
    ic = df[df["event"] == "ic"].assign(abs_ms=lambda d: d["err_ms"].abs().fillna(100.0).clip(upper=100.0))
    return ic.groupby(["file", "rate", "detector"])["abs_ms"].mean().unstack(["rate", "detector"])


def main(argv: list[str] | None = None) -> int:
    import argparse

    import lab_corpus

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ic-median", action="store_true", help="also score the opt-in IC (ic_method='median')")
    ap.add_argument("--noise-px", type=float, default=0.0, help="keypoint noise SD in px (virtual camera)")
    args = ap.parse_args(argv)
    if not lab_corpus.CORPUS.is_dir():
        print(f"{lab_corpus.CORPUS} is not present: nothing to measure", file=sys.stderr)
        return 1
    warnings.simplefilter("ignore")
    cases, _ = lab_corpus.load_cases()
    if args.ic_median:
        from gaitscope.events import FootVelocityEventDetector

        dets = {"threshold": FootVelocityEventDetector(), "median": FootVelocityEventDetector(ic_method="median")}
        tab = ic_mae_table(signed_errors(cases, dets, noise_px=args.noise_px))
        print(f"## IC mean absolute error per file through the virtual camera (ms; both views; noise {args.noise_px} px; "
              "a missed IC counts 100 ms): the shipped threshold vs the opt-in median\n")
        print("| file | own rate: threshold | own rate: median | 30 frames/s: threshold | 30 frames/s: median |")
        print("|---|---:|---:|---:|---:|")
        for f, r in tab.iterrows():
            print(f"| {f} | " + " | ".join(f"{r[(rate, d)]:.1f}" for rate in ("own", "30") for d in ("threshold", "median")) + " |")
        print("| mean over files | " + " | ".join(f"{tab[(rate, d)].mean():.1f}" for rate in ("own", "30")
                                                 for d in ("threshold", "median")) + " |")
        return 0
    df = signed_errors(cases, noise_px=args.noise_px).dropna(subset=["err_ms"])
    print("## Lab files through the virtual camera: own rate vs 30 frames/s (ms, detected - reference)\n")
    print("| rate | kind | matched | mean | SD |")
    print("|---|---|---:|---:|---:|")
    for (rate, kind), g in df.groupby(["rate", "event"], sort=False):
        e = g["err_ms"].to_numpy(float)
        print(f"| {'own rate' if rate == 'own' else '30 frames/s (3 phases)'} | {kind.upper()} | {e.size} | "
              f"{np.mean(e):+.1f} | {np.std(e, ddof=1):.1f} |")
    print("\n| file | kind | own rate mean | 30 frames/s mean |")
    print("|---|---|---:|---:|")
    per = df.groupby(["file", "event", "rate"])["err_ms"].mean().unstack("rate")
    for (f, kind), r in per.iterrows():
        print(f"| {f} | {kind.upper()} | {r.get('own', np.nan):+.1f} | {r.get('30', np.nan):+.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
