"""Progress over time (gaitscope progress): the re-test criterion by hand, and end to end on the phantom."""

from __future__ import annotations

import json
import math

import pytest

from gaitscope.cli import main
from gaitscope.progress import Session, compare_sessions, load_session
from gaitscope.types import GaitscopeError


def _session(path: str, speed_mean: float, speed_sd: float | None, n: int, findings=None, created=None) -> Session:
    entry = {"unit": "m/s", "both": {"mean": speed_mean, "n": n}}
    if speed_sd is not None:
        entry["both"]["sd"] = speed_sd
    return Session(path, created, "A. Client", {"speed_mps": entry}, findings or {}, [], ["sagittal"])


def test_change_beyond_noise_by_hand():
    """1.00 -> 1.12 m/s, stride SD 0.05 m/s, 5 strides each: SE of the change = sqrt(2 * 0.05^2 / 5)
    = 0.0316 m/s, 1.96 SE = 0.062 m/s < 0.12: beyond the noise; >= 0.10 m/s, the substantial meaningful
    change of Perera et al. 2006; faster is better."""
    doc = compare_sessions([_session("a", 1.00, 0.05, 5), _session("b", 1.12, 0.05, 5)])
    (row,) = [r for r in doc["metrics"] if r["metric"] == "speed_mps" and r["side"] == "both"]
    assert row["change"] == pytest.approx(0.12)
    assert row["beyond_noise"] is True and row["meaningful"] is True and row["direction"] == "better"
    # the same change with a noisier walk (SD 0.12): 1.96 * sqrt(2 * 0.0144 / 5) = 0.149 > 0.12
    doc = compare_sessions([_session("a", 1.00, 0.12, 5), _session("b", 1.12, 0.12, 5)])
    (row,) = [r for r in doc["metrics"] if r["metric"] == "speed_mps" and r["side"] == "both"]
    assert row["beyond_noise"] is False and row["direction"] == ""
    assert 1.96 * math.sqrt(2 * 0.12 ** 2 / 5) > 0.12
    # fewer than 3 strides: no SD, not judged (and said so)
    doc = compare_sessions([_session("a", 1.00, None, 2), _session("b", 1.30, 0.05, 5)])
    (row,) = [r for r in doc["metrics"] if r["metric"] == "speed_mps" and r["side"] == "both"]
    assert row["beyond_noise"] is None and "3 strides" in row["noise_note"]


def test_each_value_and_the_change_carry_their_measurement_error():
    """The error each summary parameter carries (summary.json ``error``, knowledge/measurement_error.csv) is
    kept per session, and the change's error is the sum of the first and last values' errors."""
    a, b = _session("a", 1.00, 0.05, 5), _session("b", 1.12, 0.05, 5)
    a.parameters["speed_mps"]["error"] = {"value": 0.0725, "unit": "m/s", "source": "thresholds.csv speed"}
    b.parameters["speed_mps"]["error"] = {"value": 0.074, "unit": "m/s", "source": "thresholds.csv speed"}
    doc = compare_sessions([a, b])
    (row,) = [r for r in doc["metrics"] if r["metric"] == "speed_mps" and r["side"] == "both"]
    assert row["errors"] == [0.0725, 0.074]
    assert row["change_error"] == pytest.approx(0.1465)
    assert row["error_source"] == "thresholds.csv speed"
    assert "sum of the two" in doc["error_note"]
    from gaitscope.progress.compare import progress_markdown

    md = progress_markdown(doc)
    assert "1 (error 0.0725)" in md and "0.12 (error 0.146)" in md
    # no error recorded (an old output): None, never a made-up number
    doc = compare_sessions([_session("a", 1.00, 0.05, 5), _session("b", 1.12, 0.05, 5)])
    (row,) = [r for r in doc["metrics"] if r["metric"] == "speed_mps" and r["side"] == "both"]
    assert row["errors"] == [None, None] and row["change_error"] is None


def test_findings_resolved_new_and_dates_put_in_order():
    tr = {"trendelenburg": {"status": "present", "side": "right", "severity": 2, "name": "Trendelenburg"}}
    gone = {"trendelenburg": {"status": "absent", "side": None, "severity": 0, "name": "Trendelenburg"}}
    later = _session("later", 1.1, 0.05, 5, gone, created="2026-12-20T10:00:00Z")
    earlier = _session("earlier", 1.0, 0.05, 5, tr, created="2026-11-01T10:00:00Z")
    doc = compare_sessions([later, earlier])  # given in the wrong order
    assert [s["path"] for s in doc["sessions"]] == ["earlier", "later"]
    assert any("order of their dates" in c for c in doc["caveats"])
    (f,) = doc["findings"]
    assert f["code"] == "trendelenburg" and f["reading"] == "resolved"


