"""``make demo``: the main job on the built-in synthetic walker (plainly synthetic data).

For now: simulate the phantom with an injected pattern (moderate right Trendelenburg with
reduced heel strike), film it with the virtual camera from the left side and from behind, and
write the keypoints and the truth. The analysis stages are added here as they land.
"""

from __future__ import annotations

from pathlib import Path

DEMO_PATTERN = "trendelenburg+reduced_heel_strike"
DEMO_SIDE = "right"
DEMO_SEVERITY = "moderate"


def run_demo(out_dir: Path) -> str:
    """Simulate, project (sagittal-left and frontal-back) and write; returns a short summary."""
    from gaitscope.capture.pose_csv import write_pose_csv
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom.cli import write_phantom
    from gaitscope.phantom.walker import simulate

    out_dir = Path(out_dir)
    walk = simulate(pattern=DEMO_PATTERN, severity=DEMO_SEVERITY, side=DEMO_SIDE, duration_s=10.0, seed=1)
    files = write_phantom(walk, out_dir, view="sagittal-left", fps=30.0, noise_px=1.0, seed=1)
    back = project(walk.pose, view="frontal-back", rate_hz=30.0, noise_px=1.0, seed=2)
    files["pose_frontal_back"] = write_pose_csv(back, out_dir / "pose_frontal_back.csv")
    tr = walk.truth
    inj = tr["pattern"]["injected"]
    ps = tr["per_side"]
    lines = [
        "gaitscope demo on SYNTHETIC data (the built-in phantom walker, not a real person).",
        f"Injected: {DEMO_SEVERITY} {DEMO_SIDE} Trendelenburg (extra contralateral pelvic drop "
        f"{inj['trendelenburg']['pelvic_drop_extra_deg']:.0f} deg) with reduced heel strike "
        f"(foot pitch at contact {inj['reduced_heel_strike']['foot_pitch_at_ic_deg']:.0f} deg).",
        f"Truth: cadence {tr['cadence_spm']:.1f} steps/min, speed {tr['speed_mps']:.2f} m/s, step length "
        f"left {tr['step_length_m']['left']:.2f} m / right {tr['step_length_m']['right']:.2f} m, contralateral pelvic "
        f"drop in right stance {ps['right']['pelvic_drop_stance_max_deg']:.1f} deg / in left stance "
        f"{ps['left']['pelvic_drop_stance_max_deg']:.1f} deg.",
        f"Filmed by the virtual camera from the left side and from behind (30 frames/s, 1 px noise): "
        f"{out_dir / 'pose.csv'}, {out_dir / 'pose_frontal_back.csv'}; truth in {out_dir / 'truth.json'}.",
    ]
    return "\n".join(lines)
