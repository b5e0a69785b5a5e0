"""Camera motion (pan, tilt, roll, zoom, shake) of a video, estimated from the background.

A hand-held phone turns to keep the walker in view: on ``walk_frontal_toward_camera.mp4`` the
background moves about 150 px over the clip. A planted foot then moves in the image although it
stands still on the floor, so the motion of the camera is taken out before a foot is called still
or a distance is read.

Method (per pair of consecutive frames, on a grey copy at most :data:`WORK_WIDTH_PX` wide):

1. corners (Shi-Tomasi, ``cv2.goodFeaturesToTrack``) of the *previous* frame outside the walker's
   box (padded: the walker moves on her or his own), re-detected every frame;
2. tracked into the current frame with pyramidal Lucas-Kanade optical flow, forward and back
   (a point is kept when the round trip returns within :data:`MAX_ROUND_TRIP_PX`);
3. a similarity transform (rotation, uniform scale, translation: ``cv2.estimateAffinePartial2D``
   with RANSAC, :data:`RANSAC_PX`) current -> previous; a turning camera moves every background
   point by nearly the same similarity whatever its depth, and RANSAC ignores points that move
   on their own (other people, a door);
4. chained: ``A[i]`` maps pixels of frame ``i`` to pixels of frame 0 (the reference).

A pair with fewer than :data:`MIN_POINTS` agreeing points (a blank wall, heavy blur) gets the
identity (the camera is assumed still for that frame) and is counted in ``failed_pairs``.

Output of :func:`estimate_camera_motion`: ``(n_frames, 2, 3)`` float array of affine matrices in
full-resolution pixels of the upright video, ``A[0] = [[1, 0, 0], [0, 1, 0]]``; apply with
:func:`apply_camera_motion`. OpenCV only (already a dependency); the pose model is not used.

**Camera roll.** A hand-held phone is rarely held level, and frontal angles (pelvic obliquity, trunk
lean, knee projection angle) are read against the image's vertical: on the real clip a roll of about
3 deg made one side's pelvic drop read 6 deg and the other's -0.4 deg. The vertical is found from the
scene: straight near-vertical edges of the background (door frames, walls, cupboards; Canny + Hough,
at least :data:`ROLL_MIN_LINE_FRACTION` of the image height long, within :data:`ROLL_MAX_DEG` of the
image's vertical, outside the walker's box), gathered every :data:`ROLL_EVERY_S` seconds and mapped
into frame 0. A camera pitched down makes vertical edges converge toward a point below the image, so
an edge's tilt grows with its distance from the image centre: ``tilt = roll + k * (x - x_centre)``
is fitted (length-weighted, edges more than :data:`ROLL_OUTLIER_DEG` off the fit dropped, twice)
and ``roll`` is its value at the centre. Without :data:`ROLL_MIN_LINES` edges on both halves of the
image the roll is not measured (``roll_deg`` None) and the image vertical is assumed (the report says so).

**Shoe motion.** In the same pass, with the walker's heel, toe and ankle keypoints given, each
shoe's own image motion between consecutive frames is measured from its pixels (full
resolution): corners inside the box spanned by the foot's keypoints of the previous frame
(widened by :data:`SHOE_BOX_PAD_HEIGHT` standing heights), tracked with Lucas-Kanade, the camera's
predicted displacement of each point subtracted, the median kept (px per frame, in the previous
frame's pixel units). A keypoint jitters by a few pixels from frame to frame; the tracked pixels of
the shoe move by well under a pixel while it stands on the floor (0.1 % of the standing height per
frame on ``walk_frontal_toward_camera.mp4``, against 1-3 % in swing), so a frontal view can see
when the shoe lands and lifts (``docs/frontal.md``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gaitscope.capture.video import VideoInfo, iter_frames

#: Grey working copy width (px): halves a 1080p frame's cost twice over; LK tracks to sub-pixel.
WORK_WIDTH_PX = 640
#: Corners searched per frame, their quality level and least spacing (working px).
MAX_CORNERS = 300
CORNER_QUALITY = 0.01
CORNER_SPACING_PX = 8
#: A tracked point must come back within this (working px) when tracked back to the previous frame.
MAX_ROUND_TRIP_PX = 0.5
#: RANSAC inlier distance (working px).
RANSAC_PX = 1.0
#: A pair needs this many agreeing background points, else the identity is used.
MIN_POINTS = 12
#: Extra margin around the walker's box, as a fraction of the box height.
BOX_PAD_FRACTION = 0.15
#: Shoe box: the span of the foot's heel, toe and ankle keypoints widened by this many apparent standing
#: heights (the shoe's outline is 2-4 cm outside the keypoints).
SHOE_BOX_PAD_HEIGHT = 0.03
#: Corners tracked per shoe and frame, and the fewest that give a shoe motion.
SHOE_CORNERS = 40
MIN_SHOE_POINTS = 4
#: Roll: near-vertical scene edges at least this fraction of the image height long ...
ROLL_MIN_LINE_FRACTION = 0.1
#: ... within this angle of the image's vertical (deg) ...
ROLL_MAX_DEG = 12.0
#: ... from frames this far apart (s); fit outliers beyond this (deg) dropped; at least this many
#: edges on each half of the image.
ROLL_EVERY_S = 1.0
ROLL_OUTLIER_DEG = 2.0
ROLL_MIN_LINES = 4
#: The camera counts as still when no image corner moves more than this over the clip (px, full
#: resolution): then the motion is not applied (it would only add estimation noise).
STILL_MAX_PX = 2.0


def _mask(shape: tuple[int, int], box: np.ndarray | None, scale: float) -> np.ndarray:
    m = np.full(shape, 255, np.uint8)
    if box is not None and np.isfinite(box).all():
        pad = BOX_PAD_FRACTION * (box[3] - box[1])
        x0, y0 = int(max(0, (box[0] - pad) * scale)), int(max(0, (box[1] - pad) * scale))
        x1, y1 = int(min(shape[1], (box[2] + pad) * scale + 1)), int(min(shape[0], (box[3] + pad) * scale + 1))
        m[y0:y1, x0:x1] = 0
    return m


def _pair(prev: np.ndarray, cur: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray | None, int]:
    """Similarity (2x3, working px) mapping ``cur`` -> ``prev``, and the number of inliers."""
    import cv2

    p0 = cv2.goodFeaturesToTrack(prev, MAX_CORNERS, CORNER_QUALITY, CORNER_SPACING_PX, mask=mask)
    if p0 is None or len(p0) < MIN_POINTS:
        return None, 0
    lk = {"winSize": (21, 21), "maxLevel": 3,
          "criteria": (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 0.01)}
    p1, st1, _ = cv2.calcOpticalFlowPyrLK(prev, cur, p0, None, **lk)
    p0r, st2, _ = cv2.calcOpticalFlowPyrLK(cur, prev, p1, None, **lk)
    ok = (st1[:, 0] == 1) & (st2[:, 0] == 1) & (np.linalg.norm((p0 - p0r)[:, 0], axis=1) < MAX_ROUND_TRIP_PX)
    if ok.sum() < MIN_POINTS:
        return None, int(ok.sum())
    m, inl = cv2.estimateAffinePartial2D(p1[ok], p0[ok], method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX,
                                         maxIters=2000, confidence=0.995)
    n_in = int(inl.sum()) if inl is not None else 0
    if m is None or n_in < MIN_POINTS:
        return None, n_in
    return m, n_in


def _vertical_edges(gray: np.ndarray, box: np.ndarray | None, a_to_ref: np.ndarray) -> list[tuple[float, float, float]]:
    """Near-vertical straight edges of a full-resolution grey frame outside the walker's box, mapped into
    frame 0: ``[(tilt_deg, x_mid_px, length_px)]``, tilt + = the lower end to the right."""
    import cv2

    h, w = gray.shape
    edges = cv2.Canny(gray, 50, 150)
    if box is not None and np.isfinite(box).all():
        pad = BOX_PAD_FRACTION * (box[3] - box[1])
        edges[int(max(0, box[1] - pad)) : int(min(h, box[3] + pad)), int(max(0, box[0] - pad)) : int(min(w, box[2] + pad))] = 0
    lines = cv2.HoughLinesP(edges, 1, np.pi / 720, 80, minLineLength=int(ROLL_MIN_LINE_FRACTION * h), maxLineGap=5)
    out = []
    if lines is None:
        return out
    for x1, y1, x2, y2 in lines.reshape(-1, 4).astype(float):
        pts = apply_camera_motion(np.array([[[x1, y1], [x2, y2]]]), a_to_ref[None])[0]
        (x1, y1), (x2, y2) = pts
        if y2 < y1:
            x1, y1, x2, y2 = x2, y2, x1, y1
        tilt = float(np.degrees(np.arctan2(x2 - x1, y2 - y1)))
        if abs(tilt) <= ROLL_MAX_DEG:
            out.append((tilt, 0.5 * (x1 + x2), float(np.hypot(x2 - x1, y2 - y1))))
    return out


def fit_roll_deg(edges: list[tuple[float, float, float]], x_centre_px: float) -> tuple[float | None, int]:
    """Camera roll (deg) from near-vertical edges ``[(tilt_deg, x_mid_px, length_px)]``: the intercept at
    ``x_centre_px`` of ``tilt = roll + k (x - x_centre)``; None when the edges do not cover both halves of
    the image. + = the true vertical appears with its lower end to the right (the phone turned
    counter-clockwise). Returns (roll, number of edges used)."""
    if not edges:
        return None, 0
    e = np.asarray(edges, dtype=float)
    keep = np.ones(len(e), bool)
    coef = None
    for _ in range(3):
        left, right = (e[keep, 1] < x_centre_px).sum(), (e[keep, 1] >= x_centre_px).sum()
        if left < ROLL_MIN_LINES or right < ROLL_MIN_LINES:
            return None, int(keep.sum())
        x = e[keep, 1] - x_centre_px
        wts = np.sqrt(e[keep, 2])
        a = np.column_stack([np.ones_like(x), x]) * wts[:, None]
        coef = np.linalg.lstsq(a, e[keep, 0] * wts, rcond=None)[0]
        resid = np.abs(e[:, 0] - (coef[0] + coef[1] * (e[:, 1] - x_centre_px)))
        new = resid <= ROLL_OUTLIER_DEG
        if (new == keep).all():
            break
        keep = new
    return (float(coef[0]) if coef is not None else None), int(keep.sum())


def roll_matrix(roll_deg: float, centre_px: tuple[float, float]) -> np.ndarray:
    """2x3 affine that turns frame-0 pixels so the scene's vertical (tilted by ``roll_deg``) is the
    image's vertical, about ``centre_px``."""
    r = np.radians(roll_deg)
    rot = np.array([[np.cos(r), -np.sin(r)], [np.sin(r), np.cos(r)]])
    c = np.asarray(centre_px, dtype=float)
    return np.column_stack([rot, c - rot @ c])