def _phantom_summary(tmp_path, name: str, **kw):
    from gaitscope.capture.pose_csv import write_pose_csv
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom.walker import simulate

    walk = simulate(duration_s=20.0, rate_hz=100.0, seed=3, **kw)
    img = project(walk.pose, view="sagittal-left", rate_hz=30.0, image_size_px=(1280, 720), noise_px=1.0, seed=3)
    csv = tmp_path / f"{name}.csv"
    write_pose_csv(img, csv)
    out = tmp_path / f"{name}_out"
    assert main(["analyze", str(csv), "--height-m", "1.70", "--out", str(out)]) == 0
    return walk, out


def test_progress_end_to_end_on_the_phantom(tmp_path, capsys):
    """Session 1: the phantom with a moderate right antalgic gait; session 2: the same walker without it.
    The phantom's truth says the right stance lengthens and the left shortens; the comparison must find
    both changes beyond the noise in that direction and read the antalgic finding as resolved."""
    w1, out1 = _phantom_summary(tmp_path, "before", pattern="antalgic", side="right", severity="moderate")
    w2, out2 = _phantom_summary(tmp_path, "after")
    truth_change = {s: w2.truth["stance_pct"][s] - w1.truth["stance_pct"][s] for s in ("left", "right")}
    assert truth_change["right"] > 2 and truth_change["left"] < -2
    capsys.readouterr()
    assert main(["progress", str(out1), str(out2), "--out", str(tmp_path / "prog")]) == 0
    printed = capsys.readouterr().out
    assert "Gait re-test comparison" in printed and "progress.md" in printed
    doc = json.loads((tmp_path / "prog" / "progress.json").read_text())
    rows = {(r["metric"], r["side"]): r for r in doc["metrics"]}
    for side in ("left", "right"):
        r = rows[("stance_pct", side)]
        assert r["beyond_noise"] is True
        assert math.copysign(1, r["change"]) == math.copysign(1, truth_change[side])
    (ant,) = [f for f in doc["findings"] if f["code"] == "antalgic"]
    assert ant["reading"] == "resolved"
    assert (tmp_path / "prog" / "progress.md").read_text().startswith("# Gait re-test comparison")


