"""Annotated posture images: plumb line, level lines and the measured angles (OpenCV drawing).

OpenCV is imported inside the functions, so importing :mod:`gaitscope.posture` stays light.
Colours (RGB): plumb line cyan, level lines yellow, true horizontal references grey, the person's
left orange and right blue as in :mod:`gaitscope.pose.overlay`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np

from gaitscope.posture.keypoints import StillKeypoints
from gaitscope.posture.measures import PostureMeasure, sagittal_points

_CYAN = (0, 220, 255)
_YELLOW = (255, 220, 0)
_GREY = (170, 170, 170)
_LEFT = (255, 140, 0)
_RIGHT = (40, 120, 255)
_WHITE = (255, 255, 255)
_RED = (255, 60, 60)


def _pt(p: np.ndarray) -> tuple[int, int]:
    return int(round(float(p[0]))), int(round(float(p[1])))


def _text(img: np.ndarray, text: str, org: tuple[int, int], scale: float, color=_WHITE) -> None:
    import cv2

    th = max(1, int(round(scale * 2)))
    (tw, tht), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, th + 2)
    x = min(max(org[0], 2), max(2, img.shape[1] - tw - 2))
    y = min(max(org[1], tht + 2), img.shape[0] - 4)
    x0, y0, x1, y1 = x - 2, y - tht - 3, min(img.shape[1] - 1, x + tw + 2), min(img.shape[0] - 1, y + 5)
    img[y0:y1, x0:x1] = (img[y0:y1, x0:x1] * 0.35).astype(img.dtype)  # darkened box behind the text
    cv2.putText(img, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, color, th, cv2.LINE_AA)


def _dashed_vertical(img: np.ndarray, x: float, color, thick: int) -> None:
    import cv2

    h = img.shape[0]
    step = max(8, h // 60)
    for y in range(0, h, 2 * step):
        cv2.line(img, (int(x), y), (int(x), min(h - 1, y + step)), color, thick, cv2.LINE_AA)


def _fmt(m: PostureMeasure | None, label: str) -> str | None:
    if m is None:
        return None
    s = f"{label} {m.value_deg:+.1f} deg"
    if m.value_cm is not None:
        s += f" ({m.value_cm:+.1f} cm)"
    return s


def annotate_frontal(rgb: np.ndarray, kp: StillKeypoints, measures: Mapping[str, PostureMeasure]) -> np.ndarray:
    """Front or back view: plumb line through the ankle midpoint, level lines with their angles."""
    import cv2

    img = np.ascontiguousarray(rgb.copy())
    h, w = img.shape[:2]
    scale = max(0.4, h / 1400.0)
    thick = max(1, int(round(h / 500)))
    ankle_mid = kp.mean_of("left_ankle", "right_ankle")
    if ankle_mid is not None:
        _dashed_vertical(img, ankle_mid[0], _CYAN, thick)
        _text(img, "plumb line (ankle midpoint)", (int(ankle_mid[0]) + 6, int(h * 0.03) + 10), scale * 0.8, _CYAN)
    rows = (
        ("ear", "head_tilt", "ears"),
        ("shoulder", "shoulder_height_difference", "shoulders"),
        ("hip", "pelvic_obliquity", "hips"),
        ("knee", "knee_height_difference", "knees"),
        ("ankle", None, "ankles"),
    )
    for joint, mname, label in rows:
        ln, rn = f"left_{joint}", f"right_{joint}"
        if not kp.has(ln, rn):
            continue
        lp, rp = kp.p(ln), kp.p(rn)
        d = rp - lp
        ext = 0.35
        a, b = lp - ext * d, rp + ext * d
        cv2.line(img, _pt(a), _pt(b), _YELLOW, thick, cv2.LINE_AA)
        left_x = min(a[0], b[0])
        hy = lp[1] if lp[0] < rp[0] else rp[1]
        cv2.line(img, (int(left_x), int(hy)), (int(max(a[0], b[0])), int(hy)), _GREY, max(1, thick // 2), cv2.LINE_AA)
        cv2.circle(img, _pt(lp), thick * 3, _LEFT, -1, cv2.LINE_AA)
        cv2.circle(img, _pt(rp), thick * 3, _RIGHT, -1, cv2.LINE_AA)
        m = measures.get(mname) if mname else None
        txt = _fmt(m, label) if m else label
        if m is not None and m.side:
            txt += f" {m.side[0].upper()} low"
        _text(img, txt, (int(max(a[0], b[0])) + 8, int((a[1] + b[1]) / 2) + 5), scale)
    for s, col in (("left", _LEFT), ("right", _RIGHT)):
        names = (f"{s}_hip", f"{s}_knee", f"{s}_ankle")
        if kp.has(*names):
            pts = np.array([kp.p(n) for n in names]).round().astype(np.int32)
            cv2.polylines(img, [pts], False, col, thick, cv2.LINE_AA)
            m = measures.get(f"knee_frontal_alignment:{s}")
            if m is not None:
                word = "valgus" if m.value_deg > 0 else "varus"
                k = kp.p(f"{s}_knee")
                line_h = int(32 * scale)
                org = (int(k[0]) - int(0.1 * h), int(k[1]) + (2 if s == "left" else 3) * line_h)
                _text(img, f"{s[0].upper()} knee {abs(m.value_deg):.1f} deg {word}", org, scale * 0.85, col)
    for name, label in (("trunk_shift", "trunk shift"), ("weight_shift", "weight shift")):
        m = measures.get(name)
        if m is not None:
            side = "to R" if m.value_deg > 0 else "to L"
            txt = _fmt(m, label)
            _text(img, f"{txt} {side}", (10, int(h - (75 if name == "trunk_shift" else 25) * scale)), scale)
    _text(img, f"{kp.view} view  L=orange R=blue (person's own)", (10, int(30 * scale)), scale)
    return img


def annotate_sagittal(rgb: np.ndarray, kp: StillKeypoints, measures: Mapping[str, PostureMeasure],
                      c7_xy: np.ndarray | None = None) -> np.ndarray:
    """Side view: plumb line through the ankle, landmarks, level lines and the CVA construction."""
    import cv2

    img = np.ascontiguousarray(rgb.copy())
    h, w = img.shape[:2]
    scale = max(0.4, h / 1400.0)
    thick = max(1, int(round(h / 500)))
    seen, _ = sagittal_points(kp)
    pts = {j: seen.get(j) for j in ("ear", "shoulder", "hip", "knee", "ankle")}
    ankle = pts["ankle"]
    if ankle is not None:
        _dashed_vertical(img, ankle[0], _CYAN, thick)
        _text(img, "plumb line (ankle)", (int(ankle[0]) + 6, int(h * 0.03) + 10), scale * 0.8, _CYAN)
    labels = {
        "ear": _fmt(measures.get("head_forward"), "ear ahead of shoulder"),
        "shoulder": _fmt(measures.get("shoulder_ahead_of_plumb"), "shoulder vs plumb"),
        "hip": _fmt(measures.get("hip_ahead_of_plumb"), "hip vs plumb"),
        "knee": _fmt(measures.get("knee_sagittal"), "knee flex(+)/hyperext(-)"),
        "ankle": None,
    }
    span = 0.08 * h
    for j, p in pts.items():
        if p is None:
            continue
        cv2.line(img, (int(p[0] - span), int(p[1])), (int(p[0] + span), int(p[1])), _YELLOW, thick, cv2.LINE_AA)
        cv2.circle(img, _pt(p), thick * 3, _YELLOW, -1, cv2.LINE_AA)
        if ankle is not None and j != "ankle":
            cv2.line(img, (int(ankle[0]), int(p[1])), _pt(p), _RED, max(1, thick // 2), cv2.LINE_AA)
        if labels.get(j):
            _text(img, labels[j], (int(p[0] + span) + 6, int(p[1]) + 5), scale)
    if all(pts[j] is not None for j in ("hip", "knee", "ankle")):
        poly = np.array([pts["hip"], pts["knee"], pts["ankle"]]).round().astype(np.int32)
        cv2.polylines(img, [poly], False, _WHITE, thick, cv2.LINE_AA)
    if pts["shoulder"] is not None and pts["hip"] is not None:
        cv2.line(img, _pt(pts["hip"]), _pt(pts["shoulder"]), _WHITE, thick, cv2.LINE_AA)
    cva = measures.get("cva")
    if cva is not None and c7_xy is not None and pts["ear"] is not None:
        cv2.line(img, _pt(c7_xy), _pt(pts["ear"]), _LEFT, thick, cv2.LINE_AA)
        cv2.line(img, _pt(c7_xy), (int(c7_xy[0] + (pts["ear"][0] - c7_xy[0]) * 1.3), int(c7_xy[1])), _GREY, thick,
                 cv2.LINE_AA)
        cv2.circle(img, _pt(c7_xy), thick * 3, _LEFT, -1, cv2.LINE_AA)
        word = "CVA" if "C7 keypoint present" in cva.note else "CVA proxy"
        _text(img, f"{word} {cva.value_deg:.1f} +- {cva.error_deg:.1f} deg", (int(pts["ear"][0]) - int(0.1 * h),
                                                                             int(pts["ear"][1]) - int(0.05 * h)),
              scale, _LEFT)
    m = measures.get("trunk_lean")
    if m is not None:
        _text(img, _fmt(m, "trunk lean (fwd +)"), (10, int(h - 25 * scale)), scale)
    _text(img, "side view", (10, int(30 * scale)), scale)
    return img


def write_image(path: Path, rgb: np.ndarray) -> None:
    """Write an RGB image (JPEG or PNG by suffix)."""
    from PIL import Image

    from gaitscope.outputs import atomic_path

    with atomic_path(path) as tmp:  # never half-written, never through a symlink
        Image.fromarray(rgb).save(tmp, quality=92) if path.suffix.lower() in (".jpg", ".jpeg") else Image.fromarray(
            rgb).save(tmp)
