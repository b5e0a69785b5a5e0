"""Reading posture inputs: photos (EXIF orientation applied) and the steadiest standing second of a video.

Photos are read with Pillow and turned upright with ``ImageOps.exif_transpose``. HEIC/HEIF photos
need the optional ``pillow-heif`` package (on PyPI); without it gaitscope says so and asks for a JPEG.
Videos are decoded with :mod:`gaitscope.capture.video` (PyAV, phone rotation applied, presentation
timestamps) and run through the pose backend in tracking mode; :func:`steadiest_second` then picks the
one-second window with the least keypoint motion in which the person stands upright.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gaitscope.types import GaitscopeError

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".3gp")
HEIF_SUFFIXES = (".heic", ".heif")


def is_video(path: str | Path) -> bool:
    """True when the file name says video (by suffix)."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def _register_heif(path: Path) -> None:
    try:
        import pillow_heif  # optional dependency
    except ImportError:
        raise GaitscopeError(
            f"{path}: HEIC/HEIF photos need the optional package pillow-heif (pip install pillow-heif); "
            "or export the photo as JPEG."
        ) from None
    pillow_heif.register_heif_opener()


def load_image(path: str | Path) -> np.ndarray:
    """Read a photo as an upright RGB ``uint8`` array ``(h, w, 3)``.

    EXIF orientation is applied (phones store portrait photos as landscape pixels plus a tag).
    Raises :class:`GaitscopeError` for a missing, empty or unreadable file.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    p = Path(path)
    if not p.exists():
        raise GaitscopeError(f"{p}: file not found; check the path.")
    if p.is_dir():
        raise GaitscopeError(f"{p}: is a folder; give the path of a photo (JPEG or PNG).")
    if p.stat().st_size == 0:
        raise GaitscopeError(f"{p}: the file is empty (0 bytes); copy the photo again.")
    if p.suffix.lower() in HEIF_SUFFIXES:
        _register_heif(p)
    try:
        with Image.open(p) as im:
            im = ImageOps.exif_transpose(im)
            rgb = np.asarray(im.convert("RGB"), dtype=np.uint8).copy()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise GaitscopeError(f"{p}: cannot be read as a photo ({type(err).__name__}); give a JPEG or PNG.") from None
    h, w = rgb.shape[:2]
    if min(h, w) < 64:
        raise GaitscopeError(f"{p}: the photo is only {w}x{h} px; give a photo at least a few hundred pixels tall.")
    return rgb


@dataclass(frozen=True)
class StillWindow:
    """The steadiest standing second of a video.

    ``samples``: indices (into the samples given to :func:`steadiest_second`) of the window;
    ``t_s``: their timestamps (s); ``spread``: median over keypoints of each keypoint's positional SD in
    the window, ``feet_spread``: the largest SD of a foot keypoint (both in statures);
    ``mid_sample``: the sample nearest the window's middle (drawn in the annotated image).
    """

    samples: tuple[int, ...]
    t_s: tuple[float, ...]
    spread: float
    feet_spread: float
    mid_sample: int


def window_spread(xy: np.ndarray, stature_px: float, foot_columns: tuple[int, ...]) -> tuple[float, float]:
    """Positional spread of the keypoints over a window, in statures.

    Parameters
    ----------
    xy
        ``(n, k, 2)`` px of the samples in the window (no NaN).
    stature_px
        The person's height in px (scale).
    foot_columns
        Columns of ``xy`` that are foot keypoints (ankle, heel, toe).

    Returns
    -------
    (median_sd, feet_max_sd)
        Median over keypoints of the positional SD (root of the summed x and y variances), and the
        largest SD among the foot keypoints; both as fractions of stature. Jitter of a still person is
        well under 0.01; a walking person's feet move by tenths of a stature.
    """
    sd = np.sqrt(np.var(xy[..., 0], axis=0) + np.var(xy[..., 1], axis=0)) / stature_px
    return float(np.median(sd)), float(np.max(sd[list(foot_columns)])) if foot_columns else 0.0


def steadiest_second(
    t_s: np.ndarray,
    xy: np.ndarray,
    stature_px: np.ndarray,
    upright: np.ndarray,
    foot_columns: tuple[int, ...],
    *,
    max_spread: float,
    max_feet_spread: float,
    source: str,
    window_s: float = 1.0,
) -> StillWindow:
    """Pick the window of ``window_s`` in which the person stands upright and moves least.

    Parameters
    ----------
    t_s
        ``(n,)`` sample times (s).
    xy
        ``(n, k, 2)`` keypoints in px, NaN where missing.
    stature_px
        ``(n,)`` the person's height in px per sample.
    upright
        ``(n,)`` bool: the person is found whole, standing upright with the feet under the body.
    foot_columns
        Columns of ``xy`` that are foot keypoints.
    max_spread, max_feet_spread
        The largest :func:`window_spread` values that still count as standing still (statures).
    source
        Video file name for messages.

    Raises
    ------
    GaitscopeError
        When no window has the person upright throughout, or the steadiest one still moves more than
        the limits (walking or moving, not standing).
    """
    n = len(t_s)
    best: tuple[float, int, int, float, float] | None = None
    for i in range(n):
        j = int(np.searchsorted(t_s, t_s[i] + window_s - 1e-9))
        if j >= n:
            j = n - 1
            if t_s[j] - t_s[i] < 0.8 * window_s:
                break
        sl = slice(i, j + 1)
        if not upright[sl].all():
            continue
        cols = np.isfinite(xy[sl, :, 0]).all(axis=0)
        if cols.sum() < 8:
            continue
        feet = tuple(int(np.flatnonzero(cols).tolist().index(c)) for c in foot_columns if cols[c])
        med, feet_sd = window_spread(xy[sl][:, cols], float(np.nanmedian(stature_px[sl])), feet)
        score = med + feet_sd
        if best is None or score < best[0]:
            best = (score, i, j, med, feet_sd)
    if best is None:
        raise GaitscopeError(
            f"{source}: no second in which the whole person stands upright in view; film at least 3 s of "
            "still standing with the whole body, head to feet, in the frame."
        )
    _, i, j, med, feet_sd = best
    if med > max_spread or feet_sd > max_feet_spread:
        raise GaitscopeError(
            f"{source}: the person never stands still for a second (in the stillest second the feet still move "
            f"{100 * feet_sd:.0f} % of the height): this looks like walking or moving; film 3 s of still standing."
        )
    idx = tuple(range(i, j + 1))
    return StillWindow(samples=idx, t_s=tuple(float(t_s[k]) for k in idx), spread=med, feet_spread=feet_sd,
                       mid_sample=idx[len(idx) // 2])
