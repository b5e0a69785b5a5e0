"""Video probing and decoding: phone rotation, presentation timestamps, clear refusals.

All clips here are synthesised with PyAV in a temporary folder (fast, no model).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from gaitscope.capture.video import iter_frames, probe_video
from gaitscope.cli import main as cli_main
from gaitscope.types import GaitscopeError


def upright_pattern(w: int = 120, h: int = 200) -> np.ndarray:
    """A portrait test card: red band on top, green band on the left, blue square bottom-right."""
    img = np.full((h, w, 3), 40, np.uint8)
    img[: h // 5, :, :] = (230, 30, 30)
    img[:, : w // 6, :] = (30, 220, 30)
    img[-h // 4 :, -w // 3 :, :] = (30, 30, 230)
    return img


def write_clip(
    path: Path,
    frames: list[np.ndarray],
    *,
    pts: list[int] | None = None,
    time_base: Fraction = Fraction(1, 1000),
    rate: int = 30,
    rotation_deg: int | None = None,
    codec: str = "mpeg4",
    faststart: bool = False,
    bit_rate: int | None = None,
) -> Path:
    """Write RGB ``frames`` as an mp4 with chosen presentation timestamps and display rotation."""
    h, w = frames[0].shape[:2]
    opts = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), mode="w", options=opts) as c:
        s = c.add_stream(codec, rate=rate)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.codec_context.time_base = time_base
        if bit_rate:
            s.codec_context.bit_rate = bit_rate
        if rotation_deg is not None:
            s.set_display_rotation(rotation_deg)
        for i, img in enumerate(frames):
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
            vf.pts = pts[i] if pts is not None else int(round(i / rate / time_base))
            vf.time_base = time_base
            for p in s.encode(vf):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def plain_clip(path: Path, n: int = 75, w: int = 160, h: int = 120, **kw) -> Path:
    rng = np.random.default_rng(0)
    frames = [np.full((h, w, 3), int(v), np.uint8) for v in rng.integers(60, 200, n)]
    return write_clip(path, frames, **kw)


# ----------------------------------------------------------------------------- rotation
@pytest.mark.parametrize("rotation_deg", [90, -90, 180])
def test_phone_rotation_decodes_upright(tmp_path, rotation_deg):
    up = upright_pattern()
    # what a phone stores: the upright picture turned clockwise by the display rotation
    # (the display rotation is counter-clockwise, so showing the stored frame undoes it)
    stored = np.ascontiguousarray(np.rot90(up, k=-(rotation_deg // 90)))
    clip = write_clip(tmp_path / f"rot{rotation_deg}.mp4", [stored] * 70, rotation_deg=rotation_deg)
    info = probe_video(clip)
    assert info.rotation_deg % 360 == rotation_deg % 360
    assert info.image_size_px == (up.shape[1], up.shape[0])  # portrait: 120 wide, 200 tall
    frame = next(iter(iter_frames(info, stop=1)))
    assert frame.rgb.shape == up.shape
    # compare with the card we drew (mpeg4 compression: small errors only)
    assert np.abs(frame.rgb.astype(int) - up.astype(int)).mean() < 6
    # and the red band is on top, the green band on the left
    assert frame.rgb[5, 60, 0] > 180 and frame.rgb[5, 60, 1] < 90
    assert frame.rgb[100, 5, 1] > 180 and frame.rgb[100, 5, 0] < 90


def test_rotation_agrees_with_opencv_autorotation(tmp_path):
    """Independent check of the sign: OpenCV's FFmpeg reader applies the display matrix itself."""
    cv2 = pytest.importorskip("cv2")
    up = upright_pattern()
    stored = np.ascontiguousarray(np.rot90(up, k=-1))
    clip = write_clip(tmp_path / "rot.mp4", [stored] * 70, rotation_deg=90)
    ok, bgr = cv2.VideoCapture(str(clip)).read()
    assert ok
    ours = next(iter(iter_frames(probe_video(clip), stop=1))).rgb
    assert ours.shape == bgr.shape
    assert np.abs(ours.astype(int) - bgr[:, :, ::-1].astype(int)).mean() < 2