def test_progress_bad_input_is_one_sentence(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(GaitscopeError, match="no assessment.json or summary.json"):
        load_session(empty)
    (tmp_path / "x.json").write_text("{not json")
    assert main(["progress", str(tmp_path / "x.json"), str(empty)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gaitscope: ") and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["progress", str(empty)]) == 2


def test_red_flags_of_the_latest_session_come_first():
    from gaitscope.progress import progress_markdown

    a = _session("a", 1.0, 0.05, 5)
    b = Session("b", None, "A. Client", a.parameters, {}, ["new bladder or bowel trouble"], ["sagittal"])
    doc = compare_sessions([a, b])
    assert doc["red_flags"] == ["new bladder or bowel trouble"]
    md = progress_markdown(doc)
    assert md.index("urgent medical review") < md.index("| measure |")


def test_assess_with_previous_reports_what_changed(tmp_path):
    """A re-test with the same recordings: nothing changes beyond the noise, the findings persist, and the
    report has its 'Since the last assessment' section; a bad --previous fails before any analysis."""
    from gaitscope.demo import run_demo
    from gaitscope.pipeline import assess

    first = tmp_path / "visit1"
    run_demo(first, progress=False)
    inputs = first / "inputs"
    again = assess(side_video=inputs / "pose.csv", back_video=inputs / "pose_frontal_back.csv",
                   intake=inputs / "intake.yaml", out_dir=tmp_path / "visit2", overlay=False, previous=first)
    pr = again.document["progress"]
    assert len(pr["sessions"]) == 2
    rows = [r for r in pr["metrics"] if r["change"] is not None]
    assert rows and all(abs(r["change"]) < 1e-9 and r["beyond_noise"] is not True for r in rows)
    readings = {f["code"]: f["reading"] for f in pr["findings"]}
    assert readings and set(readings.values()) == {"persisting"}
    html = (tmp_path / "visit2" / "report.html").read_text()
    assert "Since the last assessment" in html and "No gait value changed beyond the stride-to-stride noise" in html
    # the error beside each value: walking speed from this (keypoint, video-like) input carries the sagittal-video
    # speed error plus 2 cm of typed height (knowledge/measurement_error.csv, read here, not from the code)
    import csv
    from importlib import resources

    rows_csv = csv.DictReader(line for line in resources.files("gaitscope.knowledge").joinpath(
        "measurement_error.csv").read_text().splitlines() if not line.startswith("#"))
    spec = next(r for r in rows_csv if r["metric"] == "speed_mps" and r["input"] == "video")
    (speed,) = [r for r in pr["metrics"] if r["metric"] == "speed_mps" and r["side"] == "both"]
    expected = float(spec["error"]) + float(spec["height_rel"]) * speed["values"][0]
    assert speed["errors"][0] == pytest.approx(expected, abs=1e-3)
    assert speed["change_error"] == pytest.approx(speed["errors"][0] + speed["errors"][1])
    section = html.split("id='progress'")[1].split("</section>")[0]
    speed_row = next(tr for tr in section.split("<tr>") if tr.startswith(f"<td>{speed['label']} – both"))
    assert speed_row.count("error ") == 3, speed_row  # before, now and the change
    assert f"error {speed['errors'][0]:.2f}" in speed_row and "±" not in section
    with pytest.raises(GaitscopeError, match="no such file"):
        assess(side_video=inputs / "pose.csv", out_dir=tmp_path / "visit3", overlay=False, previous=tmp_path / "nope")
    assert not (tmp_path / "visit3").exists()


def _person(path, name, sex, age, height, created, speed=1.2):
    entry = {"unit": "m/s", "both": {"mean": speed, "n": 5, "sd": 0.05}}
    return Session(path, created, name, {"speed_mps": entry}, {}, [], ["sagittal"], sex=sex, age_years=age,
                   height_m=height)


def test_two_different_people_are_refused_unless_same_person():
    """The issue's case: two different women, one unnamed -> refused with the reason; --same-person compares
    with the reason kept as a caveat. Heights typed at two visits differ by at most ~2 cm (Gorber 2007)."""
    a = _person("a", "A. Client", "female", 72, 1.60, "2026-11-01T10:00:00Z")
    unnamed = _person("b", None, "female", 34, 1.71, "2026-12-01T10:00:00Z", speed=1.4)
    with pytest.raises(GaitscopeError, match="different people") as err:
        compare_sessions([a, unnamed])
    msg = str(err.value)
    assert "names the client and another does not" in msg and "heights differ by 11 cm" in msg
    assert "--same-person" in msg
    doc = compare_sessions([a, unnamed], same_person=True)
    assert "--same-person" in doc["caveats"][0]
    # the same person six weeks later (height typed 1 cm different, same age) is compared without a fuss
    again = _person("c", "a. client", "female", 72, 1.61, "2026-12-15T10:00:00Z")
    doc = compare_sessions([again, a])
    assert [s["path"] for s in doc["sessions"]] == ["a", "c"]  # by recorded date
    assert not any("different" in c for c in doc["caveats"])
    # ages that cannot fit the dates
    older = _person("d", "A. Client", "female", 80, 1.60, "2026-12-15T10:00:00Z")
    with pytest.raises(GaitscopeError, match="ages"):
        compare_sessions([a, older])


def test_cli_progress_refuses_two_people_with_one_sentence(tmp_path, capsys):
    def write(folder, name, height):
        folder.mkdir()
        doc = {"schema": "gaitscope.assessment", "created_utc": "2026-11-01T10:00:00Z", "gait": {}, "patterns": [],
               "client": {"name": name, "height_m": height, "sex": "female", "age_years": 50}}
        (folder / "assessment.json").write_text(json.dumps(doc))

    write(tmp_path / "p1", "A. Client", 1.60)
    write(tmp_path / "p2", "B. Other", 1.75)
    assert main(["progress", str(tmp_path / "p1"), str(tmp_path / "p2"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gaitscope: ") and "different people" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()
    assert main(["progress", str(tmp_path / "p1"), str(tmp_path / "p2"), "--out", str(tmp_path / "o"),
                 "--same-person"]) == 0


def test_assess_previous_applies_the_identity_check(tmp_path, capsys):
    """assess --previous runs the same identity check as progress, before any analysis: the demo's walker
    (named, 1.75 m, 42) against a differently named client of another height is refused with one sentence
    and exit 2, no output folder written; --same-person compares and keeps the reason as the first caveat."""
    from gaitscope.demo import run_demo
    from gaitscope.pipeline import assess

    first = tmp_path / "visit1"
    run_demo(first, progress=False)
    inputs = first / "inputs"
    prev_height = json.loads((first / "assessment.json").read_text())["client"]["height_m"]
    other_height = f"{prev_height + 0.12:.2f}"
    capsys.readouterr()
    rc = main(["assess", "--side-video", str(inputs / "pose.csv"), "--name", "B. Other", "--height-m", other_height,
               "--out", str(tmp_path / "visit2"), "--no-overlay", "--quiet", "--previous", str(first)])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("gaitscope: ") and len(err.strip().splitlines()) == 1
    assert "different people" in err and "--same-person" in err and "heights differ by 12 cm" in err
    assert not (tmp_path / "visit2").exists()
    with pytest.raises(GaitscopeError, match="different clients"):
        assess(side_video=inputs / "pose.csv", name="B. Other", out_dir=tmp_path / "visit3", overlay=False,
               previous=first)
    assert not (tmp_path / "visit3").exists()
    again = assess(side_video=inputs / "pose.csv", name="B. Other", height_m=float(other_height),
                   out_dir=tmp_path / "visit4", overlay=False, previous=first, same_person=True)
    caveat = again.document["progress"]["caveats"][0]
    assert "--same-person" in caveat and "different clients" in caveat
