"""Fault figures for docs/reliability.md: how fast workers die, what early refusals cost.

    .venv/bin/python benchmarks/faults.py [--video ../shared/data/video/walk_sagittal_older_adult.mp4]

Prints one table:
* for kill -9, SIGTERM and SIGINT of ``gaitscope analyze`` while its pose workers run: time
  from the signal until no worker is alive (read from /proc), exit code, stderr lines;
* for a 5-minute still clip (320x240; with the default ``--max-duration`` and with 400 s, when
  the early walking check has to refuse it) and an 8000x8000 clip: wall time and peak memory
  (max RSS of the child process, which includes this script's own memory at the fork: compare
  with the baseline row, a missing file) until gaitscope refuses it.

Nothing is written to the repository: clips and outputs go to a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from clips import cut_clip, pose_workers_of, still_clip  # noqa: E402  (the tests' clip helpers)


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _gaitscope(args: list[str], tmp: Path) -> subprocess.Popen:
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "gaitscope.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def _max_rss_mb(pid: int) -> tuple[int, float]:
    """Wait for ``pid``; return (exit code, its peak resident memory in MB)."""
    _, status, usage = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--video", default=str(REPO.parent / "shared" / "data" / "video" / "walk_sagittal_older_adult.mp4"))
    ap.add_argument("--repeat", type=int, default=2, help="kills per signal")
    ap.add_argument("--make-still", nargs=4, metavar=("PATH", "W", "H", "N"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.make_still:
        path, w, h, n = a.make_still
        still_clip(Path(path), int(w), int(h), int(n))
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="gaitscope-bench-faults-") as tmp_s:
        tmp = Path(tmp_s)
        runtmp = tmp / "runtmp"
        runtmp.mkdir()
        clip = cut_clip(Path(a.video), tmp / "clip.mp4", 180)
        for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
            for k in range(a.repeat):
                proc = _gaitscope(["analyze", str(clip), "--out", str(tmp / f"o_{sig.name}_{k}")], runtmp)
                while len(pose_workers_of(proc.pid)) < 2 and proc.poll() is None:
                    time.sleep(0.02)
                time.sleep(1.0)
                workers = pose_workers_of(proc.pid)
                t0 = time.perf_counter()
                proc.send_signal(sig)
                while any(_state(w) not in (None, "Z", "X") for w in workers):
                    time.sleep(0.002)
                gone_ms = 1000 * (time.perf_counter() - t0)
                _, err = proc.communicate(timeout=60)
                lines = [ln for ln in err.splitlines() if ln.startswith("gaitscope:")]
                left = sorted(p.name for p in runtmp.iterdir())
                rows.append((f"{sig.name} during pose ({len(workers)} workers)", f"{gone_ms:.0f} ms until no worker",
                             f"exit {proc.returncode}", f"{len(lines)} message line(s); tmp left: {left or 'none'}"))
        # the clips are made in a child process: a process's peak memory survives fork + exec, so the
        # 8000x8000 frames must never live in this one
        long_clip, huge = tmp / "still_5min.mp4", tmp / "huge.mp4"
        for path, w, h, n in ((long_clip, 320, 240, 30 * 300), (huge, 8000, 8000, 5)):
            subprocess.run([sys.executable, __file__, "--make-still", str(path), str(w), str(h), str(n)], check=True)
        for label, path, extra in (("missing file (baseline: start-up only)", tmp / "missing.mp4", []),
                                   ("5-min still clip, 320x240", long_clip, []),
                                   ("5-min still clip, 320x240, --max-duration 400", long_clip, ["--max-duration", "400"]),
                                   ("8000x8000 clip, 5 frames", huge, [])):
            t0 = time.perf_counter()
            proc = _gaitscope(["analyze", str(path), "--out", str(tmp / "o_refuse"), "--quiet", *extra], runtmp)
            code, rss = _max_rss_mb(proc.pid)
            wall = time.perf_counter() - t0
            err = proc.stderr.read().strip()
            rows.append((label, f"refused in {wall:.1f} s", f"exit {code}, peak RSS {rss:.0f} MB", err[:110] + "..."))
    print("| case | time | result | message |")
    print("|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
