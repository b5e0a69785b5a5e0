"""Quality and norm personas on the real clips (issue 10; expectations in docs/report.md "Personas").

Slow: the pose model runs on real video. Keypoints are cached under /tmp/gaitscope_pose_cache/<clip>/ (never in
the repository) and reused while the clip is unchanged.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gaitscope.pipeline import analyze
from gaitscope.quality import VISIBILITY_LIMITED, plausible_mask
from gaitscope.report.html import traffic_light

CACHE = Path("/tmp/gaitscope_pose_cache")
pytestmark = pytest.mark.slow


def _analyze_clip(shared_data: Path, name: str, out: Path, **kw):
    clip = shared_data / "video" / name
    cached = CACHE / clip.stem
    if (cached / "pose.csv").is_file():
        shutil.copytree(cached, out, dirs_exist_ok=True)
    res = analyze(clip, out_dir=out, **kw)
    if not (cached / "pose.csv").is_file():
        cached.mkdir(parents=True, exist_ok=True)
        for f in ("pose.csv", "pose.json"):
            if (out / f).is_file():
                shutil.copy2(out / f, cached / f)
    return res


@pytest.fixture(scope="module")
def older(shared_data, tmp_path_factory):
    return _analyze_clip(shared_data, "walk_sagittal_older_adult.mp4", tmp_path_factory.mktemp("older"),
                         height_m=1.60, age_years=72, sex="female")


def test_older_adult_no_asymmetry_finding_rests_on_the_far_leg(older):
    legs = older.summary["quality"]["legs"]
    far = [s for s, g in legs.items() if g["grade"] == "far"]
    assert far, "a side-on clip has a far leg (knee score 0.77 vs 0.98 in the issue)"
    for f in older.patterns:  # no side comparison of a far-leg metric (an asymmetry) is ever judged
        for ev in f.evidence:
            assert not (ev.metric in VISIBILITY_LIMITED and "other side's mean" in (ev.note or "")), (f.code, ev)
        if f.status == "present":
            assert not any(m.code == "far_leg" for m in f.missing), f.code
    for metric, p in older.summary["parameters"].items():
        if metric in VISIBILITY_LIMITED and "left" in p and "right" in p:
            assert "symmetry" not in p, metric


def test_older_adult_no_value_outside_its_plausibility_range(older):
    for metric, p in older.summary["parameters"].items():
        for side in ("left", "right", "both"):
            m = (p.get(side) or {}).get("mean")
            if isinstance(m, (int, float)):
                assert plausible_mask(metric, [m]).all(), (metric, side, m)
    dropped = {d["metric"] for d in older.summary["quality"]["plausibility"]["dropped"]}
    cyc = older.cycles
    for metric in dropped:
        assert plausible_mask(metric, cyc[metric].to_numpy(float)).all()


def test_older_adult_deceleration_step_is_excluded_and_counted(older):
    st = older.summary["quality"]["steady_state"]
    assert st["strides_excluded"] >= 1
    # the slowing step into the stop at the left edge: about 0.41 m after 0.75 m steps (issue 10)
    assert any(0.3 < e.get("step_length_m", 0) < 0.5 for e in st["excluded"]), st
    steps = older.cycles.loc[older.cycles["steady_state"] == 1, "step_length_m"].dropna()
    assert (steps > 0.5).all()
    assert older.summary["parameters"]["step_length_m"]["both"]["n"] == len(steps)


def test_healthy_outdoor_walker_gets_no_red_grade_from_a_view_artefact(shared_data, tmp_path):
    res = _analyze_clip(shared_data, "walk_outdoor_two_people.mp4", tmp_path / "outdoor")
    p = res.summary["parameters"]
    for metric, entry in p.items():
        for side in ("left", "right", "both"):
            m = (entry.get(side) or {}).get("mean")
            light = traffic_light(m, entry.get("normal_range"), metric)
            if metric.endswith("_deg"):
                # joint angles of an adult (or unknown age) have no adult norm here: never graded
                assert light == "none", (metric, side, m)
            assert light != "red", (metric, side, m, entry.get("normal_range"))
