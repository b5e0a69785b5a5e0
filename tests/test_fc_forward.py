"""The final contact for video from the foot's forward motion (issue 11; docs/events.md, "The outdoor walker's final
contacts").

A video model's toe keypoint marks the forefoot, not the toe tip: while the heel lifts it rises with the foot (and on
frames where the model confuses the legs it jumps up and down), before the toes leave. The FC for image input is
therefore where the slower of heel and toe moves *forward* faster than ``fc_forward_fraction`` of the swing peak.
"""

from __future__ import annotations

import numpy as np
import pytest

from gaitscope.events import FootVelocityEventDetector
from gaitscope.knowledge.signal_settings import signal_setting
from gaitscope.signal import foot_speed

RATE_HZ = 30.0
T_OFF_S = 1.0        # the toes leave: the foot starts to move forward
ACCEL_MPS2 = 40.0    # forward acceleration after toe-off (peak about 4 m/s after 0.1 s)


def _rear_foot(rise_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Heel and toe (forward, up) of a foot standing still whose heel rises over the last four frames of stance and
    whose toe keypoint rises by ``rise_m`` over the four
    frames before toe-off (on the outdoor clip, frames 80-85, the model's toe point of the rear foot went 20 px down
    and 57 px up, about 21 cm, while it confused the legs), then leaving forward with constant
    acceleration to a swing of 4 m/s, landing 0.4 s later."""
    t = np.arange(0.0, 2.0, 1.0 / RATE_HZ)
    toe = np.zeros((t.size, 2))
    heel = np.zeros((t.size, 2))
    heel[:, 0] = -0.2
    toe[:, 1] = np.clip((t - (T_OFF_S - 4.0 / RATE_HZ)) / (4.0 / RATE_HZ), 0.0, 1.0) * rise_m
    heel[:, 1] = np.clip((t - (T_OFF_S - 4.0 / RATE_HZ)) / (4.0 / RATE_HZ), 0.0, 1.0) * 0.16  # heel rising 1.2 m/s
    # swing: forward speed a (t - t_off) up to 4 m/s, then down to rest at landing (triangle), 0.4 s long
    v = np.interp(t, [T_OFF_S, T_OFF_S + 0.1, T_OFF_S + 0.4], [0.0, ACCEL_MPS2 * 0.1, 0.0], left=0.0, right=0.0)
    x = np.concatenate([[0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) / RATE_HZ)])
    heel[:, 0] += x
    toe[:, 0] += x
    return heel, toe, t


@pytest.mark.parametrize("rise_m", [0.0, 0.15])
def test_forward_fc_is_where_the_foot_moves_forward_not_where_the_toe_point_jumps(rise_m):
    """The side-view video path (footprints): the contact of the rear foot ends where it moves forward."""
    from gaitscope.signal import footprints

    heel, toe, t = _rear_foot(rise_m)
    far = {"heel": np.tile([3.0, 0.0], (t.size, 1)), "toe": np.tile([3.2, 0.0], (t.size, 1))}  # the other foot, still
    _, cen = foot_speed.foot_speeds(heel, toe, t, 0.0)
    peak = float(cen.max())
    frac = signal_setting("fc_forward_fraction")

    def fc_time(fwd: float | None) -> float:
        prints = footprints.find_footprints(
            {"left": heel, "right": far["heel"]}, {"left": toe, "right": far["toe"]}, t, ground_vx=0.0,
            ref_speed=peak, ic_fraction=0.16, fc_fraction=frac, min_contact_s=0.12, same_place=0.25,
            min_step_fraction=0.5, fc_forward_fraction=fwd)
        (fp,) = [k for k in prints if k.fc_found and "left" in k.votes]
        return float(np.interp(fp.fc, np.arange(t.size), t))

    # truth from the construction: forward speed a (t - t_off) reaches frac x peak at t_off + frac peak / a
    want_s = T_OFF_S + frac * peak / ACCEL_MPS2
    assert fc_time(frac) == pytest.approx(want_s, abs=1.0 / RATE_HZ)
    if rise_m:  # the toe point rising at 1.1 m/s (15 cm, 40 px at the outdoor clip's scale) ends it 4 frames early
        assert fc_time(None) < T_OFF_S - 0.5 / RATE_HZ
    else:  # without it both cues agree
        assert fc_time(None) == pytest.approx(want_s, abs=1.0 / RATE_HZ)


def test_forward_contact_speed_ignores_vertical_motion_and_the_ground():
    t = np.arange(10) / RATE_HZ
    heel = np.stack([np.full(10, 0.0), np.linspace(0, 0.3, 10)], axis=1)       # rising only
    toe = np.stack([np.linspace(0, 0.9, 10), np.zeros(10)], axis=1)           # 3 m/s forward
    assert np.allclose(foot_speed.forward_contact_speed(heel, toe, t, 0.0), 0.0)
    # on a ground moving at +3 m/s in the image (a belt seen moving forward) the toe is the one at rest on it
    belt = foot_speed.forward_contact_speed(heel, toe, t, 3.0)
    assert np.allclose(belt, 0.0, atol=1e-9)


def test_fc_forward_setting_is_checked():
    from gaitscope.events import detect_events
    from gaitscope.phantom import simulate
    from gaitscope.signal import prepare_walk

    prep = prepare_walk(simulate(seed=0, duration_s=4.0).pose)
    with pytest.raises(ValueError, match="fc_forward"):
        detect_events(prep, FootVelocityEventDetector(fc_forward="sometimes"))


def test_forward_fc_against_the_force_plates_through_the_virtual_camera(shared_data):
    """On the lab files with force plates, filmed by the virtual camera at 30 frames/s from both sides (one phase of
    the frame clock), the shipped video FC (forward cue) is unbiased against the plate lift-offs: measured with
    three phases (``benchmarks/contact_definitions.py --fc-forward``) median -0.9 ms, IQR -9.3 .. +7.0, mean bias
    over all reference FCs -5.8 ms; every leave-one-file-out fold chose the shipped fraction."""
    if not (shared_data / "mocap_corpus").is_dir():
        pytest.skip("../shared/data/mocap_corpus not present")
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import lab_corpus
    import video_frame_rate

    cases, _ = lab_corpus.load_cases()
    old = video_frame_rate.PHASES_S
    try:
        video_frame_rate.PHASES_S = (0.0,)
        df = video_frame_rate.signed_errors(cases, {"shipped": FootVelocityEventDetector()}, rates=("30",))
    finally:
        video_frame_rate.PHASES_S = old
    fc = df[df["event"] == "fc"]
    plates = fc[fc["source"] == "force_plate"]["err_ms"]
    assert plates.notna().sum() >= 40 and plates.isna().sum() == 0
    assert abs(plates.median()) <= 6.0
    assert plates.quantile(0.75) - plates.quantile(0.25) <= 25.0
    assert abs(fc["err_ms"].mean()) <= 10.0
