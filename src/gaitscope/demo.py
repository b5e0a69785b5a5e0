"""``make demo``: the whole assessment on the built-in synthetic walker (plainly synthetic data).

The phantom walks with an injected pattern (moderate right Trendelenburg with reduced heel strike) and is
filmed by the virtual camera from the left side and from behind; the same synthetic body stands for
"photos" from the front and the side; a synthetic intake answers the questions. :func:`run_demo` then runs
:func:`gaitscope.pipeline.assess` on those keypoint files exactly as on a person's recordings and returns
the lines to print, the last one the path of the report.
"""

from __future__ import annotations

import time
from pathlib import Path

DEMO_PATTERN = "trendelenburg+reduced_heel_strike"
DEMO_SIDE = "right"
DEMO_SEVERITY = "moderate"
DEMO_HEIGHT_M = 1.70
#: The synthetic client's intake (no red flag; heel pain history and long sitting feed the chain).
DEMO_INTAKE = {
    "name": "Demo walker (synthetic)",
    "age_years": 42,
    "sex": "female",
    "height_m": DEMO_HEIGHT_M,
    "pain_regions": ["lower back", "heel right"],
    "pain_now": 3,
    "pain_worst": 6,
    "pain_duration_weeks": 20,
    "pain_worse_with": ["walking", "standing"],
    "pain_flaring": False,
    "heel_pain_history": True,
    "sitting_hours_per_day": 8,
    "one_shoulder_bag": True,
    "functional_activities": [{"activity": "walking 30 minutes", "score": 5}, {"activity": "standing at work", "score": 6}],
    "back_pain_sudden_onset": False, "walking_leg_symptoms": False, "osteoporosis": False, "falls": False,
    "poor_balance": False,
    "saddle_numbness": False, "bladder_bowel_change": False, "leg_weakness_progressive": False, "fever": False,
    "unexplained_weight_loss": False, "cancer_history": False, "major_trauma": False, "night_pain": False,
}
SYNTHETIC_NOTE = (
    "This is the gaitscope demo: a simulated walker (not a real person) with an injected moderate right "
    "Trendelenburg gait and reduced right heel strike, filmed by a virtual camera from the left side and from "
    "behind, synthetic standing 'photos' and synthetic intake answers. Pictures show keypoints, not video."
)


def _posture_keypoints(seed: int = 3) -> dict:
    """Front and side 'photos' of the synthetic body standing (keypoints through the virtual camera)."""
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom import standing
    from gaitscope.posture.run import still_from_pose

    world = standing(height_m=DEMO_HEIGHT_M, pelvic_drop_deg=2.5, shoulder_drop_deg=1.5, forward_head_m=0.05,
                     duration_s=1.0, rate_hz=30.0, seed=seed)
    views = {}
    for cam, view in (("frontal-front", "front"), ("sagittal-left", "side")):
        img = project(world, view=cam, rate_hz=30.0, image_size_px=(720, 1280), hfov_deg=42.0, distance_m=2.5,
                      camera_height_m=1.0, noise_px=1.0, seed=seed)
        views[view] = still_from_pose(img, view, min_score=0.5, frames=[img.n_frames // 2])
    return views


def run_demo(out_dir: Path, *, pdf: bool = False, progress: bool = True) -> str:
    """Simulate, film, assess and write the report; returns the lines to print (last: the report path)."""
    from gaitscope.capture.pose_csv import write_pose_csv
    from gaitscope.capture.virtual_camera import project
    from gaitscope.intake import validate_intake, write_intake_file
    from gaitscope.phantom.cli import write_phantom
    from gaitscope.phantom.walker import simulate
    from gaitscope.pipeline import assess

    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    inputs = out_dir / "inputs"
    walk = simulate(pattern=DEMO_PATTERN, severity=DEMO_SEVERITY, side=DEMO_SIDE, height_m=DEMO_HEIGHT_M,
                    duration_s=10.0, seed=1)
    write_phantom(walk, inputs, view="sagittal-left", fps=30.0, noise_px=1.0, seed=1)
    back = project(walk.pose, view="frontal-back", rate_hz=30.0, noise_px=1.0, seed=2)
    back_csv = write_pose_csv(back, inputs / "pose_frontal_back.csv")
    intake_path = write_intake_file(DEMO_INTAKE, inputs / "intake.yaml")
    intake = validate_intake(DEMO_INTAKE, source=str(intake_path))
    result = assess(
        side_video=inputs / "pose.csv", back_video=back_csv, intake=intake, height_m=DEMO_HEIGHT_M,
        out_dir=out_dir, pdf=pdf, progress=progress, posture_keypoints=_posture_keypoints(),
        synthetic_note=SYNTHETIC_NOTE,
    )
    tr = walk.truth
    ps = tr["per_side"]
    doc = result.document
    found = [f"{f['title']}{' (' + f['side'] + ')' if f.get('side') else ''}" for f in doc["at_a_glance"]["top_findings"]]
    lines = [
        "gaitscope demo on SYNTHETIC data (the built-in phantom walker, not a real person).",
        f"Injected: {DEMO_SEVERITY} {DEMO_SIDE} Trendelenburg and reduced heel strike. Truth: cadence "
        f"{tr['cadence_spm']:.1f} steps/min, speed {tr['speed_mps']:.2f} m/s, contralateral pelvic drop in right "
        f"stance {ps['right']['pelvic_drop_stance_max_deg']:.1f} deg / left stance {ps['left']['pelvic_drop_stance_max_deg']:.1f} deg.",
        "Found (top findings): " + ("; ".join(found) if found else "none"),
        f"Inputs (keypoints from the virtual camera, truth.json beside them): {inputs}/",
        f"Assessment: {result.files['assessment']}" + (f"; PDF: {result.files['pdf']}" if "pdf" in result.files else ""),
        f"done in {time.perf_counter() - t0:.1f} s. Report: {result.files['report']}",
    ]
    return "\n".join(lines)