# ----------------------------------------------------------------------------- timestamps
def test_variable_frame_rate_timestamps_are_kept(tmp_path):
    rng = np.random.default_rng(1)
    # irregular gaps of 20-60 ms, like a phone under load; 2.7 s in all
    gaps_ms = rng.integers(20, 61, size=79)
    pts_ms = np.concatenate([[0], np.cumsum(gaps_ms)]) + 500  # stream starting at 0.5 s
    frames = [np.full((120, 160, 3), 100 + (i % 50), np.uint8) for i in range(pts_ms.size)]
    clip = write_clip(tmp_path / "vfr.mp4", frames, pts=[int(p) for p in pts_ms])
    info = probe_video(clip)
    truth_s = (pts_ms - pts_ms[0]) / 1000.0
    np.testing.assert_allclose(info.t_s, truth_s, atol=1e-9)
    got = [(f.index, f.t_s) for f in iter_frames(info)]
    assert [i for i, _ in got] == list(range(pts_ms.size))
    np.testing.assert_allclose([t for _, t in got], truth_s, atol=1e-9)
    # and not index / fps
    assert np.abs(truth_s - np.arange(truth_s.size) / 30.0).max() > 0.2


def test_chunk_decoding_starts_mid_clip(tmp_path):
    """Decoding from the middle (how a worker gets its chunk) yields exactly those frames."""
    frames = []
    for i in range(100):  # frame i shows a white bar at x = 20 + i
        img = np.zeros((120, 160, 3), np.uint8)
        img[:, 18 + i : 23 + i] = 255
        frames.append(img)
    clip = write_clip(tmp_path / "bar.mp4", frames)
    info = probe_video(clip)
    got = list(iter_frames(info, start=37, stop=61))
    assert [f.index for f in got] == list(range(37, 61))
    bar_x = [int(np.argmax(f.rgb[:, :, 0].mean(axis=0)[19:140]) + 19) for f in got]
    assert np.abs(np.array(bar_x) - (20 + np.arange(37, 61))).max() <= 2


# ----------------------------------------------------------------------------- refusals
def _one_line_error(err: GaitscopeError, path: Path) -> str:
    msg = str(err)
    assert "\n" not in msg
    assert str(path) in msg
    return msg


def test_text_file_renamed_mp4(tmp_path):
    p = tmp_path / "notes.mp4"
    p.write_text("this is not a video\n" * 50)
    with pytest.raises(GaitscopeError) as e:
        probe_video(p)
    assert "cannot be read as a video" in _one_line_error(e.value, p)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.mp4"
    p.touch()
    with pytest.raises(GaitscopeError) as e:
        probe_video(p)
    assert "empty" in _one_line_error(e.value, p)


def test_missing_file(tmp_path):
    p = tmp_path / "nope.mp4"
    with pytest.raises(GaitscopeError) as e:
        probe_video(p)
    assert "not found" in _one_line_error(e.value, p)


@pytest.mark.parametrize("faststart", [False, True])
def test_truncated_mp4(tmp_path, faststart):
    good = plain_clip(tmp_path / "good.mp4", n=120, faststart=faststart)
    probe_video(good)  # the whole file is fine
    data = good.read_bytes()
    p = tmp_path / "cut.mp4"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(GaitscopeError) as e:
        probe_video(p)
    msg = _one_line_error(e.value, p)
    assert "truncated" in msg or "corrupt" in msg


def test_too_short_for_two_strides(tmp_path):
    p = plain_clip(tmp_path / "short.mp4", n=30)  # 1 s
    with pytest.raises(GaitscopeError) as e:
        probe_video(p)
    assert "too short" in _one_line_error(e.value, p)


def test_absurd_resolution(tmp_path):
    p = plain_clip(tmp_path / "tiny.mp4", n=75, w=64, h=48)
    with pytest.raises(GaitscopeError) as e:
        probe_video(p)
    assert "resolution" in _one_line_error(e.value, p)


@pytest.mark.parametrize("kind", ["text", "empty", "truncated"])
def test_cli_pose_bad_input_one_line_nonzero(tmp_path, capsys, kind):
    p = tmp_path / f"{kind}.mp4"
    if kind == "text":
        p.write_text("hello\n")
    elif kind == "truncated":
        good = plain_clip(tmp_path / "good.mp4", n=120)
        p.write_bytes(good.read_bytes()[:3000])
    else:
        p.touch()
    code = cli_main(["pose", str(p), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert err.startswith("gaitscope: ") and "\n" not in err and str(p) in err
    assert "Traceback" not in err
