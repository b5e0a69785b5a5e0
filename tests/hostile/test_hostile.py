"""The hostile-input corpus (issue 13) through the command line: each case ends as the corpus says.

``hostile_cases.build_corpus`` makes >= 80 hostile inputs from the phantom at test time. A case expecting a
refusal must end in exit code 2 with exactly one line on stderr that names the file (or option), and write no
output; a case expecting a result must exit 0 with values that agree with the phantom's own truth (or with the
unmutated file's checked result). Cases run in-process through ``gaitscope.cli.main``; a few also as real
subprocesses, where a traceback, a warning or a native crash would show on the real stderr / exit status.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gaitscope.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hostile_cases import Case, build_corpus  # noqa: E402

CLASSES = ("trc", "c3d", "mot", "openpose", "keypoint_csv", "landmark_json", "foot_csv", "intake", "marker_map", "cli")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Case]:
    return build_corpus(tmp_path_factory.mktemp("hostile"))


def run_in_process(case: Case, capsys) -> tuple[int, str]:
    capsys.readouterr()
    if case.python is not None:
        case.python()
        return 0, ""
    try:
        rc = main(case.argv)
    except SystemExit as err:  # argparse's own refusals (unknown option, bad choice)
        rc = int(err.code or 0)
    return rc, capsys.readouterr().err


def verdict(case: Case, rc: int, err: str) -> str | None:
    """None when the case ended as expected, else what went wrong."""
    lines = [ln for ln in err.splitlines() if ln.strip()]
    if "Traceback" in err:
        return f"traceback: {err[-300:]}"
    if case.expect == "refuse":
        if rc != 2:
            return f"expected a refusal (exit 2), got exit {rc}; stderr: {err[-300:]!r}"
        if len(lines) != 1 or not lines[0].startswith("gaitscope: "):
            return f"refusal is not one 'gaitscope: ...' line: {lines!r}"
        if case.names and case.names not in lines[0]:
            return f"refusal does not name {case.names!r}: {lines[0]!r}"
        if case.out is not None and (case.out / "summary.json").exists():
            return "refused but summary.json was written"
        return None
    if rc != 0:
        return f"expected a result (exit 0), got exit {rc}: {err[-300:]!r}"
    if case.python is None:
        summary = json.loads((case.out / "summary.json").read_text())
        try:
            case.check(summary)
        except AssertionError as e:
            return f"silently wrong: {e}"
    return None


def test_the_corpus_is_large_and_covers_every_importer(corpus):
    assert len(corpus) >= 80
    assert {c.klass for c in corpus} == set(CLASSES)
    assert sum(c.expect == "ok" for c in corpus) >= 20 and sum(c.expect == "refuse" for c in corpus) >= 80
    assert all(c.check is not None or c.python is not None for c in corpus if c.expect == "ok")


@pytest.mark.parametrize("klass", CLASSES)
def test_hostile_cases_in_process(corpus, klass, capsys):
    problems = []
    for case in (c for c in corpus if c.klass == klass):
        try:
            rc, err = run_in_process(case, capsys)
        except Exception as exc:  # noqa: BLE001 - an escaping exception is what this test looks for
            problems.append(f"{case.name}: escaped {type(exc).__name__}: {exc}")
            continue
        v = verdict(case, rc, err)
        if v:
            problems.append(f"{case.name}: {v}")
    assert not problems, "\n".join(problems)


SUBPROCESS_CASES = ("trc_extra_tab_mid_row", "trc_header_doubled_tabs", "c3d_param_ndim_132", "openpose_fps_inf",
                    "csv_text_in_number", "mot_fill_value_cell", "landmarks_all_zero", "c3d_non_utf8_name")


def test_hostile_cases_as_real_processes(corpus):
    """A few cases as real processes: nothing but the one line on stderr (no warning, no traceback)."""
    by_name = {c.name: c for c in corpus}
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    problems = []
    for name in SUBPROCESS_CASES:
        case = by_name.get(name)
        if case is None:  # the non-UTF-8 name is skipped on file systems that refuse it
            continue
        r = subprocess.run([sys.executable, "-m", "gaitscope.cli", *case.argv], capture_output=True, env=env, timeout=300)
        err = r.stderr.decode("utf-8", "backslashreplace")
        if r.returncode < 0:
            problems.append(f"{name}: killed by signal {-r.returncode}")
            continue
        v = verdict(case, r.returncode, err)
        if v:
            problems.append(f"{name}: {v}")
    assert not problems, "\n".join(problems)


def test_a_native_c3d_crash_is_contained_without_the_python_checks(corpus, capsys, monkeypatch):
    """With the Python parameter-section walk switched off, ezc3d itself segfaults on this file (ndim 132):
    the forked probe must turn that into a refusal, not kill the process."""
    import gaitscope.capture.validate as validate

    monkeypatch.setattr(validate, "check_c3d_structure", lambda path: None)
    case = next(c for c in corpus if c.name == "c3d_param_ndim_132")
    rc, err = run_in_process(case, capsys)
    assert rc == 2 and "crashed" in err and case.names in err, err
