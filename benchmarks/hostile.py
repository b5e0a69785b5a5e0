"""Hostile-input benchmark (issue 13): every case of the hostile corpus as a real process, classified.

    .venv/bin/python benchmarks/hostile.py [--keep DIR] [--only CLASS]

Builds the corpus (``tests/hostile/hostile_cases.py``: >= 80 hostile inputs made from the phantom), runs each
case as its own Python process calling ``gaitscope.cli.main(argv)`` and prints one row per importer/option class:

* cases; refused cleanly (exit 2, one ``gaitscope: ...`` line naming the file or option, as expected);
  correct result (exit 0, values agree with the phantom truth, as expected);
* traceback (a Python traceback on stderr); crash (killed by a signal); silently wrong (exit 0 where a refusal
  was expected, or values that disagree with the truth); other (any other mismatch, e.g. a refusal that does
  not name the file, or a refusal where a result was expected);
* worst wall time (s) and worst peak memory (MB, the process's maximum resident set size).

The first three columns should add up to the cases, and traceback, crash and silently wrong must be 0.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "hostile"))

from hostile_cases import build_corpus  # noqa: E402


def run_case(case) -> tuple[str, float, float, str]:
    """(outcome, wall time s, peak RSS MB, detail)."""
    if case.python is not None:
        t0 = time.perf_counter()
        try:
            case.python()
            return "correct", time.perf_counter() - t0, float("nan"), ""
        except AssertionError as e:
            return "silently_wrong", time.perf_counter() - t0, float("nan"), str(e)
        except Exception as e:  # noqa: BLE001
            return "traceback", time.perf_counter() - t0, float("nan"), repr(e)
    t0 = time.perf_counter()
    # the arguments travel as JSON: a NUL byte (a hostile --name) cannot be a process argument
    launcher = "import json, sys; from gaitscope.cli import main; sys.exit(main(json.loads(sys.argv[1])))"
    proc = subprocess.Popen([sys.executable, "-c", launcher, json.dumps(case.argv)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONWARNINGS": "default"})
    err_bytes = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    mem_mb = usage.ru_maxrss / 1024.0
    err = err_bytes.decode("utf-8", "backslashreplace")
    lines = [ln for ln in err.splitlines() if ln.strip()]
    rc = proc.returncode
    if rc < 0:
        return "crash", wall, mem_mb, f"signal {-rc}"
    if "Traceback" in err:
        return "traceback", wall, mem_mb, err[-200:]
    if case.expect == "refuse":
        if rc == 0:
            return "silently_wrong", wall, mem_mb, "exit 0 where a refusal was expected"
        ok = rc == 2 and len(lines) == 1 and lines[0].startswith("gaitscope: ") and case.names in lines[0]
        return ("refused" if ok else "other"), wall, mem_mb, "" if ok else f"exit {rc}: {lines!r}"[:200]
    if rc != 0:
        return "other", wall, mem_mb, f"exit {rc}: {lines!r}"[:200]
    try:
        case.check(json.loads((case.out / "summary.json").read_text()))
    except AssertionError as e:
        return "silently_wrong", wall, mem_mb, str(e)
    return "correct", wall, mem_mb, ""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep", help="write the corpus here (default: a temporary folder)")
    ap.add_argument("--only", help="run one class only (trc, c3d, mot, openpose, keypoint_csv, ...)")
    args = ap.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="gaitscope-hostile-"))
    cases = build_corpus(root)
    if args.only:
        cases = [c for c in cases if c.klass == args.only]
    cols = ("refused", "correct", "traceback", "crash", "silently_wrong", "other")
    table: dict[str, dict] = defaultdict(lambda: {**{c: 0 for c in cols}, "cases": 0, "time": 0.0, "mem": 0.0})
    details = []
    for case in cases:
        outcome, wall, mem, detail = run_case(case)
        row = table[case.klass]
        row["cases"] += 1
        row[outcome] += 1
        row["time"] = max(row["time"], wall)
        if mem == mem:
            row["mem"] = max(row["mem"], mem)
        if outcome not in ("refused", "correct"):
            details.append(f"  {case.name}: {outcome}: {detail}")
    total = {**{c: sum(r[c] for r in table.values()) for c in (*cols, "cases")},
             "time": max((r["time"] for r in table.values()), default=0.0),
             "mem": max((r["mem"] for r in table.values()), default=0.0)}
    head = (f"{'class':15s} {'cases':>5s} {'refused cleanly':>15s} {'correct result':>14s} {'traceback':>9s} "
            f"{'crash':>5s} {'silently wrong':>14s} {'other':>5s} {'worst time s':>12s} {'worst memory MB':>15s}")
    print(head)
    print("-" * len(head))
    for name, r in [*sorted(table.items()), ("all", total)]:
        print(f"{name:15s} {r['cases']:5d} {r['refused']:15d} {r['correct']:14d} {r['traceback']:9d} {r['crash']:5d} "
              f"{r['silently_wrong']:14d} {r['other']:5d} {r['time']:12.1f} {r['mem']:15.0f}")
    if details:
        print("\nnot as expected:")
        print("\n".join(details))
    return 0 if total["traceback"] == total["crash"] == total["silently_wrong"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
