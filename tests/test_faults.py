"""Faults (issue 13, docs/reliability.md): kills, SIGTERM, full disk, symlinks, stale outputs,
a cut-short pose cache, worker processes that must die with their parent, early refusals.

The truths here are the file system and the process table, not gaitscope's own numbers: a file's
bytes before and after, /proc, a real tmpfs that is full, a clean run's outputs byte for byte.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from gaitscope import outputs
from gaitscope.capture.pose_csv import PoseCacheMismatch, read_pose_csv, sidecar_path, write_pose_csv
from gaitscope.cli import main
from gaitscope.types import GaitscopeError

from clips import clip_rate, cut_clip, pose_workers_of, read_frames, still_clip, write_clip

RESULTS = ("events.csv", "cycles.csv", "angles.csv", "findings.json", "summary.json")
VIDEO = "walk_sagittal_older_adult.mp4"


# --------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def phantom_csv(tmp_path_factory) -> Path:
    """A synthetic walk's keypoints (analysed in about a second, no pose model)."""
    from gaitscope.capture.virtual_camera import project
    from gaitscope.phantom.walker import simulate

    walk = simulate(duration_s=12.0, rate_hz=100.0, height_m=1.7, seed=3)
    pose = project(walk.pose, view="sagittal-left", rate_hz=30.0, image_size_px=(1280, 720), noise_px=1.0,
                   drop_fraction=0.0, seed=3)
    return write_pose_csv(pose, tmp_path_factory.mktemp("phantom") / "walk.csv")


@pytest.fixture(scope="module")
def standing_csv(tmp_path_factory) -> Path:
    """Keypoints of a person standing still: `analyze` refuses them (no walking)."""
    from gaitscope.phantom.standing import standing

    return write_pose_csv(standing(duration_s=6.0, rate_hz=30.0), tmp_path_factory.mktemp("standing") / "stand.csv")


def _err_lines(capsys) -> list[str]:
    return [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]


def _leftovers(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.name.startswith(outputs.TMP_PREFIX))


@pytest.fixture(scope="module")
def short_clip(shared_data, tmp_path_factory) -> Path:
    """6 s of the older-adult walk (180 frames: two pose workers of 90 frames)."""
    return cut_clip(shared_data / "video" / VIDEO, tmp_path_factory.mktemp("clip") / "walk6s.mp4", 180)