def _compose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Affine ``a o b`` (apply ``b`` first), both 2x3."""
    a3 = np.vstack([a, [0.0, 0.0, 1.0]])
    b3 = np.vstack([b, [0.0, 0.0, 1.0]])
    return (a3 @ b3)[:2]


def _inverse(a: np.ndarray) -> np.ndarray:
    return np.linalg.inv(np.vstack([a, [0.0, 0.0, 1.0]]))[:2]


def _shoe_motion(prev_full: np.ndarray, cur_full: np.ndarray, foot_xy: np.ndarray, height_px: float,
                 cam: np.ndarray) -> np.ndarray:
    """Median own motion (dx, dy px) of the shoe whose keypoints (heel, toe, ankle) in the previous
    frame are ``foot_xy`` ``(3, 2)``; ``cam`` maps previous-frame pixels to current-frame pixels under the
    camera's motion. NaN when it cannot be measured."""
    import cv2

    out = np.full(2, np.nan)
    if not np.isfinite(foot_xy).all() or not np.isfinite(height_px) or height_px <= 0:
        return out
    pad = SHOE_BOX_PAD_HEIGHT * height_px
    h, w = prev_full.shape
    x0, x1 = int(max(0, foot_xy[:, 0].min() - pad)), int(min(w, foot_xy[:, 0].max() + pad + 1))
    y0, y1 = int(max(0, foot_xy[:, 1].min())), int(min(h, foot_xy[:, 1].max() + pad + 1))
    if x1 - x0 < 6 or y1 - y0 < 6:
        return out
    # work on a crop (plus a margin for the search window) so that only the shoe's pixels are read
    m = 24
    cx0, cy0, cx1, cy1 = max(0, x0 - m), max(0, y0 - m), min(w, x1 + m), min(h, y1 + m)
    a, b = prev_full[cy0:cy1, cx0:cx1], cur_full[cy0:cy1, cx0:cx1]
    mask = np.zeros_like(a)
    mask[y0 - cy0 : y1 - cy0, x0 - cx0 : x1 - cx0] = 255
    p0 = cv2.goodFeaturesToTrack(a, SHOE_CORNERS, 0.01, 3, mask=mask)
    if p0 is None or len(p0) < MIN_SHOE_POINTS:
        return out
    p1, st, _ = cv2.calcOpticalFlowPyrLK(a, b, p0, None, winSize=(15, 15), maxLevel=2)
    ok = st[:, 0] == 1
    if ok.sum() < MIN_SHOE_POINTS:
        return out
    q0 = p0[ok, 0] + np.array([cx0, cy0])
    q1 = p1[ok, 0] + np.array([cx0, cy0])
    pred = q0 @ cam[:, :2].T + cam[:, 2]
    return np.median(q1 - pred, axis=0)


