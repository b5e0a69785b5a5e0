"""``gaitscope phantom``: write a synthetic walk with its known truth (plainly synthetic data)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gaitscope.phantom.patterns import ALIASES, PATTERNS, SEVERITIES
from gaitscope.types import GaitscopeError

VIEWS = ("sagittal-left", "sagittal-right", "frontal-front", "frontal-back", "none")


def add_phantom_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``gaitscope phantom``."""
    names = ", ".join(sorted(list(PATTERNS) + list(ALIASES)))
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--pattern", default=None, help=f"injected abnormality: {names}; combine with + (default: none)")
    parser.add_argument("--severity", default="moderate", choices=SEVERITIES, help="severity (default: moderate)")
    parser.add_argument("--side", default="right", choices=("left", "right", "both"), help="affected side (default: right)")
    parser.add_argument("--height-m", type=float, default=1.70, help="standing height, m (default: 1.70)")
    parser.add_argument("--speed-mps", type=float, default=None, help="walking speed of the unaffected walker, m/s")
    parser.add_argument("--cadence-spm", type=float, default=None, help="cadence, steps/min (default: 112)")
    parser.add_argument("--duration-s", type=float, default=8.0, help="length of the walk, s (default: 8)")
    parser.add_argument("--rate-hz", type=float, default=100.0, help="sampling rate of the world keypoints, Hz (default: 100)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the stride-to-stride variability (default: 0)")
    parser.add_argument("--view", default="sagittal-left", choices=VIEWS, help="virtual camera view for pose.csv (default: sagittal-left; none = no projection)")
    parser.add_argument("--fps", type=float, default=30.0, help="virtual camera frame rate (default: 30)")
    parser.add_argument("--noise-px", type=float, default=0.0, help="Gaussian pixel noise SD of the virtual camera (default: 0)")
    parser.add_argument("--drop-fraction", type=float, default=0.0, help="fraction of camera frames dropped (default: 0)")


def write_phantom(walk, out_dir: Path, *, view: str | None = "sagittal-left", fps: float = 30.0, noise_px: float = 0.0,
                  drop_fraction: float = 0.0, seed: int = 0) -> dict[str, Path]:
    """Write a :class:`~gaitscope.phantom.walker.PhantomWalk` (and its projection) to ``out_dir``."""
    from gaitscope.capture.pose_csv import write_pose_csv

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise GaitscopeError(f"{out_dir}: cannot create the output folder ({err.strerror}); choose another --out") from None
    files = {"pose_world": write_pose_csv(walk.pose, out_dir / "pose_world.csv")}
    if view and view != "none":
        from gaitscope.capture.virtual_camera import project

        img = project(walk.pose, view=view, rate_hz=fps, noise_px=noise_px, drop_fraction=drop_fraction, seed=seed)
        files["pose"] = write_pose_csv(img, out_dir / "pose.csv")
    from gaitscope.outputs import write_csv, write_text

    files["truth_events"] = write_csv(walk.events, out_dir / "truth_events.csv", index=False, float_format="%.6g")
    files["truth_angles"] = write_csv(walk.angles, out_dir / "truth_angles.csv", index=False, float_format="%.5g")
    files["truth"] = write_text(out_dir / "truth.json",
                                json.dumps({"truth": walk.truth, "params": dict(walk.params)}, indent=2, default=float))
    return files


def run_phantom_command(args: argparse.Namespace) -> str:
    """Run ``gaitscope phantom`` and return the message to print."""
    from gaitscope.phantom.walker import simulate

    walk = simulate(
        height_m=args.height_m,
        speed_mps=args.speed_mps,
        cadence_spm=args.cadence_spm,
        duration_s=args.duration_s,
        rate_hz=args.rate_hz,
        pattern=args.pattern,
        severity=args.severity,
        side=args.side,
        seed=args.seed,
    )
    files = write_phantom(walk, Path(args.out), view=args.view, fps=args.fps, noise_px=args.noise_px,
                          drop_fraction=args.drop_fraction, seed=args.seed)
    pattern = walk.truth["pattern"]["name"]
    what = f"{args.severity} {args.side} {pattern}" if pattern else "normal gait"
    tr = walk.truth
    lines = [
        f"SYNTHETIC data (gaitscope phantom, not a real person): {what}, {args.duration_s:g} s, seed {args.seed}.",
        f"truth: cadence {tr['cadence_spm']:.1f} steps/min, speed {tr['speed_mps']:.2f} m/s, "
        f"step length left {tr['step_length_m']['left']:.3f} m / right {tr['step_length_m']['right']:.3f} m, "
        f"{len(walk.events)} events.",
        "wrote " + ", ".join(str(p) for p in files.values()),
    ]
    return "\n".join(lines)
