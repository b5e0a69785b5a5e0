"""Where a camera's view of a foot contact lies relative to force-plate contact (the definition of IC/FC).

    .venv/bin/python benchmarks/contact_definitions.py [--px-per-m 225]

The reference a gait lab compares with is the force plate: IC when the vertical force rises above
20 N, FC when it falls below (``../shared/data/mocap_corpus``: every plate contact whose foot was
identified, ``reference_events.csv`` source ``force_plate``). A camera (or a person reading video
frames) sees the foot's points instead. This script measures, on the corpus markers at every plate
event, when the criteria used to read video by eye are met, relative to the plate event:

* ``ic_height``: the heel (the landing point; the ankle marker on files without a heel marker) is
  within ``2 px`` of the height it has at plate contact - the eye criterion "the landing point is down"
  (``tests/data/README.md``: <= 2 px above its resting level);
* ``ic_stop``: the heel is within ``2 px`` (horizontally) of where it stays in stance - the outdoor
  clip's criterion (grass hides the sole: "the heel stops moving forward");
* ``fc_height``: the toe marker has risen ``4 px`` above its height at plate lift-off - the eye
  criterion "clearly off" (>= 4 px up);
* ``fc_move``: the toe marker has moved ``4 px`` (horizontally) away from where it was at plate lift-off - the
  outdoor clip's FC criterion (grass hides the sole: "the forefoot is >= 4 px ahead of where the toes rested").
  Like ``fc_height`` it is measured from the marker's position at lift-off, not from its stance position: the
  toe marker sits on the forefoot's dorsum and moves with the foot's roll before lift-off, while the toes the eye
  sees stay on their spot until the foot leaves;
* ``fc_move_stance``: the same with the marker's flat-foot position (median 0.3-0.2 s before lift-off) as the
  reference: how much the roll before lift-off moves a marker on the forefoot (a reader who lines up the
  forefoot's dorsum rather than the toes would read this).

Pixels are turned into millimetres with the clip's scale (``--px-per-m``; the older-adult clip: the
walker's 360 px standing height for an assumed 1.60 m -> 225 px/m). Offsets in ms, + = the criterion
is met after the plate event. ``benchmarks/video_events.py`` uses the medians to turn the eye-read
frames into plate-equivalent frames (docs/events.md, "What a contact is").
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "data" / "mocap_corpus"
#: eye-reading thresholds (tests/data/README.md): down <= 2 px, clearly up >= 4 px
DOWN_PX = 2.0
UP_PX = 4.0
#: the older-adult clip: 360 px standing height (docs/events.md) for an assumed 1.60 m
OLDER_ADULT_PX_PER_M = 360.0 / 1.60


def _first(mask: np.ndarray) -> int | None:
    idx = np.flatnonzero(mask)
    return int(idx[0]) if idx.size else None


def criterion_offsets(px_per_m: float = OLDER_ADULT_PX_PER_M) -> pd.DataFrame:
    """One row per plate event and criterion: ``file``, ``criterion``, ``offset_ms`` (criterion - plate)."""
    from gaitscope.capture.markers import load_markers
    from gaitscope.types import GaitscopeError

    down_m, up_m = DOWN_PX / px_per_m, UP_PX / px_per_m
    ref = pd.read_csv(CORPUS / "reference_events.csv")
    rows = []
    for f in sorted(CORPUS.glob("*.c3d")):
        plates = ref[(ref["file"] == f.name) & (ref["source"] == "force_plate")]
        if plates.empty:
            continue
        try:
            rec = load_markers(f)
        except GaitscopeError:
            continue
        pose = rec.pose
        t = pose.t_s
        r = float(rec.rate_hz)
        names = list(pose.names)
        for _, e in plates.iterrows():
            heel = pose.xyz[:, names.index(f"{e['side']}_heel")]
            toe = pose.xyz[:, names.index(f"{e['side']}_toe")]
            i = int(np.argmin(np.abs(t - float(e["t_s"]))))
            if e["event"] == "ic":
                k0 = max(0, i - int(0.3 * r))
                h_c = float(np.interp(e["t_s"], t, heel[:, 1]))
                j = _first(heel[k0:i + 1, 1] - h_c <= down_m)
                if j is not None:
                    rows.append((f.name, "ic_height", 1000.0 * (t[k0 + j] - e["t_s"])))
                # where the heel stays: its median horizontal position 0.1-0.3 s after contact
                w = heel[i + int(0.1 * r): i + int(0.3 * r)]
                if len(w) and np.isfinite(w).all():
                    rest = np.median(w[:, [0, 2]], axis=0)
                    d = np.hypot(heel[:, 0] - rest[0], heel[:, 2] - rest[1])
                    j = _first(d[k0:i + int(0.3 * r)] <= down_m)
                    if j is not None:
                        rows.append((f.name, "ic_stop", 1000.0 * (t[k0 + j] - e["t_s"])))
            else:
                h0 = float(np.interp(e["t_s"], t, toe[:, 1]))
                seg = toe[i:i + int(0.25 * r), 1] - h0
                j = _first(seg >= up_m)
                if j is not None:
                    rows.append((f.name, "fc_height", 1000.0 * (t[i + j] - e["t_s"])))
                # fc_move: the toe's horizontal distance from where it was at lift-off (and from its flat-foot
                # position) reaches UP_PX
                p0 = np.array([float(np.interp(e["t_s"], t, toe[:, k])) for k in (0, 2)])
                seg = np.hypot(toe[i:i + int(0.25 * r), 0] - p0[0], toe[i:i + int(0.25 * r), 2] - p0[1])
                j = _first(seg >= up_m)
                if j is not None:
                    rows.append((f.name, "fc_move", 1000.0 * (t[i + j] - e["t_s"])))
                w = toe[max(0, i - int(0.3 * r)): max(0, i - int(0.2 * r))]
                if len(w) and np.isfinite(w).all():
                    rest = np.median(w[:, [0, 2]], axis=0)
                    k0 = i - int(0.2 * r)
                    d = np.hypot(toe[k0:i + int(0.25 * r), 0] - rest[0], toe[k0:i + int(0.25 * r), 2] - rest[1])
                    j = _first(d >= up_m)
                    if j is not None:
                        rows.append((f.name, "fc_move_stance", 1000.0 * (t[k0 + j] - e["t_s"])))
    return pd.DataFrame(rows, columns=["file", "criterion", "offset_ms"])


def summary(df: pd.DataFrame) -> pd.DataFrame:
    out = []
    for c, g in df.groupby("criterion", sort=False):
        v = g["offset_ms"].to_numpy(float)
        out.append({"criterion": c, "n": len(v), "files": g["file"].nunique(), "median_ms": float(np.median(v)),
                    "q1_ms": float(np.percentile(v, 25)), "q3_ms": float(np.percentile(v, 75))})
    return pd.DataFrame(out)


def median_offsets_ms(px_per_m: float = OLDER_ADULT_PX_PER_M) -> dict[str, float]:
    s = summary(criterion_offsets(px_per_m))
    return dict(zip(s["criterion"], s["median_ms"]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--px-per-m", type=float, default=OLDER_ADULT_PX_PER_M)
    args = ap.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"{CORPUS} is not present: nothing to measure", file=sys.stderr)
        return 1
    warnings.simplefilter("ignore")
    s = summary(criterion_offsets(args.px_per_m))
    print(f"Eye-reading criteria vs force-plate events, at {args.px_per_m:.0f} px/m "
          f"({DOWN_PX:g} px = {1000 * DOWN_PX / args.px_per_m:.1f} mm, {UP_PX:g} px = {1000 * UP_PX / args.px_per_m:.1f} mm)\n")
    print("| criterion | plate events | files | median offset ms | IQR ms |")
    print("|---|---|---|---|---|")
    for _, r in s.iterrows():
        print(f"| {r['criterion']} | {r['n']} | {r['files']} | {r['median_ms']:+.0f} | {r['q1_ms']:+.0f} .. {r['q3_ms']:+.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
