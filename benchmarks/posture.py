"""Known-answer benchmark of the static posture screen (issue 5).

The standing phantom with set asymmetries (shoulder drop, pelvic drop, trunk shift, knee valgus,
forward head) is filmed by the virtual camera from the front, back and both sides at several
distances, with pixel noise; each seed gives one "photo" (one frame). The truth is computed from the
phantom's world coordinates (gaitscope.posture.validation.truth_value), the measured value comes from
the keypoint path of ``gaitscope posture``. Plainly synthetic: the pose model's own error on real
photos is not in these figures (see docs/posture.md).

Run:  .venv/bin/python benchmarks/posture.py [--noise-px 1.0] [--seeds 5]
"""

from __future__ import annotations

import argparse
import time

from gaitscope.posture.validation import CASES, INFO_CASES, format_table, known_answer_rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--noise-px", type=float, default=1.0, help="SD of the virtual camera's pixel noise")
    ap.add_argument("--seeds", type=int, default=5, help="photos (seeds) per case and distance")
    ap.add_argument("--distances-m", type=float, nargs="+", default=[2.5, 4.0, 6.0])
    args = ap.parse_args()
    seeds = tuple(range(args.seeds))
    t0 = time.perf_counter()
    print(f"posture known answers: phantom standing 1.70 m, portrait 1080x1920 px, hfov 60 deg, camera at 1.0 m, "
          f"noise {args.noise_px} px, {len(seeds)} photos per row; ok = worst error <= 2 stated errors\n")
    rows = known_answer_rows(distances_m=tuple(args.distances_m), seeds=seeds, noise_px=args.noise_px)
    print(format_table(rows))
    print("\nCVA from photos (no C7 keypoint: C7 estimated from the shoulder landmark, the proxy):\n")
    cva = tuple(c for c in CASES if c[3] == "cva")
    rows_p = known_answer_rows(distances_m=tuple(args.distances_m), seeds=seeds, noise_px=args.noise_px,
                               cases=cva, drop_c7=True)
    print(format_table(rows_p))
    print("\nReported only, never flagged (foot turn-out from a frontal photo: heel hidden, foot length assumed, "
          "toe nearer the camera than the heel):\n")
    rows_i = known_answer_rows(distances_m=tuple(args.distances_m), seeds=seeds, noise_px=args.noise_px,
                               cases=INFO_CASES)
    print(format_table(rows_i))
    allrows = rows + rows_p
    n_ok = sum(r.within for r in allrows)
    n_i = sum(r.within for r in rows_i)
    print(f"\n{n_ok} of {len(allrows)} flagged-measure rows and {n_i} of {len(rows_i)} reported-only rows within 2 "
          f"stated errors; {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