def estimate_camera_motion(
    info: VideoInfo,
    boxes_px: np.ndarray | None = None,
    feet_px: dict[str, np.ndarray] | None = None,
    height_px: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Per-frame camera motion of a probed video (and, optionally, each shoe's own motion).

    Parameters
    ----------
    info
        The probed video.
    boxes_px
        ``(n_frames, 4)`` the walker's box (x0, y0, x1, y1 px) per frame, NaN where unknown:
        excluded from the background.
    feet_px
        Optional ``{"left": (n_frames, 3, 2), "right": ...}``: heel, toe and ankle keypoints (px) per
        frame; with ``height_px`` ``(n_frames,)`` (apparent standing height, px) the shoes' own
        motion is measured too.

    Returns
    -------
    (A, stats)
        ``A`` ``(n_frames, 2, 3)``: pixels of frame ``i`` -> pixels of frame 0 (full resolution);
        ``stats``: ``failed_pairs``, ``median_points``, ``max_corner_shift_px`` (largest move of an image
        corner over the clip), ``still`` (bool: below :data:`STILL_MAX_PX`) and, with ``feet_px``,
        ``shoe_motion_px`` = ``{"left": (n_frames, 2), "right": ...}``: the shoe's own motion from frame
        ``i - 1`` to frame ``i`` (dx, dy px, the camera's motion taken out; NaN where not measured, and at
        frame 0).
    """
    import cv2

    n = info.n_frames
    shoes = {s: np.full((n, 2), np.nan) for s in (feet_px or {})}
    prev_full = None
    edges: list[tuple[float, float, float]] = []
    roll_step = max(1, int(round(ROLL_EVERY_S * n / max(info.duration_s, 1e-9))))
    acc = np.tile(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), (n, 1, 1))
    scale = min(1.0, WORK_WIDTH_PX / float(info.width_px))
    prev = None
    failed, pts = 0, []
    last = -1
    for fr in iter_frames(info):
        i = fr.index
        g = cv2.cvtColor(fr.rgb, cv2.COLOR_RGB2GRAY)
        if scale < 1.0:
            g = cv2.resize(g, (int(round(g.shape[1] * scale)), int(round(g.shape[0] * scale))),
                           interpolation=cv2.INTER_AREA)
        full = cv2.cvtColor(fr.rgb, cv2.COLOR_RGB2GRAY) if feet_px else None
        if prev is not None and i == last + 1:
            box = None
            if boxes_px is not None:
                b0, b1 = boxes_px[i - 1], boxes_px[i]
                box = np.array([np.fmin(b0[0], b1[0]), np.fmin(b0[1], b1[1]), np.fmax(b0[2], b1[2]),
                                np.fmax(b0[3], b1[3])])
            m, k = _pair(prev, g, _mask(prev.shape, box, scale))
            pts.append(k)
            if m is None:
                failed += 1
                step = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
            else:
                step = m.copy()
                step[:, 2] /= scale  # working px -> full px (the linear part is scale-free)
            acc[i] = _compose(acc[i - 1], step)
            if feet_px and prev_full is not None and height_px is not None:
                cam = _inverse(step)  # previous-frame pixels -> current-frame pixels
                for side, xy in feet_px.items():
                    shoes[side][i] = _shoe_motion(prev_full, full, xy[i - 1], float(height_px[i - 1]), cam)
        elif i > 0:
            acc[i] = acc[i - 1]
        if i % roll_step == 0:
            box_i = boxes_px[i] if boxes_px is not None else None
            edges.extend(_vertical_edges(cv2.cvtColor(fr.rgb, cv2.COLOR_RGB2GRAY) if full is None else full,
                                         box_i, acc[i]))
        prev, last, prev_full = g, i, full
    corners = np.array([[0, 0], [info.width_px, 0], [0, info.height_px], [info.width_px, info.height_px]], float)
    moved = apply_camera_motion(np.repeat(corners[None], n, axis=0), acc)
    shift = float(np.max(np.hypot(*(moved - corners[None]).transpose(2, 0, 1)))) if n else 0.0
    stats = {
        "failed_pairs": int(failed),
        "median_points": int(np.median(pts)) if pts else 0,
        "max_corner_shift_px": round(shift, 1),
        "still": bool(shift < STILL_MAX_PX),
    }
    roll, n_edges = fit_roll_deg(edges, 0.5 * info.width_px)
    stats["roll_deg"] = None if roll is None else round(roll, 2)
    stats["roll_edges"] = n_edges
    if feet_px:
        stats["shoe_motion_px"] = shoes
    return acc, stats


def apply_camera_motion(xy_px: np.ndarray, motion: np.ndarray) -> np.ndarray:
    """Map per-frame image points ``(n_frames, k, 2)`` into the reference frame with ``motion``
    ``(n_frames, 2, 3)`` (from :func:`estimate_camera_motion`); NaN stays NaN."""
    xy = np.asarray(xy_px, dtype=float)
    m = np.asarray(motion, dtype=float)
    lin = np.einsum("nij,nkj->nki", m[:, :, :2], xy)
    return lin + m[:, None, :, 2]
