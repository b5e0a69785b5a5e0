"""The posture screen end to end: photos or a still-standing second of video -> measures, findings,
``posture.json`` and annotated images.

Entry points:

* :func:`assess_posture` -- files in, outputs written (the ``gaitscope posture`` command).
* :func:`assess_keypoints` -- keypoints in (phantom, mocap, tests), no model and no images.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from gaitscope.knowledge.posture import PostureKnowledge, load_posture_knowledge
from gaitscope.posture.findings import FINDING_CODES, posture_findings
from gaitscope.posture.inputs import is_video, load_image, steadiest_second
from gaitscope.posture.keypoints import StillKeypoints, View, facing_sign, stature_px, still_from_arrays
from gaitscope.posture.measures import PostureMeasure, measure_frontal, measure_sagittal
from gaitscope.posture.posture_type import classify_posture_type
from gaitscope.posture.quality import check_view, second_person_note
from gaitscope.types import Finding, GaitscopeError, PoseSequence

POSTURE_VERSION = "1"
SCREENING_NOTE = (
    "Screening, not diagnosis: values come from body landmarks found by a pose model on ordinary photos, "
    "each with a stated measurement error; findings are associations for a clinician to check."
)

Estimator = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, tuple[str, ...]]]


@dataclass
class ViewResult:
    """What was measured in one view.

    ``keypoints``: one :class:`StillKeypoints` per frame used (one for a photo); ``measures``: name ->
    measure, aggregated over the frames (median value; error = the larger of the stated error and the
    frame-to-frame SD); ``quality``: notes; ``frames``: video frame indices used (None for a photo);
    ``rgb``: the image drawn on (photo, or the window's middle frame), None for keypoint input.
    """

    view: str
    source: str
    kind: str
    keypoints: list[StillKeypoints]
    measures: dict[str, PostureMeasure]
    quality: list[str] = field(default_factory=list)
    frames: tuple[int, ...] | None = None
    t_s: tuple[float, ...] | None = None
    rgb: np.ndarray | None = None
    annotated: str | None = None


@dataclass
class PostureResult:
    """All views, the findings for the kinetic chain and the posture type."""

    views: dict[str, ViewResult]
    findings: list[Finding]
    posture_type: dict
    height_m: float | None
    knowledge_version: str

    @property
    def measures(self) -> dict[str, PostureMeasure]:
        """``"<view>/<name>"`` -> measure, over all views."""
        return {f"{v}/{k}": m for v, vr in self.views.items() for k, m in vr.measures.items()}

    def to_json(self) -> dict:
        from gaitscope import __version__ as gs_version

        return {
            "gaitscope_version": gs_version,
            "posture_version": POSTURE_VERSION,
            "knowledge_version": self.knowledge_version,
            "screening_note": SCREENING_NOTE,
            "height_m": self.height_m,
            "views": {
                v: {
                    "source": vr.source,
                    "kind": vr.kind,
                    "frames": None if vr.frames is None else list(vr.frames),
                    "t_s": None if vr.t_s is None else [round(t, 3) for t in vr.t_s],
                    "image_size_px": list(vr.keypoints[0].image_size_px) if vr.keypoints else None,
                    "sides_relabelled": list(vr.keypoints[0].sides_swapped) if vr.keypoints else [],
                    "quality": vr.quality,
                    "annotated_image": vr.annotated,
                }
                for v, vr in self.views.items()
            },
            "measures": [m.to_dict() for vr in self.views.values() for m in vr.measures.values()],
            "findings": [_finding_json(f) for f in self.findings],
            "finding_codes": FINDING_CODES,
            "posture_type": self.posture_type,
            "assumptions": [
                "the camera was level (not rolled) and at about hip height, square to the view",
                "the person's height scales centimetres (--height-m); without it only degrees are given",
                "hip landmarks are hip joint centres, a proxy of the iliac crests",
            ],
        }


def _finding_json(f: Finding) -> dict:
    return {
        "code": f.code,
        "status": f.status,
        "side": f.side,
        "severity": f.severity,
        "reason": f.reason,
        "evidence": [e.__dict__ for e in f.evidence],
    }


# ----------------------------------------------------------------------------- measures
def _measure_one(kp: StillKeypoints, knowledge: PostureKnowledge, height_m: float | None,
                 keypoint_sigma_px: float | None, sides: str | None = None) -> dict[str, PostureMeasure]:
    if kp.view == "side":
        return measure_sagittal(kp, knowledge, height_m=height_m, keypoint_sigma_px=keypoint_sigma_px, sides=sides)
    return measure_frontal(kp, knowledge, height_m=height_m, keypoint_sigma_px=keypoint_sigma_px)


def measure_view(
    kps: Sequence[StillKeypoints], knowledge: PostureKnowledge, *, height_m: float | None = None,
    keypoint_sigma_px: float | None = None,
) -> dict[str, PostureMeasure]:
    """Measures of one view over one or more frames.

    Returns
    -------
    dict
        Measure key -> :class:`PostureMeasure` with the median value over the frames; its error is the
        larger of the median stated error and the frame-to-frame SD (a photo has one frame).
    """
    sides = _common_sides(kps)
    per = [_measure_one(kp, knowledge, height_m, keypoint_sigma_px, sides) for kp in kps]
    keys = sorted({k for d in per for k in d})
    out: dict[str, PostureMeasure] = {}
    for k in keys:
        ms = [d[k] for d in per if k in d]
        if len(ms) < max(1, len(per) // 2):
            continue
        vals = np.array([m.value_deg for m in ms])
        err = max(float(np.median([m.error_deg for m in ms])), float(np.std(vals)) if len(ms) > 1 else 0.0)
        cm = ecm = None
        if ms[0].value_cm is not None:
            cms = np.array([m.value_cm for m in ms])
            cm = float(np.median(cms))
            ecm = max(float(np.median([m.error_cm for m in ms])), float(np.std(cms)) if len(ms) > 1 else 0.0)
        side = ms[0].side
        if ms[0].note.startswith("side = the lower"):
            v = float(np.median(vals))
            side = None if v == 0 else ("right" if v > 0 else "left")
        out[k] = PostureMeasure(ms[0].name, ms[0].view, float(np.median(vals)), err, cm, ecm, side, ms[0].note)
    return out


def _common_sides(kps: Sequence[StillKeypoints]) -> str | None:
    """Side views over several frames: one choice of sides for all (see ``sagittal_points``)."""
    from gaitscope.posture.measures import SAGITTAL_JOINTS, sagittal_near_side

    if len(kps) < 2 or kps[0].view != "side":
        return None
    both = [all(kp.has(f"left_{j}", f"right_{j}") for j in SAGITTAL_JOINTS) for kp in kps]
    if sum(both) >= 0.5 * len(kps):  # the median is then taken over mid-sagittal positions
        return "mean"
    votes = [sagittal_near_side(kp) for kp in kps]
    return max(("left", "right"), key=votes.count)


def assess_keypoints(
    views: Mapping[str, Sequence[StillKeypoints]],
    *,
    height_m: float | None = None,
    knowledge: PostureKnowledge | None = None,
    check: bool = True,
    keypoint_sigma_px: float | None = None,
) -> PostureResult:
    """Posture from keypoints of one or more views (no pose model, no images).

    Parameters
    ----------
    views
        ``"front"``/``"back"``/``"side"`` -> keypoints of one or more frames of that view.
    height_m
        The person's height (m), for centimetres.
    knowledge
        Posture knowledge (default: the package's own file).
    check
        Run the input-quality checks (raise on unusable views, collect notes).
    keypoint_sigma_px
        Known landmark noise in px (virtual camera); default: the pose model's assumed error.
    """
    knowledge = knowledge or load_posture_knowledge()
    results: dict[str, ViewResult] = {}
    for view, kps in views.items():
        kps = list(kps)
        if not kps:
            continue
        notes: list[str] = []
        if check:
            for note in check_view(kps[len(kps) // 2], knowledge):
                notes.append(note)
        results[view] = ViewResult(view=view, source=kps[0].source, kind="keypoints", keypoints=kps,
                                   measures=measure_view(kps, knowledge, height_m=height_m,
                                                                 keypoint_sigma_px=keypoint_sigma_px), quality=notes)
    return _conclude(results, knowledge, height_m)


def _conclude(results: dict[str, ViewResult], knowledge: PostureKnowledge, height_m: float | None) -> PostureResult:
    if not results:
        raise GaitscopeError("no posture view was given; give at least one of --front, --side or --back.")
    measures = {f"{v}/{k}": m for v, vr in results.items() for k, m in vr.measures.items()}
    findings = posture_findings(measures, knowledge, views=results.keys())
    side_measures = results["side"].measures if "side" in results else {}
    ptype, sway = classify_posture_type(side_measures, knowledge)
    findings.append(sway)
    findings = _apply_quality(findings, results)
    if any(f.code == "posture_sway_back" and f.status == "not_assessable" for f in findings) and "side" in results:
        ptype = {**ptype, "type": "not assessable", "reason": "the side view has a quality problem (see quality)"}
    return PostureResult(views=results, findings=findings, posture_type=ptype, height_m=height_m,
                         knowledge_version=knowledge.version)


def _apply_quality(findings: list[Finding], results: Mapping[str, ViewResult]) -> list[Finding]:
    """Findings made unreliable by a quality note of the view they came from become not_assessable."""
    frontal = "front" if "front" in results else "back"
    out = []
    for f in findings:
        view = "side" if f.code in _SIDE_CODES else frontal
        vr = results.get(view)
        note = next((q for q in (vr.quality if vr else []) if f.code in getattr(q, "affects", ())), None)
        if note is not None and f.status != "not_assessable":
            out.append(Finding(f.code, "not_assessable", evidence=f.evidence, reason=str(note)))
        else:
            out.append(f)
    return out


_SIDE_CODES = ("posture_forward_head", "posture_shoulders_forward", "posture_pelvis_forward", "posture_pelvis_backward",
               "posture_knee_hyperextension", "posture_knee_flexion", "posture_sway_back")


def still_from_pose(pose: PoseSequence, view: View, *, min_score: float, frames: Sequence[int] | None = None
                    ) -> list[StillKeypoints]:
    """Image-frame :class:`PoseSequence` (virtual camera, video) -> one :class:`StillKeypoints` per frame."""
    if pose.frame != "image":
        raise ValueError("still_from_pose needs an image-frame PoseSequence (project world poses first)")
    idx = range(pose.n_frames) if frames is None else frames
    return [
        still_from_arrays(pose.xyz[i], pose.score[i], pose.names, view=view, image_size_px=pose.image_size_px,
                          min_score=min_score, source=pose.source)
        for i in idx
    ]


# ----------------------------------------------------------------------------- photos and video
def _person_box(xyz: np.ndarray, score: np.ndarray, shape: tuple[int, int], pad: float = 0.15) -> tuple[int, int, int, int]:
    ok = np.isfinite(xyz[:, 0]) & (score > 0.1)
    x0, y0 = np.nanmin(xyz[ok, 0]), np.nanmin(xyz[ok, 1])
    x1, y1 = np.nanmax(xyz[ok, 0]), np.nanmax(xyz[ok, 1])
    pw, ph = (x1 - x0) * pad + 0.05 * (y1 - y0), (y1 - y0) * pad
    h, w = shape
    return (int(max(0, x0 - pw)), int(max(0, y0 - ph * 1.5)), int(min(w, x1 + pw)), int(min(h, y1 + ph)))


def _refuse_second_person(rgb: np.ndarray, xyz: np.ndarray, score: np.ndarray, kp: StillKeypoints,
                          knowledge: PostureKnowledge, estimator: Estimator) -> None:
    """Paint over the person found and look again: raise when another whole person is there."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = _person_box(xyz, score, (h, w))
    masked = rgb.copy()
    masked[y0:y1, x0:x1] = np.median(rgb.reshape(-1, 3), axis=0).astype(np.uint8)
    xyz2, score2, _ = estimator(masked)
    centre2 = np.nanmedian(xyz2[:, :2], axis=0) if np.isfinite(xyz2[:, 0]).any() else None
    outside = centre2 is not None and not (x0 <= centre2[0] <= x1 and y0 <= centre2[1] <= y1)
    if outside:
        note = second_person_note(kp, xyz2, score2, knowledge)
        if note:
            raise GaitscopeError(note)


def measure_image(path: str | Path, view: View, *, knowledge: PostureKnowledge, height_m: float | None = None,
                  estimator: Estimator | None = None, flag: str | None = None) -> ViewResult:
    """One photo: read (EXIF orientation applied), find the person, check, measure."""
    if estimator is None:
        from gaitscope.pose import estimate_image as estimator
    path = Path(path)
    rgb = load_image(path)
    h, w = rgb.shape[:2]
    xyz, score, names = estimator(rgb)
    kp = still_from_arrays(xyz, score, names, view=view, image_size_px=(w, h),
                           min_score=knowledge.value("quality", "min_keypoint_score"), source=str(path))
    notes = check_view(kp, knowledge, flag=flag)
    _refuse_second_person(rgb, xyz, score, kp, knowledge, estimator)
    measures = measure_view([kp], knowledge, height_m=height_m)
    return ViewResult(view=view, source=str(path), kind="image", keypoints=[kp], measures=measures, quality=notes,
                      rgb=rgb)


def measure_video(path: str | Path, view: View, *, knowledge: PostureKnowledge, height_m: float | None = None,
                  backend: str = "mediapipe", sample_rate_hz: float = 15.0, flag: str | None = None) -> ViewResult:
    """A video: the steadiest standing second (lowest keypoint motion, upright, feet still), measured."""
    from gaitscope.capture.video import iter_frames, probe_video
    from gaitscope.pose import get_backend

    try:
        info = probe_video(path)
    except GaitscopeError as err:
        if "too short" not in str(err):
            raise
        # the probe's own wording is about strides; for a posture clip say what is needed here
        raise GaitscopeError(f"{path}: the video is shorter than 1.4 s; film at least 3 s of still standing, "
                             "the whole body in view.") from None
    step = max(1, int(round(info.nominal_rate_hz / sample_rate_hz))) if info.nominal_rate_hz > 0 else 1
    model = get_backend(backend, static_image_mode=False)
    min_score = knowledge.value("quality", "min_keypoint_score")
    kps: list[StillKeypoints] = []
    index: list[int] = []
    times: list[float] = []

    def sampled():
        for fr in iter_frames(info):
            if fr.index % step == 0:
                index.append(fr.index)
                times.append(fr.t_s)
                yield fr.rgb

    for fp in model.estimate(sampled()):
        kps.append(still_from_arrays(fp.xyz_px, fp.score, tuple(model.names), view=view,
                                     image_size_px=info.image_size_px, min_score=min_score, source=str(path)))
    if not kps:
        raise GaitscopeError(f"{path}: no frames could be decoded; export the video again as mp4.")
    n = len(kps)
    names = tuple(model.names)
    xy = np.full((n, len(names), 2), np.nan)
    stat = np.full(n, np.nan)
    upright = np.zeros(n, dtype=bool)
    for i, kp in enumerate(kps):
        for j, nm in enumerate(names):
            if nm in kp.xy:
                xy[i, j] = kp.xy[nm]
        s = stature_px(kp, knowledge)
        stat[i] = np.nan if s is None else s
        try:
            check_view(kp, knowledge, flag=flag)
            upright[i] = view != "side" or facing_sign(kp) is not None
        except GaitscopeError:
            upright[i] = False
    if not upright.any():
        # say why, from the frame with the most keypoints
        best = int(np.argmax([len(k.xy) for k in kps]))
        check_view(kps[best], knowledge, flag=flag)
        raise GaitscopeError(f"{path}: the person is never found standing upright in full view; film 3 s of still standing.")
    feet = tuple(j for j, nm in enumerate(names) if nm.endswith(("_ankle", "_heel", "_toe")))
    limits = dict(max_spread=knowledge.value("quality", "max_still_spread"),
                  max_feet_spread=knowledge.value("quality", "max_still_feet_spread"), source=str(path))
    short_note = None
    try:
        win = steadiest_second(np.asarray(times), xy, stat, upright, feet, window_s=1.0, **limits)
    except GaitscopeError as first_error:
        try:
            win = steadiest_second(np.asarray(times), xy, stat, upright, feet, window_s=0.5, **limits)
        except GaitscopeError:
            raise first_error from None
        short_note = (f"{path}: the person stands still for less than a second; measured the steadiest half "
                      "second, so frame-to-frame spread is a weaker check of the error.")
    chosen = [kps[i] for i in win.samples]
    notes = check_view(chosen[len(chosen) // 2], knowledge, flag=flag)
    if short_note:
        notes.append(short_note)
    notes.append(f"{path}: measured the steadiest standing stretch, {times[win.samples[0]]:.2f}-"
                 f"{times[win.samples[-1]]:.2f} s (frames {index[win.samples[0]]}-{index[win.samples[-1]]}); keypoint "
                 f"spread {100 * win.spread:.2f} %, feet {100 * win.feet_spread:.2f} % of the height.")
    mid = index[win.mid_sample]
    rgb = next(iter(iter_frames(info, start=mid, stop=mid + 1, prefetch=0))).rgb
    from gaitscope.pose import estimate_image

    mid_kp = kps[win.mid_sample]
    xyz_mid = np.array([np.r_[mid_kp.xy[n], 0.0] if n in mid_kp.xy else [np.nan] * 3 for n in names])
    _refuse_second_person(rgb, xyz_mid, np.array([mid_kp.score.get(n, 0.0) for n in names]), mid_kp, knowledge,
                          estimate_image)
    measures = measure_view(chosen, knowledge, height_m=height_m)
    view_kp = [chosen[len(chosen) // 2]] + [k for i, k in enumerate(chosen) if i != len(chosen) // 2]
    return ViewResult(view=view, source=str(path), kind="video", keypoints=view_kp, measures=measures,
                      quality=notes, frames=tuple(index[i] for i in win.samples),
                      t_s=tuple(times[i] for i in win.samples), rgb=rgb)


def assess_posture(
    *,
    front: str | Path | None = None,
    side: str | Path | None = None,
    back: str | Path | None = None,
    height_m: float | None = None,
    out_dir: str | Path | None = None,
    knowledge: PostureKnowledge | None = None,
    estimator: Estimator | None = None,
) -> PostureResult:
    """The posture screen from photos or videos of the front, side and/or back.

    Parameters
    ----------
    front, side, back
        Photo (JPEG/PNG; HEIC with pillow-heif) or video of each view; at least one.
    height_m
        The person's height in metres (gives centimetres).
    out_dir
        Where ``posture.json`` and ``<view>_annotated.jpg`` are written (None: nothing written).
    knowledge
        Posture knowledge (default: the package's own file).
    estimator
        Pose function for stills (default :func:`gaitscope.pose.estimate_image`).

    Returns
    -------
    PostureResult
    """
    knowledge = knowledge or load_posture_knowledge()
    if height_m is not None and not 0.5 <= height_m <= 2.6:
        raise GaitscopeError(f"--height-m {height_m}: give the person's height in metres, e.g. 1.68.")
    given = {"front": front, "side": side, "back": back}
    from contextlib import nullcontext

    from gaitscope.outputs import output_run

    # a failed or killed run leaves the folder marked STALE (docs/reliability.md)
    with nullcontext() if out_dir is None else output_run(out_dir, results=POSTURE_RESULTS):
        results: dict[str, ViewResult] = {}
        for view, path in given.items():
            if path is None:
                continue
            flag = f"--{view}"
            if is_video(path):
                results[view] = measure_video(path, view, knowledge=knowledge, height_m=height_m, flag=flag)
            else:
                results[view] = measure_image(path, view, knowledge=knowledge, height_m=height_m, estimator=estimator,
                                              flag=flag)
        result = _conclude(results, knowledge, height_m)
        if out_dir is not None:
            write_outputs(result, out_dir, knowledge)
    return result


#: What one posture run writes (marked stale when a later run into the folder fails).
POSTURE_RESULTS = ("front_annotated.jpg", "side_annotated.jpg", "back_annotated.jpg", "posture.json")


def write_outputs(result: PostureResult, out_dir: str | Path, knowledge: PostureKnowledge) -> Path:
    """Write the annotated images and ``posture.json``; returns the JSON path."""
    from gaitscope.posture.annotate import annotate_frontal, annotate_sagittal, write_image

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for view, vr in result.views.items():
        if vr.rgb is None:
            continue
        kp = vr.keypoints[0]
        if view == "side":
            c7 = _c7_for_drawing(kp, knowledge)
            img = annotate_sagittal(vr.rgb, kp, vr.measures, c7)
        else:
            img = annotate_frontal(vr.rgb, kp, vr.measures)
        p = out / f"{view}_annotated.jpg"
        write_image(p, img)
        vr.annotated = p.name
    path = out / "posture.json"
    from gaitscope.outputs import write_text

    write_text(path, json.dumps(result.to_json(), indent=2, default=_json_default))
    return path


def _json_default(o):
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, np.bool_):
        return bool(o)
    raise TypeError(type(o).__name__)


def _c7_for_drawing(kp: StillKeypoints, knowledge: PostureKnowledge) -> np.ndarray | None:
    from gaitscope.posture.measures import sagittal_point

    if "c7" in kp.xy:
        return kp.p("c7")
    sh, f, h = sagittal_point(kp, "shoulder"), facing_sign(kp), stature_px(kp, knowledge)
    if sh is None or f is None or h is None:
        return None
    return sh + np.array([-f * knowledge.value("proportion", "c7_behind_shoulder") * h,
                          -knowledge.value("proportion", "c7_above_shoulder") * h])


def summary_lines(result: PostureResult) -> list[str]:
    """A short text summary for the terminal."""
    lines = []
    for vr in result.views.values():
        lines.extend(vr.quality)
    for v, vr in result.views.items():
        for m in vr.measures.values():
            cm = "" if m.value_cm is None else f" ({m.value_cm:+.1f} +- {m.error_cm:.1f} cm)"
            side = f" [{m.side}]" if m.side and m.name in ("knee_frontal_alignment", "foot_turn_out") else ""
            lines.append(f"{v}: {m.name}{side} {m.value_deg:+.1f} +- {m.error_deg:.1f} deg{cm}")
    present = [f for f in result.findings if f.status == "present"]
    if not present:
        lines.append("no posture finding beyond the measurement error")
    for f in result.findings:
        if f.status == "present":
            side = f" ({f.side})" if f.side else ""
            evs = [e for e in f.evidence if f.side in (None, "both") or e.side in (None, f.side)]
            ev = evs[0] if evs else None
            val = f": {ev.metric} = {ev.value:g} {ev.unit}" if ev else ""
            lines.append(f"{f.code}{side}, severity {f.severity}{val}")
    lines.append(f"posture type: {result.posture_type.get('type')}")
    return lines


def draw_keypoint_canvas(res: Any, out: Path) -> None:
    """Keypoint-only posture input: annotate on a light canvas with the stick figure (no photo exists)."""
    from gaitscope.pose.overlay import draw_skeleton

    for vr in res.views.values():
        kp = vr.keypoints[0]
        w, h = kp.image_size_px
        canvas = np.full((int(h), int(w), 3), 60, dtype=np.uint8)
        names = list(kp.xy)
        xy = np.array([kp.xy[n] for n in names], dtype=float).reshape(-1, 2)
        vr.rgb = draw_skeleton(canvas, xy, np.ones(len(names)), names)
    write_outputs(res, out, load_posture_knowledge())