def _proc_state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _cli(*args: str, tmpdir: Path) -> subprocess.Popen:
    """``gaitscope ARGS`` in its own process, its temporary folder private to the test."""
    env = dict(os.environ, TMPDIR=str(tmpdir), PYTHONUNBUFFERED="1")
    # SIGINT back to its default in the child: a CI shell that runs the suite as a background job
    # ignores SIGINT, and Python would then inherit the ignore and never see Ctrl-C
    return subprocess.Popen([sys.executable, "-m", "gaitscope.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for_workers(proc: subprocess.Popen, n: int = 1, timeout_s: float = 120.0) -> list[int]:
    t_end = time.monotonic() + timeout_s
    while time.monotonic() < t_end:
        w = pose_workers_of(proc.pid)
        if len(w) >= n:
            return w
        if proc.poll() is not None:
            pytest.fail(f"gaitscope ended before its pose workers started: {proc.stderr.read()[-500:]}")
        time.sleep(0.05)
    pytest.fail("the pose workers did not start")


def _alive(pids: list[int]) -> list[int]:
    return [p for p in pids if _proc_state(p) not in (None, "Z", "X")]


# --------------------------------------------------------------------------- atomic files, symlinks
def test_atomic_write_replaces_a_symlink_and_leaves_its_target_alone(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "events.csv").symlink_to(outside)
    outputs.write_text(out / "events.csv", "new content")
    assert outside.read_text() == "precious"
    assert not (out / "events.csv").is_symlink() and (out / "events.csv").read_text() == "new content"
    assert _leftovers(out) == []


def test_a_failing_writer_leaves_the_old_file_whole_and_no_temporary_file(tmp_path):
    target = tmp_path / "overlay.mp4"
    target.write_bytes(b"old video")
    with pytest.raises(RuntimeError):
        with outputs.atomic_path(target) as tmp:
            tmp.write_bytes(b"half a vid")
            raise RuntimeError("encoder crashed")
    assert target.read_bytes() == b"old video"
    assert _leftovers(tmp_path) == []


def test_analyze_replaces_symlinks_inside_out_and_never_writes_through_them(phantom_csv, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    victims = {}
    for name in RESULTS:
        victim = tmp_path / f"victim_{name}"
        victim.write_text(f"do not touch {name}")
        (out / name).symlink_to(victim)
        victims[name] = victim
    assert main(["analyze", str(phantom_csv), "--out", str(out), "--quiet"]) == 0
    for name, victim in victims.items():
        assert victim.read_text() == f"do not touch {name}"
        assert not (out / name).is_symlink() and (out / name).stat().st_size > 0
    json.loads((out / "summary.json").read_text())


def test_assess_replaces_a_symlinked_subfolder(phantom_csv, tmp_path):
    from gaitscope.pipeline import assess

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "gait_side").symlink_to(elsewhere, target_is_directory=True)
    assess(side_video=phantom_csv, out_dir=out, overlay=False)
    assert list(elsewhere.iterdir()) == []
    assert (out / "gait_side").is_dir() and not (out / "gait_side").is_symlink()
    assert (out / "gait_side" / "summary.json").is_file() and (out / "assessment.json").is_file()


# --------------------------------------------------------------------------- stale outputs
def test_a_failed_run_marks_the_earlier_outputs_stale_and_a_good_run_clears_them(
        phantom_csv, standing_csv, tmp_path, capsys):
    from gaitscope.progress import load_session

    out = tmp_path / "out"
    assert main(["analyze", str(phantom_csv), "--out", str(out), "--quiet"]) == 0
    before = {n: (out / n).read_bytes() for n in RESULTS}
    capsys.readouterr()
    assert main(["analyze", str(standing_csv), "--out", str(out), "--quiet"]) == 2
    err = _err_lines(capsys)
    assert len(err) == 1 and "no walking" in err[0]
    marker = (out / outputs.STALE_NAME).read_text()
    assert "failed" in marker and "no walking" in marker
    for n in RESULTS:  # nothing under its usual name; the earlier files kept, renamed, byte for byte
        assert not (out / n).exists()
        assert (out / outputs.stale_name(n)).read_bytes() == before[n]
    with pytest.raises(GaitscopeError, match="STALE"):
        load_session(out)
    assert main(["analyze", str(phantom_csv), "--out", str(out), "--quiet"]) == 0
    assert not (out / outputs.STALE_NAME).exists()
    assert sorted(p.name for p in out.iterdir()) == sorted(RESULTS)
    assert {n: (out / n).read_bytes() for n in RESULTS} == before


def test_a_failed_first_run_leaves_no_result_files(standing_csv, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["analyze", str(standing_csv), "--out", str(out), "--quiet"]) == 2
    assert not out.exists() or [p.name for p in out.iterdir()] == []


# --------------------------------------------------------------------------- pose cache
def _phantom_pose(phantom_csv: Path):
    return read_pose_csv(phantom_csv)


def test_pose_cache_cut_short_is_refused(phantom_csv, tmp_path):
    csv = write_pose_csv(_phantom_pose(phantom_csv), tmp_path / "pose.csv")
    side = json.loads(sidecar_path(csv).read_text())
    assert side["n_frames"] == 360 and len(side["csv_sha256"]) == 64
    data = csv.read_bytes()
    lines = data.splitlines(keepends=True)
    csv.write_bytes(b"".join(lines[: len(lines) // 2]))  # whole rows: pandas alone would read it happily
    with pytest.raises(PoseCacheMismatch, match="checksum"):
        read_pose_csv(csv)
    csv.write_bytes(data)
    assert read_pose_csv(csv).n_frames == 360


def test_analyze_recomputes_a_cut_short_pose_cache_and_says_so(phantom_csv, tmp_path, monkeypatch, capsys):
    """The pipeline's reuse check (same video name, size, mtime) must also verify the checksum."""
    import gaitscope.pose.run as pose_run
    from gaitscope import pipeline

    pose = _phantom_pose(phantom_csv)
    video = tmp_path / "walk.mp4"
    video.write_bytes(b"0" * 1000)
    st = video.stat()
    out = tmp_path / "walk_gaitscope"
    meta = {**pose.meta, "cache_key": {"video": str(video), "size_bytes": st.st_size, "mtime_ns": st.st_mtime_ns,
                                       "pose_stage_version": pose_run.POSE_STAGE_VERSION}}
    cached = pose.with_xyz(pose.xyz, meta=meta)
    cached = type(cached)(**{**{f: getattr(cached, f) for f in cached.__dataclass_fields__}, "source": str(video)})
    csv = write_pose_csv(cached, out / "pose.csv")
    calls = []

    class _Ran:
        def __init__(self, p):
            self.pose = p

    monkeypatch.setattr(pose_run, "run_pose", lambda path, **kw: calls.append(path) or _Ran(pose))
    pipeline._video_pose(video, out, backend="mediapipe", progress=True)
    assert calls == [] and "reusing" in capsys.readouterr().err
    lines = csv.read_bytes().splitlines(keepends=True)
    csv.write_bytes(b"".join(lines[:186]))
    pipeline._video_pose(video, out, backend="mediapipe", progress=True)
    err = capsys.readouterr().err
    assert calls == [video] and "not reusing" in err and "checksum" in err


_SLOW_WRITER = r"""
import os, sys, time, types
from pathlib import Path
from gaitscope import outputs
from gaitscope.capture.pose_csv import read_pose_csv, write_pose_csv

src, dst = Path(sys.argv[1]), Path(sys.argv[2])
pose = read_pose_csv(src)
pose = pose.with_xyz(pose.xyz + 7.0)  # different content from the cache already there
real_fdopen = os.fdopen
names = iter(["csv", "json"])

class Slow:
    # write in 40 slices with a pause, saying how far it got: the parent kills at a chosen point
    def __init__(self, fh):
        self.fh, self.name = fh, next(names)
    def write(self, data):
        step = max(1, len(data) // 40)
        for i in range(0, len(data), step):
            self.fh.write(data[i:i + step]); self.fh.flush()
            print(self.name, min(1.0, (i + step) / len(data)), flush=True)
            time.sleep(0.01)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        self.fh.close()

proxy = types.SimpleNamespace(**{k: getattr(os, k) for k in dir(os) if not k.startswith("__")})
proxy.fdopen = lambda fd, mode: Slow(real_fdopen(fd, mode))
outputs.os = proxy
write_pose_csv(pose, dst)
print("done", 1.0, flush=True)
"""


@pytest.mark.parametrize("kill_at", [("csv", 0.3), ("csv", 0.8), ("json", 0.3)])
def test_kill_9_during_a_pose_cache_write_never_leaves_a_cache_that_is_reused(phantom_csv, tmp_path, kill_at):
    out = tmp_path / "out"
    old = write_pose_csv(_phantom_pose(phantom_csv), out / "pose.csv")
    old_bytes = old.read_bytes()
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(phantom_csv), str(old)],
                            stdout=subprocess.PIPE, text=True)
    which, frac = kill_at
    for line in proc.stdout:
        name, f = line.split()
        if name == which and float(f) >= frac:
            proc.kill()
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert _leftovers(out), "the kill should have caught a temporary file being written"
    if which == "csv":  # killed before the rename: the old cache, whole and valid
        assert old.read_bytes() == old_bytes
        assert read_pose_csv(old).n_frames == 360
    else:  # the new CSV is in place but its sidecar is the old one: refused, so it is recomputed
        assert old.read_bytes() != old_bytes
        with pytest.raises(PoseCacheMismatch):
            read_pose_csv(old)
    outputs.remove_leftovers(out)  # what the next run into the folder does first
    assert _leftovers(out) == []


# --------------------------------------------------------------------------- full disk
@pytest.fixture()
def small_tmpfs(tmp_path):
    """A 64 KB tmpfs (needs root or CAP_SYS_ADMIN; skipped otherwise)."""
    mnt = tmp_path / "small_disk"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (no privileges?): {res.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_full_disk_gives_one_sentence_and_no_partial_file(phantom_csv, small_tmpfs, capsys):
    out = small_tmpfs / "out"
    assert main(["analyze", str(phantom_csv), "--out", str(out), "--quiet"]) == 2
    err = _err_lines(capsys)
    assert len(err) == 1, err
    assert "disk is full" in err[0] and "needed" in err[0] and "MB" in err[0] and "--out" in err[0]
    assert "Traceback" not in err[0]
    left = sorted(p.name for p in out.iterdir()) if out.exists() else []
    # no temporary file, and no result of the failed run (an incomplete set is removed, not left half-done)
    assert left == [], left


def test_full_disk_over_an_earlier_run_keeps_it_whole_and_marked(phantom_csv, small_tmpfs, tmp_path, capsys):
    """A run that fills the disk must not destroy the earlier results (they are whole, marked stale)."""
    out = small_tmpfs / "out"
    out.mkdir()
    earlier = {"summary.json": b'{"earlier": true}\n', "events.csv": b"event,side\n"}
    for n, b in earlier.items():
        (out / n).write_bytes(b)
    filler = small_tmpfs / "filler"
    filler.write_bytes(b"x" * 16 * 1024)
    assert main(["analyze", str(phantom_csv), "--out", str(out), "--quiet"]) == 2
    assert "disk is full" in _err_lines(capsys)[0]
    for n, b in earlier.items():
        assert (out / outputs.stale_name(n)).read_bytes() == b
    assert _leftovers(out) == []
    assert not any((out / n).exists() for n in RESULTS)


def test_assess_on_a_full_disk_gives_one_sentence_and_no_partial_file(phantom_csv, small_tmpfs, capsys):
    out = small_tmpfs / "assessment"
    code = main(["assess", "--side-video", str(phantom_csv), "--out", str(out), "--no-overlay", "--quiet"])
    err = _err_lines(capsys)
    assert code == 2 and len(err) == 1 and "disk is full" in err[0], err
    files = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert not any(p.name.startswith(outputs.TMP_PREFIX) for p in files)
    assert not (out / "assessment.json").exists() and not (out / "report.html").exists()
    for p in files:  # whatever is left is whole
        if p.suffix == ".json":
            json.loads(p.read_text())


# --------------------------------------------------------------------------- early, cheap refusals
def test_workers_below_one_are_refused(capsys):
    for bad in ("0", "-3", "two"):
        try:
            code = main(["pose", "walk.mp4", "--workers", bad])
        except SystemExit as ex:  # argparse refuses a non-number itself
            code = ex.code
        assert code == 2
        err = _err_lines(capsys)
        assert len(err) == 1 and "--workers" in err[0], err


def test_a_photo_given_to_analyze_is_pointed_to_posture(tmp_path, capsys):
    from PIL import Image

    png = tmp_path / "standing.png"
    Image.new("RGB", (64, 64)).save(png)
    assert main(["analyze", str(png), "--out", str(tmp_path / "o")]) == 2
    err = _err_lines(capsys)
    assert len(err) == 1 and "gaitscope posture" in err[0] and str(png) in err[0]


def test_a_long_clip_is_refused_before_decoding_and_the_limit_can_be_raised(shared_data, tmp_path, capsys):
    video = shared_data / "video" / VIDEO  # 13.4 s
    t0 = time.perf_counter()
    assert main(["pose", str(video), "--out", str(tmp_path / "o"), "--max-duration", "10", "--quiet"]) == 2
    elapsed = time.perf_counter() - t0
    err = _err_lines(capsys)
    assert len(err) == 1 and "--max-duration 14" in err[0] and "13 s" in err[0]
    assert elapsed < 5.0  # probing only, no pose model
    assert not (tmp_path / "o").exists()
    from gaitscope.capture.video import probe_video

    assert probe_video(video, max_duration_s=14).n_frames == 401


def test_frames_above_the_pixel_cap_are_refused_before_decoding(tmp_path, capsys):
    from gaitscope.capture.video import MAX_FRAME_PIXELS

    path = tmp_path / "huge.mp4"
    w, h = 4800, 2400  # 11.5 megapixels (above the 4K cap), 3 frames of black
    assert w * h > MAX_FRAME_PIXELS
    still_clip(path, w, h, 60, grey=0)
    assert main(["pose", str(path), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = _err_lines(capsys)
    assert len(err) == 1 and "4800x2400" in err[0] and "megapixels" in err[0]


# --------------------------------------------------------------------------- workers die with their parent
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_pose_workers_die_with_their_parent_and_leave_no_temporary_folder(short_clip, tmp_path, sig):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    out = tmp_path / "out"
    proc = _cli("analyze", str(short_clip), "--out", str(out), tmpdir=tmpdir)
    workers = _wait_for_workers(proc, 2)
    time.sleep(1.0)  # the workers are importing the model / estimating
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"gaitscope did not end after {sig.name}")
    time.sleep(1.0)
    assert _alive(workers) == [], f"orphaned pose workers after {sig.name}"
    assert pose_workers_of(proc.pid) == []
    # no gaitscope-made temporary folder; once, under heavy load, a third-party library's default "tmp*"
    # folder was left behind after SIGINT (not gaitscope's own: issue 13 note), so only ours are asserted
    assert [p for p in tmpdir.iterdir() if p.name.startswith(("gaitscope", "pymp-"))] == []
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:  # the same clean one-line message for SIGTERM as for Ctrl-C, no traceback
        lines = [ln for ln in err.splitlines() if ln.startswith("gaitscope:")]
        assert lines == [f"gaitscope: {__import__('gaitscope.cli').cli.INTERRUPTED}"], err[-800:]
        assert "Traceback" not in err
        assert proc.returncode == (143 if sig == signal.SIGTERM else 130)


# --------------------------------------------------------------------------- kill -9 mid-analysis, then re-run
@pytest.mark.slow
def test_kill_9_at_30_and_80_percent_then_rerun_gives_the_clean_outputs(shared_data, tmp_path):
    """kill -9 at about 30 % and 80 % of a clean run's wall time, then re-run into the same folder:
    the outputs are byte-identical to the clean run's, no worker survives 1 s, no temporary file or
    folder is left, and the folder is not marked stale."""
    video = shared_data / "video" / VIDEO
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    clean = tmp_path / "clean"
    t0 = time.monotonic()
    proc = _cli("analyze", str(video), "--out", str(clean), "--height-m", "1.6", "--quiet", tmpdir=tmpdir)
    _, err = proc.communicate(timeout=900)
    wall_s = time.monotonic() - t0
    assert proc.returncode == 0, err
    want = {n: (clean / n).read_bytes() for n in (*RESULTS, "pose.csv")}
    for frac in (0.3, 0.8):
        out = tmp_path / f"killed_at_{int(frac * 100)}"
        t1 = time.monotonic()
        proc = _cli("analyze", str(video), "--out", str(out), "--height-m", "1.6", "--quiet", tmpdir=tmpdir)
        workers = _wait_for_workers(proc, 1)
        time.sleep(max(0.0, t1 + frac * wall_s - time.monotonic()))
        proc.kill()
        proc.wait()
        time.sleep(1.0)
        assert _alive(workers) == [] and pose_workers_of(proc.pid) == []
        assert list(tmpdir.iterdir()) == []
        # whatever is in the folder now is whole: every CSV/JSON present parses
        for p in out.glob("*.json") if out.exists() else []:
            json.loads(p.read_text())
        proc = _cli("analyze", str(video), "--out", str(out), "--height-m", "1.6", "--quiet", tmpdir=tmpdir)
        _, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err
        got = {n: (out / n).read_bytes() for n in want}
        assert [n for n in want if got[n] != want[n]] == []
        assert not (out / outputs.STALE_NAME).exists() and _leftovers(out) == []
        assert list(tmpdir.iterdir()) == []


def _loop_clip(src: Path, dst: Path, reps: int) -> Path:
    """``src`` played forward, backward, forward ... ``reps`` times (one continuous clip)."""
    frames = list(read_frames(src))
    return write_clip(dst, (a for r in range(reps) for a in (frames if r % 2 == 0 else frames[::-1])), clip_rate(src))


@pytest.mark.slow
def test_a_long_clip_without_walking_is_refused_by_the_early_check(shared_data, tmp_path, capsys):
    """36 s of a person doing lateral raises in place (the data README: not gait): refused by the
    one-frame-per-second check before the full pose passes; 40 s of the older adult walking
    (forward, reversed, forward: longer than the 30 s from which clips are checked) passes the
    check within its first 10 samples."""
    from gaitscope.capture.video import probe_video
    from gaitscope.pose.prescan import check_walking_early

    still = _loop_clip(shared_data / "video" / "not_gait_lateral_raise.mp4", tmp_path / "raise36.mp4", 2)
    assert main(["pose", str(still), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "checking for someone walking" in err and "does not walk" in err and "one frame per second" in err
    assert "pose: [" not in err  # the full passes never started
    walk = _loop_clip(shared_data / "video" / VIDEO, tmp_path / "walk40.mp4", 3)
    assert 1 <= check_walking_early(probe_video(walk)) <= 10
