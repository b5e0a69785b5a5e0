"""`gaitscope assess` and `gaitscope demo` end to end: the phantom's injected pattern is found and reported,
a red flag withholds the plan, a missing input is said to be missing, the intake feeds the chain, names
are escaped, user errors are one line. The real older-adult video run is marked slow.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gaitscope.cli import main
from gaitscope.intake import validate_intake
from gaitscope.pipeline import assess
from gaitscope.report import ASSESSMENT_SCHEMA, find_chromium
from gaitscope.types import GaitscopeError


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from gaitscope.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    text = run_demo(out, progress=False)
    return out, text


def _present(doc: dict) -> dict[str, str | None]:
    return {p["code"]: p["side"] for p in doc["patterns"] if p["status"] == "present"}


def test_demo_finds_the_injected_pattern_on_the_injected_side(demo):
    out, text = demo
    doc = json.loads((out / "assessment.json").read_text())
    assert doc["schema"] == ASSESSMENT_SCHEMA and doc["schema_version"].startswith("1.")
    truth = json.loads((out / "inputs" / "truth.json").read_text())
    params = truth["params"]
    assert params["pattern"] == "trendelenburg+reduced_heel_strike" and params["side"] == "right"
    present = _present(doc)
    # injected: moderate RIGHT reduced heel strike (side camera) and RIGHT Trendelenburg (camera behind)
    assert present.get("reduced_heel_strike") == "right"
    assert present.get("trendelenburg") == "right"
    top = [f["code"] for f in doc["at_a_glance"]["top_findings"]]
    assert {"reduced_heel_strike", "trendelenburg"} <= set(top)
    # the chain names weak right hip abductors among the contributors; the plan is not withheld
    contributors = {(c["node"], c["side"]) for c in doc["chain"]["contributors"]}
    assert ("weak_hip_abductors", "right") in contributors
    assert not doc["plan"]["withheld"] and 1 <= len(doc["plan"]["exercises"]) <= 5
    assert doc["red_flags"] == [] and doc["red_flags_checked"]
    # keypoint input: stills drawn on a blank canvas, from both cameras
    views = {s["view"] for s in doc["gait"]["stills"]}
    assert views == {"side", "frontal"} and not any(s["from_video_frame"] for s in doc["gait"]["stills"])
    assert text.splitlines()[-1].startswith("done in ") and text.splitlines()[-1].endswith("report.html")


def test_intake_answers_feed_the_chain(demo):
    out, _ = demo
    doc = json.loads((out / "assessment.json").read_text())
    assert "intake.heel_pain_history" in doc["intake_flags"]
    nodes = {a["node"]: a for a in doc["chain"]["active_nodes"]}
    assert "intake.heel_pain_history" in nodes["plantar_heel_pain"]["findings"]


def test_red_flag_withholds_the_plan(demo, tmp_path):
    out, _ = demo
    ik = validate_intake({"saddle_numbness": True, "heel_pain_history": True}, source="test")
    res = assess(side_video=out / "inputs" / "pose.csv", intake=ik, height_m=1.70, out_dir=tmp_path, overlay=False)
    doc = res.document
    assert [r["id"] for r in doc["red_flags"]] == ["saddle_numbness"]
    assert doc["plan"]["withheld"] and doc["plan"]["exercises"] == []
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "id='urgent'" in page and "See a doctor now" in page and "id='plan-withheld'" in page
    assert "class='excard'" not in page
    assert page.index("id='urgent'") < page.index("id='glance'")  # the box is at the top


def test_missing_inputs_are_named_with_what_to_record(demo, tmp_path):
    out, _ = demo
    res = assess(side_video=out / "inputs" / "pose.csv", height_m=1.70, out_dir=tmp_path, overlay=False,
                 name="<script>alert(1)</script>")
    doc = res.document
    missing = {m["what"]: m for m in doc["missing"]}
    assert {"frontal_video", "photos", "intake"} <= set(missing) <= {"side_video", "frontal_video", "photos", "intake"}
    if "side_video" in missing:  # 5 left + 4 right strides: too few for the variability pattern (10 together)
        assert missing["side_video"]["status"] == "partial" and "high variability" in missing["side_video"]["message"]
        assert "at least 5 strides of each foot" in missing["side_video"]["record_next_time"]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "id='missing'" in page and "No frontal walk analysed" in page and "No posture photos analysed" in page
    assert "Safety questions not answered" in page and "Film the walk from behind" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # Trendelenburg needs a frontal view: not assessable here, not silently absent
    tr = next(p for p in doc["patterns"] if p["code"] == "trendelenburg")
    assert tr["status"] == "not_assessable"


def test_unanswered_safety_questions_are_listed(demo, tmp_path):
    out, _ = demo
    ik = validate_intake({"saddle_numbness": False, "fever": False}, source="test")
    res = assess(side_video=out / "inputs" / "pose.csv", intake=ik, height_m=1.70, out_dir=tmp_path, overlay=False)
    unanswered = res.document["red_flags_unanswered"]
    assert not res.document["red_flags_checked"] and "Have you ever had cancer?" in unanswered
    # 6 red flags left empty, plus the other safety questions that apply (falls, osteoporosis, stenosis screen ...)
    assert "Have you had a fall in the last 12 months?" in unanswered and len(unanswered) > 6
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Some safety questions were not answered" in page and "Have you ever had cancer?" in page
    assert not res.document["plan"]["withheld"]


def test_height_age_and_sex_come_from_the_intake(demo, tmp_path):
    out, _ = demo
    ik = validate_intake({"height_m": 1.70, "age_years": 72, "sex": "female"}, source="test")
    doc = assess(side_video=out / "inputs" / "pose.csv", intake=ik, out_dir=tmp_path, overlay=False).document
    assert doc["client"] == {"name": None, "height_m": 1.70, "age_years": 72, "sex": "female"}
    s = doc["gait"]["side"]["summary"]
    assert s["spatial_scale"] == "metres"
    group = s["reference"]["spatiotemporal_group"]
    assert "female" in group or "women" in group, group


def test_nothing_to_assess_and_missing_file_are_one_line_errors(tmp_path, capsys):
    with pytest.raises(GaitscopeError, match="nothing to assess"):
        assess(out_dir=tmp_path)
    code = main(["assess", "--side-video", str(tmp_path / "nope.mp4"), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "nope.mp4" in err and "--side-video" in err


def test_cli_assess_prints_the_report_path_last(demo, tmp_path, capsys):
    out, _ = demo
    code = main(["assess", "--side-video", str(out / "inputs" / "pose.csv"), "--height-m", "1.7",
                 "--out", str(tmp_path), "--quiet"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0 and lines[-1] == f"Report: {tmp_path / 'report.html'}"
    assert any(line.startswith("not assessed: intake") for line in lines)


def test_cli_intake_asks_in_the_terminal(tmp_path):
    # answer the first few prompts (name, age); "d" (don't know) to the rest: the safety questions take it,
    # the others ask again and are left empty
    answers = "Ann\n63\n" + "d\n" * 400
    out = tmp_path / "intake.yaml"
    res = subprocess.run([sys.executable, "-m", "gaitscope.cli", "intake", "--out", str(out)], input=answers,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    text = out.read_text(encoding="utf-8")
    assert re.search(r"^name: Ann$", text, re.M) and re.search(r"^age_years: 63$", text, re.M)
    assert re.search(r"^saddle_numbness: dont_know$", text, re.M)
    assert "intake written" in res.stdout
    # the input ends before the safety questions: a one-line error, exit 2, no file
    out2 = tmp_path / "short.yaml"
    res = subprocess.run([sys.executable, "-m", "gaitscope.cli", "intake", "--out", str(out2)], input="Ann\n63\n" + "\n" * 80,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and not out2.exists()
    assert "safety question" in res.stderr and "nothing was written" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.slow
def test_real_older_adult_video_assessment(shared_data, tmp_path):
    video = shared_data / "video" / "walk_sagittal_older_adult.mp4"
    pdf = find_chromium() is not None
    # she stands still at the left edge for about frames 163-182 (data README): the posture screen's side view
    res = assess(side_video=video, photo_side=video, height_m=1.60, out_dir=tmp_path, pdf=pdf, progress=False)
    doc = res.document
    side = doc["gait"]["side"]
    assert side["status"] == "analysed" and side["summary"]["view"] == "sagittal"
    # stills from the forward pass only (frames about 20-163, data README), decoded from the video
    stills = doc["gait"]["stills"]
    assert stills and all(s["from_video_frame"] for s in stills)
    assert all(20 <= s["frame"] <= 165 for s in stills), [s["frame"] for s in stills]
    # cadence counted by eye 113-129 steps/min (docs/accuracy.md)
    cad = side["summary"]["parameters"]["cadence_spm"]["both"]["mean"]
    assert 105 <= cad <= 135
    assert (tmp_path / "overlay_side.mp4").stat().st_size > 10_000
    post = doc["posture"]
    assert post["status"] == "analysed" and "side" in res.posture_images
    frames = post["posture"]["views"]["side"]["frames"]
    assert 150 <= min(frames) and max(frames) <= 195, frames
    assert {m["what"] for m in doc["missing"]} == {"side_video", "frontal_video", "photos", "intake"}  # photos: front missing
    # the clip has one forward pass: 3 left and 2 right strides (data README: pass 1 about frames 20-163), too few
    # for most patterns (3 per side), so the side walk is 'partial' with what to record next time
    side_missing = next(m for m in doc["missing"] if m["what"] == "side_video")
    assert side_missing["status"] == "partial" and "strides" in side_missing["message"]
    assert "strides of each foot" in side_missing["record_next_time"]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/jpeg;base64,") >= 5  # four video stills and the posture image
    if pdf:
        assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")


def test_nothing_checked_gives_no_plan_line_rather_than_no_exercise_needed():
    # e.g. only a side photo turned toward the camera: every finding is not assessable, so the plan line must
    # not say that no exercise is needed
    from gaitscope.intake.safety import SafetyScreen
    from gaitscope.reasoning import at_a_glance
    from gaitscope.types import Finding

    na = [Finding("trendelenburg", "not_assessable", reason="needs a frontal view")]
    line = at_a_glance(na, {"contributors": []}, {"withheld": False, "exercises": []})["plan_line"]
    assert line.startswith("No plan: nothing could be checked")
    ok = [Finding("trendelenburg", "absent")]
    checked = SafetyScreen(intake_given=True)
    line = at_a_glance(ok, {"contributors": []}, {"withheld": False, "exercises": []}, checked)["plan_line"]
    assert line.startswith("No pattern calling for corrective exercise was found in the 1 of 1")
    # no intake: never an all-clear, the red flags were not checked
    line = at_a_glance(ok, {"contributors": []}, {"withheld": False, "exercises": []})["plan_line"]
    assert line.startswith("Not an all-clear") and "safety (red-flag) questions were not checked" in line


def test_a_walk_with_too_few_strides_is_partial_with_what_to_record():
    from gaitscope.pipeline import _note_too_few_strides
    from gaitscope.types import Finding, Unassessable

    fs = [Finding("steppage", "not_assessable", reason="knee_flex_swing_max_deg: only 2 stride(s) on the right side, need 3",
                  missing=(Unassessable("too_few_strides", "knee_flex_swing_max_deg", "right", 2, 3),)),
          Finding("trendelenburg", "not_assessable", reason="cannot be judged from a sagittal view",
                  missing=(Unassessable("wrong_view", "pelvic_drop_stance_max_deg", needs="a frontal view"),)),
          Finding("crouch", "absent")]
    part = {"status": "analysed", "summary": {"n_cycles": {"left": 3, "right": 2}}, "_findings": fs}
    _note_too_few_strides(part, "side")
    assert part["message"].startswith("only 3 left and 2 right strides: 1 of 3 gait patterns")
    assert "at least 4 strides" in part["record_next_time"] and "(steppage)" in part["message"]
    var = [Finding("high_variability", "not_assessable", reason="only 9 stride(s) on both sides together, need 10",
                   missing=(Unassessable("too_few_strides", "stride_time_s", None, 9, 10),))]
    part = {"status": "analysed", "summary": {"n_cycles": {"left": 5, "right": 4}}, "_findings": var}
    _note_too_few_strides(part, "side")
    assert "at least 5 strides of each foot" in part["record_next_time"]
    enough = {"status": "analysed", "summary": {"n_cycles": {"left": 5, "right": 5}}, "_findings": fs[1:]}
    _note_too_few_strides(enough, "side")
    assert "record_next_time" not in enough


def test_one_reasoning_pass_per_assessment_and_per_view_files_hold_patterns_only(demo, tmp_path, monkeypatch):
    # the chain and the plan are built once, from every view plus the intake; the per-view outputs hold
    # measurements and patterns only (so a red flag cannot leak a plan through gait_side/findings.json)
    import gaitscope.reasoning as reasoning

    out, _ = demo
    calls = []
    real = reasoning.reason_screen
    monkeypatch.setattr(reasoning, "reason_screen", lambda *a, **k: calls.append(1) or real(*a, **k))
    ik = validate_intake({"fever": True}, source="test")
    res = assess(side_video=out / "inputs" / "pose.csv", back_video=out / "inputs" / "pose_frontal_back.csv",
                 intake=ik, height_m=1.70, out_dir=tmp_path, overlay=False)
    assert len(calls) == 1
    assert res.document["plan"]["withheld"] and res.document["plan"]["exercises"] == []
    for role in ("side", "frontal"):
        per_view = json.loads((tmp_path / f"gait_{role}" / "findings.json").read_text())
        assert "plan" not in per_view and "chain" not in per_view and per_view["patterns"]
        summary = json.loads((tmp_path / f"gait_{role}" / "summary.json").read_text())
        assert "plan" not in summary["findings"] and "contributors" not in summary["findings"]
