"""assess on input it cannot analyse: one sentence per failed part on the terminal and a non-zero exit (issue 10)."""

from __future__ import annotations

import pytest

from gaitscope.cli import main


def _one_sentence(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln.startswith("gaitscope:")]
    assert lines and "Traceback" not in err, err
    return lines[-1]


def test_a_text_file_as_side_video_exits_2_with_the_reason_and_writes_no_report(tmp_path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("this is not a video\n")
    out = tmp_path / "out"
    code = main(["assess", "--side-video", str(bad), "--out", str(out), "--quiet", "--no-overlay"])
    err = capsys.readouterr().err
    assert code == 2
    line = _one_sentence(err)
    assert "--side-video" in line and "no report was written" in line
    assert not (out / "report.html").exists() and not (out / "assessment.json").exists()


@pytest.mark.slow
@pytest.mark.parametrize("clip,word", [("run_sagittal.mp4", "running"), ("not_gait_lateral_raise.mp4", "walk")])
def test_refused_real_clips_exit_2_with_the_reason(shared_data, tmp_path, capsys, clip, word):
    out = tmp_path / "out"
    code = main(["assess", "--side-video", str(shared_data / "video" / clip), "--out", str(out), "--quiet",
                 "--no-overlay"])
    err = capsys.readouterr().err
    assert code == 2
    line = _one_sentence(err)
    assert word in line.lower() and "no report was written" in line
    assert not (out / "report.html").exists()
