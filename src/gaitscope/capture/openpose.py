"""OpenPose BODY_25 JSON folder -> image-frame PoseSequence of the walker.

OpenPose writes one ``<name>_<frame number>_keypoints.json`` per video frame:
``{"people": [{"pose_keypoints_2d": [x0, y0, c0, x1, y1, c1, ...]}, ...]}`` with pixel
coordinates (origin top-left, +y down) and a confidence per keypoint; ``0, 0, 0`` means not
detected. BODY_25 order: 0 nose, 1 neck, 2 right shoulder, 3 right elbow, 4 right wrist,
5 left shoulder, 6 left elbow, 7 left wrist, 8 mid hip, 9 right hip, 10 right knee,
11 right ankle, 12 left hip, 13 left knee, 14 left ankle, 15 right eye, 16 left eye,
17 right ear, 18 left ear, 19 left big toe, 20 left small toe, 21 left heel, 22 right big
toe, 23 right small toe, 24 right heel. The big toe is gaitscope's ``*_toe``.

Person choice: detections are linked frame to frame by the nearest centroid (gated by a
fraction of the body size); the track that travels furthest horizontally (range of its
centroid x) is the walker.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from gaitscope.types import GaitscopeError, PoseSequence

#: BODY_25 index -> gaitscope keypoint name (neck, mid hip and small toes have no counterpart).
BODY25_TO_GAITSCOPE: dict[int, str] = {
    0: "nose",
    2: "right_shoulder",
    3: "right_elbow",
    4: "right_wrist",
    5: "left_shoulder",
    6: "left_elbow",
    7: "left_wrist",
    9: "right_hip",
    10: "right_knee",
    11: "right_ankle",
    12: "left_hip",
    13: "left_knee",
    14: "left_ankle",
    15: "right_eye",
    16: "left_eye",
    17: "right_ear",
    18: "left_ear",
    19: "left_toe",
    21: "left_heel",
    22: "right_toe",
    24: "right_heel",
}
_N_BODY25 = 25
#: A detection joins a track when its centroid is within this many body heights of the
#: track's last centroid (per frame of gap).
_GATE_BODY_HEIGHTS = 0.5


def _frame_number(path: Path, fallback: int) -> int:
    m = re.search(r"(\d+)_keypoints\.json$", path.name)
    return int(m.group(1)) if m else fallback


def read_openpose_folder(
    folder: str | Path,
    *,
    rate_hz: float | None = None,
    image_size_px: tuple[int, int] | None = None,
) -> PoseSequence:
    """Read an OpenPose BODY_25 JSON folder.

    Parameters
    ----------
    folder
        Directory with ``*_keypoints.json`` files, one per video frame.
    rate_hz
        Frame rate of the video the keypoints come from (required: the JSON does not store
        time). ``t_s = frame_number / rate_hz`` where the frame number is read from the file
        name (else the file's position in name order).
    image_size_px
        ``(width, height)`` of the video; if None, the largest keypoint extent (rounded up),
        which underestimates the true size -- say so in ``meta``.

    Returns
    -------
    PoseSequence, ``frame="image"`` (px, origin top-left, +y down; z NaN), score = OpenPose
    confidence (0 where not detected), ``frame_index`` the frame numbers.
    """
    from gaitscope.capture.validate import MAX_SMALL_FILE_BYTES, check_coordinates, check_rate_hz, parse_json, read_text

    d = Path(folder)
    if rate_hz is None:
        raise GaitscopeError(f"{d}: OpenPose JSON does not store time; give the video's frame rate (--fps 30 on the command line, rate_hz=30 in Python)")
    rate_hz = check_rate_hz(rate_hz, source=d, name="the frame rate (--fps)")
    files = sorted(d.glob("*_keypoints.json"))
    if not files:
        raise GaitscopeError(f"{d}: no OpenPose '*_keypoints.json' files in this folder; point to OpenPose's --write_json folder")
    frames: list[int] = []
    extent = np.zeros(2)
    people_per_frame: list[list[np.ndarray]] = []
    for k, f in enumerate(files):
        fix = "re-run OpenPose or delete the file"
        data = parse_json(read_text(f, what="OpenPose JSON file", max_bytes=MAX_SMALL_FILE_BYTES, fix=fix),
                          source=f, what="OpenPose JSON file", fix=fix)
        if not isinstance(data, dict):
            raise GaitscopeError(f"{f}: an OpenPose JSON file must hold an object with a 'people' list; {fix}")
        listed = data.get("people")
        if listed is None:
            listed = []  # OpenPose writes [] for nobody; null says the same
        if not isinstance(listed, list):
            raise GaitscopeError(f"{f}: 'people' must be a list of people, not {type(listed).__name__}; {fix}")
        people = []
        for person in listed:
            if not isinstance(person, dict):
                raise GaitscopeError(f"{f}: a person in 'people' is a {type(person).__name__}, not an object; {fix}")
            kp = person.get("pose_keypoints_2d") or []
            if not isinstance(kp, list) or len(kp) != 3 * _N_BODY25:
                n_kp = len(kp) // 3 if isinstance(kp, list) else 0
                raise GaitscopeError(
                    f"{f}: a person has {n_kp} keypoints, not the 25 of BODY_25; run OpenPose with --model_pose BODY_25"
                )
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in kp):
                bad = next(v for v in kp if not isinstance(v, (int, float)) or isinstance(v, bool))
                raise GaitscopeError(f"{f}: a keypoint value is {str(bad)[:20]!r}, not a number; {fix}")
            a = np.asarray(kp, dtype=float).reshape(_N_BODY25, 3)
            check_coordinates(a[:, :2], source=f, frame="image", what="keypoint coordinates")
            if not np.all(np.isfinite(a[:, 2])):
                raise GaitscopeError(f"{f}: a keypoint confidence is not a finite number; {fix}")
            a[a[:, 2] <= 0] = np.nan
            if np.isfinite(a[:, 0]).any():
                extent = np.maximum(extent, np.nanmax(a[:, :2], axis=0))
            people.append(a)
        frames.append(_frame_number(f, k))
        people_per_frame.append(people)
    order = np.argsort(frames, kind="stable")
    frames_arr = np.asarray(frames)[order]
    if np.any(np.diff(frames_arr) <= 0):
        raise GaitscopeError(f"{d}: two JSON files carry the same frame number; keep one OpenPose run per folder")
    people_per_frame = [people_per_frame[i] for i in order]
    track = _pick_walker(people_per_frame)
    if track is None:
        raise GaitscopeError(f"{d}: OpenPose found nobody in any frame; check the video or the OpenPose run")
    n = len(frames_arr)
    idx = sorted(BODY25_TO_GAITSCOPE)
    names = tuple(BODY25_TO_GAITSCOPE[i] for i in idx)
    xyz = np.full((n, len(idx), 3), np.nan)
    score = np.zeros((n, len(idx)))
    for t, a in enumerate(track):
        if a is None:
            continue
        xyz[t, :, :2] = a[idx, :2]
        score[t] = np.nan_to_num(a[idx, 2])
    meta = {"backend": "openpose", "model": "BODY_25", "rate_hz": float(rate_hz)}
    if image_size_px is None:
        image_size_px = (int(np.ceil(extent[0])) + 1, int(np.ceil(extent[1])) + 1)
        meta["image_size_note"] = "image size not given: largest keypoint extent of all people used (may be smaller than the video)"
    return PoseSequence(
        xyz=xyz,
        score=score,
        names=names,
        t_s=frames_arr / float(rate_hz),
        frame="image",
        frame_index=frames_arr,
        image_size_px=image_size_px,
        source=str(d),
        meta=meta,
    )


def _centroid_and_size(a: np.ndarray) -> tuple[np.ndarray, float]:
    ok = np.isfinite(a[:, 0])
    c = np.nanmean(a[ok, :2], axis=0)
    size = float(np.nanmax(a[ok, 1]) - np.nanmin(a[ok, 1])) if ok.sum() > 1 else 0.0
    return c, max(size, 1.0)


def _pick_walker(people_per_frame: list[list[np.ndarray]]) -> list[np.ndarray | None] | None:
    """Link detections into tracks by nearest centroid; return the track with most horizontal travel."""
    tracks: list[dict] = []  # {"items": {t: array}, "last_c", "last_t", "size"}
    for t, people in enumerate(people_per_frame):
        dets = [(a, *_centroid_and_size(a)) for a in people if np.isfinite(a[:, 0]).sum() >= 2]
        used: set[int] = set()
        pairs = []
        for ti, tr in enumerate(tracks):
            for di, (_, c, size) in enumerate(dets):
                gap = t - tr["last_t"]
                dist = float(np.linalg.norm(c - tr["last_c"]))
                if dist <= _GATE_BODY_HEIGHTS * max(size, tr["size"]) * gap:
                    pairs.append((dist, ti, di))
        taken_tracks: set[int] = set()
        for dist, ti, di in sorted(pairs):
            if ti in taken_tracks or di in used:
                continue
            a, c, size = dets[di]
            tr = tracks[ti]
            tr["items"][t] = a
            tr["last_c"], tr["last_t"], tr["size"] = c, t, size
            taken_tracks.add(ti)
            used.add(di)
        for di, (a, c, size) in enumerate(dets):
            if di not in used:
                tracks.append({"items": {t: a}, "last_c": c, "last_t": t, "size": size, "xs": []})
    if not tracks:
        return None

    def travel(tr: dict) -> float:
        xs = [_centroid_and_size(a)[0][0] for a in tr["items"].values()]
        return float(max(xs) - min(xs))

    best = max(tracks, key=lambda tr: (travel(tr), len(tr["items"])))
    return [best["items"].get(t) for t in range(len(people_per_frame))]
