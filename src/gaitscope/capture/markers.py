"""Lab marker files (C3D, OpenSim TRC) -> keypoints in the gaitscope world frame.

Entry point: :func:`load_markers`. The result, :class:`MarkerRecording`, holds a world-frame
:class:`~gaitscope.types.PoseSequence` of mapped keypoints (heel, toe, ankle, knee, hip joint
centre, shoulders, C7 ...), the raw markers in the same frame, the lab's own reference events
and the lab software's joint angles (converted to gaitscope signs) when the file has them.

Mapping
    Marker names -> keypoints come from ``knowledge/marker_maps.toml`` (one table per marker
    set with its source, extendable with a user TOML file; see that file's header). Names
    match ignoring case, spaces, dots, underscores and hyphens; duplicate labels are resolved
    by data (:func:`resolve_duplicate_labels`); the unit is checked against the body's size
    (:func:`check_units`). Every set is scored (:func:`choose_marker_set`); the best set that
    resolves its required keypoints is chosen (ties: higher ``priority``). Without heel
    markers a set's stand-in builds a virtual heel (:func:`virtual_heel`). Hip joint centres
    use the Harrington et al. (2007) regression (:mod:`gaitscope.capture.hip_joint_centre`).

World frame (docs/conventions.md)
    metres; +y up; +x the direction the person faces; +z the person's right. The lab frame is
    rotated, never translated (the lab floor stays at y = 0 when the lab put it at 0):

    1. *Up*: the lab axis along which the proximal keypoints (hips, knees, shoulders, C7) sit
       furthest above the feet (heel, toe); for foot-only files the set's ``vertical_hint``,
       else the axis along which the foot markers rest low and make brief upward excursions
       (stance vs swing).
    2. *Forward*: the per-frame facing vector -- pelvis (ASIS midpoint minus PSIS midpoint or
       sacrum) when present, else heel -> toe of both feet -- projected on the floor; its
       dominant direction, signed by the majority of frames (or, when the person turns and
       walks back, by the first quarter of the recording). Snapped to the nearest horizontal
       lab axis when within 10 deg (labs align walkways with an axis).
    3. *Right* = forward x up.
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from gaitscope.capture.hip_joint_centre import HJC_METHOD, harrington_hjc, score_joint_centre_axis
from gaitscope.types import KEYPOINT_NAMES, SIDES, GaitscopeError, PoseSequence

#: Keypoints that have a side (the rest, e.g. ``c7``, have none).
SIDED_KEYPOINTS: tuple[str, ...] = ("heel", "toe", "ankle", "knee", "hip", "shoulder", "elbow", "wrist")
UNSIDED_KEYPOINTS: tuple[str, ...] = ("c7",)
#: Order of keypoints in the PoseSequence (subset present in each file): the shared vocabulary.
_POSE_ORDER: tuple[str, ...] = KEYPOINT_NAMES
_UNIT_TO_M = {"mm": 0.001, "cm": 0.01, "m": 1.0, "meters": 1.0, "metres": 1.0, "millimeters": 0.001,
              "millimetres": 0.001, "centimeters": 0.01, "centimetres": 0.01}
#: Plausible extent of a walking person's mapped keypoints (metres; median over frames of the
#: largest distance between two keypoints): a foot alone is about 0.2 m, head to toe under 2.5 m.
_BODY_EXTENT_M = (0.08, 3.0)
#: Columns of ``MarkerRecording.reference_events``.
EVENT_COLUMNS: tuple[str, ...] = ("event", "side", "t_s", "frame")
_SNAP_DEG = 10.0
#: Keypoints whose left-right spread over the whole file is below this are 2-D (sagittal-plane) data.
_PLANAR_M = 0.005


@dataclass(frozen=True, eq=False)
class MarkerRecording:
    """A marker recording mapped to gaitscope keypoints.

    Attributes
    ----------
    pose
        ``frame="world"`` PoseSequence: metres, +x facing direction, +y up, +z the person's
        right; ``t_s`` seconds from the first data sample; ``frame_index`` the 0-based data row.
    rate_hz
        Sampling rate of the marker data (from the file).
    reference_events
        Lab events or ``None``: columns ``event`` (``ic``/``fc``), ``side`` (``left``/``right``),
        ``t_s`` (seconds from the first data sample), ``frame`` (0-based data row, rounded).
    model_angles
        Joint angles computed by the lab software or ``None``: one row per sample per side,
        columns ``frame, t_s, side`` and angle columns in degrees with gaitscope signs
        (``hip_flex_deg`` flexion +, ``knee_flex_deg`` flexion +, ``ankle_dorsi_deg``
        dorsiflexion +, ...; see docs/inputs.md for every column and its source convention).
    markers
        Raw markers ``name -> (n_frames, 3)`` in the same world frame, metres (NaN = missing).
    source
        Path of the file read.
    notes
        Human-readable remarks (marker set chosen, frame conversion, caveats).
    model_angles_source
        Where ``model_angles`` come from, as data: ``"opensim_ik"`` (an OpenSim inverse-kinematics ``.mot``
        beside a .trc), ``"c3d_model_outputs"`` (lab-software angles stored in the C3D), or ``""`` (none).
    """

    pose: PoseSequence
    rate_hz: float
    reference_events: pd.DataFrame | None = None
    model_angles: pd.DataFrame | None = None
    markers: Mapping[str, np.ndarray] = field(default_factory=dict)
    source: str = ""
    notes: tuple[str, ...] = ()
    model_angles_source: str = ""

    def __post_init__(self) -> None:
        if self.pose.frame != "world":
            raise ValueError("a MarkerRecording holds a world-frame PoseSequence")
        if not self.rate_hz > 0:
            raise ValueError(f"rate_hz must be positive, got {self.rate_hz}")
        ev = self.reference_events
        if ev is not None:
            if list(ev.columns[:4]) != list(EVENT_COLUMNS):
                raise ValueError(f"reference_events columns must start with {EVENT_COLUMNS}, got {list(ev.columns)}")
            if not set(ev["event"]) <= {"ic", "fc"} or not set(ev["side"]) <= set(SIDES):
                raise ValueError("reference_events: event must be ic/fc and side left/right")
        ang = self.model_angles
        if ang is not None and not {"frame", "t_s", "side"} <= set(ang.columns):
            raise ValueError("model_angles needs columns frame, t_s, side")
        object.__setattr__(self, "notes", tuple(self.notes))


# ---------------------------------------------------------------- mapping data
@dataclass(frozen=True)
class MarkerSet:
    """One marker set of ``marker_maps.toml`` (see that file for field meanings)."""

    name: str
    description: str
    priority: int
    side_prefix: Mapping[str, str]
    required: tuple[str, ...]
    keypoints: Mapping[str, tuple[tuple[str, ...], ...]]
    #: ``asis``/``psis``/``sacrum`` -> alternatives (each a tuple of names whose mean is used)
    pelvis: Mapping[str, tuple[tuple[str, ...], ...]]
    functional: Mapping[str, Mapping[str, tuple[str, ...]]]
    vertical_hint: str | None = None
    source: str = ""
    #: ``heel`` -> alternatives of a marker from which a virtual heel is built (files without heel markers)
    stand_ins: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    #: 3-D keypoints estimated from video (OpenCap, Pose2Sim), not skin markers (see marker_maps.toml)
    markerless: bool = False

    def expand(self, marker: str, side: str | None) -> str:
        if "{S}" in marker:
            if side is None:
                raise ValueError(f"marker {marker!r} has a side placeholder in an unsided keypoint")
            return marker.replace("{S}", self.side_prefix[side])
        return marker


def _alternatives(v: Any, what: str, fail: Any) -> tuple[tuple[str, ...], ...]:
    """``"A"`` or ``["A", "B"]`` (one alternative: the mean) or ``[["A"], ["B", "C"]]`` (alternatives)."""
    if isinstance(v, str):
        return ((v,),)
    if isinstance(v, list) and v and all(isinstance(m, str) for m in v):
        return (tuple(v),)
    if isinstance(v, list) and v and all(isinstance(a, list) and a and all(isinstance(m, str) for m in a) for a in v):
        return tuple(tuple(a) for a in v)
    raise fail(f"{what} must be a list of marker names or a list of such lists")


def _validate_set(name: str, raw: Mapping[str, Any], origin: str) -> MarkerSet:
    def fail(msg: str) -> GaitscopeError:
        return GaitscopeError(f"{origin}: marker set [sets.{name}] {msg}; see the header of gaitscope/knowledge/marker_maps.toml")

    if not isinstance(raw, Mapping):
        raise fail("is not a table")
    sp = raw.get("side_prefix", {"left": "L", "right": "R"})
    if not isinstance(sp, Mapping) or set(sp) != {"left", "right"} or not all(isinstance(v, str) for v in sp.values()):
        raise fail("needs side_prefix = {left = ..., right = ...}")
    if isinstance(raw.get("priority", 0), bool) or not isinstance(raw.get("priority", 0), int):
        raise fail("needs priority to be a whole number")
    if not isinstance(raw.get("required", []), list) or not all(isinstance(r, str) for r in raw.get("required", [])):
        raise fail("needs required to be a list of keypoint names")
    for kp, spec in dict(raw.get("functional", {}) if isinstance(raw.get("functional", {}), Mapping) else {}).items():
        if not isinstance(spec, Mapping) or not all(
                isinstance(spec.get(k, []), list) and all(isinstance(m, str) for m in spec.get(k, [])) for k in ("proximal", "distal")):
            raise fail(f"[functional] {kp} needs proximal and distal lists of marker names")
    for key in ("keypoints", "pelvis", "functional"):
        if not isinstance(raw.get(key, {}), Mapping):
            raise fail(f"needs [{key}] to be a table")
    kps: dict[str, tuple[tuple[str, ...], ...]] = {}
    for kp, alts in dict(raw.get("keypoints", {})).items():
        if kp not in SIDED_KEYPOINTS + UNSIDED_KEYPOINTS:
            raise fail(f"has unknown keypoint {kp!r} (allowed: {', '.join(SIDED_KEYPOINTS)}, c7)")
        if not isinstance(alts, list) or not all(isinstance(a, list) and a and all(isinstance(m, str) for m in a) for a in alts):
            raise fail(f"keypoint {kp!r} must be a list of marker-name lists")
        kps[kp] = tuple(tuple(a) for a in alts)
    pelvis: dict[str, tuple[tuple[str, ...], ...]] = {}
    for k, v in dict(raw.get("pelvis", {})).items():
        if k not in ("asis", "psis", "sacrum"):
            raise fail(f"[pelvis] has unknown key {k!r} (allowed: asis, psis, sacrum)")
        pelvis[k] = _alternatives(v, f"[pelvis] {k}", fail)
    stand_ins: dict[str, tuple[tuple[str, ...], ...]] = {}
    for k, v in dict(raw.get("stand_ins", {})).items():
        if k != "heel":
            raise fail(f"[stand_ins] has unknown key {k!r} (allowed: heel)")
        stand_ins[k] = _alternatives(v, f"[stand_ins] {k}", fail)
    func: dict[str, dict[str, tuple[str, ...]]] = {}
    for kp, spec in dict(raw.get("functional", {})).items():
        if kp not in ("knee", "ankle", "hip", "elbow", "wrist"):
            raise fail(f"[functional] keypoint {kp!r} is not supported")
        if not isinstance(spec, Mapping) or len(spec.get("proximal", [])) < 3 or len(spec.get("distal", [])) < 3:
            raise fail(f"[functional] {kp} needs proximal and distal lists of at least 3 markers")
        func[kp] = {"proximal": tuple(spec["proximal"]), "distal": tuple(spec["distal"])}
        if "align" in spec:
            if spec["align"] not in ("hip", "knee", "ankle"):
                raise fail(f"[functional] {kp} align must be hip, knee or ankle")
            func[kp]["align"] = str(spec["align"])
    required = tuple(raw.get("required", ["heel", "toe"]))
    unknown_req = [r for r in required if r not in SIDED_KEYPOINTS + UNSIDED_KEYPOINTS]
    if unknown_req:
        raise fail(f"requires unknown keypoints {unknown_req}")
    if not isinstance(raw.get("markerless", False), bool):
        raise fail("needs markerless to be true or false")
    vh = raw.get("vertical_hint")
    if vh is not None and not re.fullmatch(r"[+-][xyz]", str(vh)):
        raise fail("vertical_hint must look like '+z' or '-y'")
    return MarkerSet(
        name=name,
        description=str(raw.get("description", "")),
        source=str(raw.get("source", "")),
        stand_ins=stand_ins,
        priority=int(raw.get("priority", 0)),
        side_prefix=dict(sp),
        required=required,
        keypoints=kps,
        pelvis=pelvis,
        functional=func,
        vertical_hint=vh,
        markerless=bool(raw.get("markerless", False)),
    )


def load_marker_maps(mapping_file: str | Path | None = None) -> dict[str, MarkerSet]:
    """The built-in marker sets, updated with the sets of a user TOML file (same shape).

    A user set with the name of a built-in set replaces it. Raises GaitscopeError when a
    file is unreadable or a set is malformed.
    """
    text = resources.files("gaitscope.knowledge").joinpath("marker_maps.toml").read_text(encoding="utf-8")
    sources = [("gaitscope/knowledge/marker_maps.toml", text)]
    if mapping_file is not None:
        from gaitscope.capture.validate import MAX_SMALL_FILE_BYTES, read_text

        p = Path(mapping_file)
        sources.append((str(p), read_text(p, what="marker mapping file", max_bytes=MAX_SMALL_FILE_BYTES,
                                          fix="give the TOML file described in docs/inputs.md")))
    sets: dict[str, MarkerSet] = {}
    for origin, txt in sources:
        from gaitscope.capture.validate import parse_toml

        data = parse_toml(txt, source=origin, what="marker mapping file", fix="fix the marker mapping file")
        raw_sets = data.get("sets")
        if not isinstance(raw_sets, Mapping) or not raw_sets:
            raise GaitscopeError(f"{origin}: no [sets.<name>] tables; see the header of gaitscope/knowledge/marker_maps.toml")
        for name, raw in raw_sets.items():
            ms = _validate_set(name, raw, origin)
            if origin.startswith("gaitscope/") and not ms.source:
                raise GaitscopeError(f"{origin}: built-in marker set [sets.{name}] has no source; every naming convention needs one")
            sets[name] = ms
    return sets


# ---------------------------------------------------------------- raw readers
@dataclass(frozen=True, eq=False)
class _Raw:
    names: tuple[str, ...]
    xyz_m: np.ndarray  # (n, m, 3) lab frame, metres
    rate_hz: float
    time_s: np.ndarray  # file time of each row (seconds; first row may be > 0)
    unit: str
    #: the "Subject:" prefix of each label ("" without one), when the file has such prefixes
    subjects: tuple[str, ...] = ()
    #: what the reader left out or assumed, for the recording's notes
    notes: tuple[str, ...] = ()


def _unit_scale(unit: str, path: Path) -> float:
    key = unit.strip().lower()
    if key not in _UNIT_TO_M:
        raise GaitscopeError(f"{path}: unknown marker unit {unit!r}; expected mm, cm or m")
    return _UNIT_TO_M[key]


def _rate_from_text(text: str, path: Path, name: str) -> float:
    """A rate written in a file's header (text), checked by :func:`check_rate_hz` (which names a non-number)."""
    from gaitscope.capture.validate import check_rate_hz

    try:
        value: Any = float(text)
    except ValueError:
        value = text
    return check_rate_hz(value, source=path, name=name)


def _check_even_time(t: np.ndarray, rate: float, path: Path, what: str, fix: str) -> None:
    """Refuse a time column that strays more than half a sample from a uniform grid at ``rate`` (dropped or
    repeated frames would shift every later sample)."""
    stray = np.abs((t - t[0]) - np.arange(len(t)) / rate)
    if stray.max() > 0.5 / rate:
        k = int(np.argmax(stray))
        raise GaitscopeError(
            f"{path}: {what} is not evenly sampled (row {k + 1} is {stray[k] * 1000:.0f} ms off a uniform {rate:.4g} Hz "
            f"grid: dropped or repeated frames); {fix}"
        )


def _text_export_raw(path: Path, what: str, names: tuple[str, ...], xyz_m: np.ndarray, rate: float, time_s: np.ndarray,
                     unit: str, *, subjects: tuple[str, ...] = (), notes: tuple[str, ...] = ()) -> _Raw:
    """The :class:`_Raw` of a text export (marker table, QTM TSV, Nexus or Motive CSV) after the checks they share:
    a sound time axis, no infinite coordinate, at least one coordinate."""
    from gaitscope.capture.validate import check_time_axis

    check_time_axis(time_s, source=path)
    if np.isinf(xyz_m).any():
        raise GaitscopeError(f"{path}: the {what} holds infinite values; export it again with missing samples left empty")
    if not np.isfinite(xyz_m).any():
        raise GaitscopeError(f"{path}: every marker coordinate in the {what} is empty; nothing can be measured, export the trial again")
    return _Raw(names=names, xyz_m=xyz_m, rate_hz=rate, time_s=time_s, unit=unit, subjects=subjects, notes=notes)


def _read_c3d(path: Path) -> tuple[_Raw, Any]:
    try:
        import ezc3d
    except ImportError:  # pragma: no cover - ezc3d is a pinned dependency
        raise GaitscopeError("reading C3D needs the ezc3d package; install gaitscope's dependencies (make test)") from None
    from gaitscope.capture.validate import check_c3d_structure, open_native, probe_c3d_in_child

    check_c3d_structure(path)  # header and parameter section walked in Python first
    _check_c3d_complete(path)
    probe_c3d_in_child(path)  # a native crash or hang of ezc3d becomes a refusal
    try:
        with open_native(path) as native:
            c3d = ezc3d.c3d(native)
    except (OSError, RuntimeError, ValueError, MemoryError, IndexError) as err:
        raise GaitscopeError(f"{path}: not a readable C3D file ({str(err).split(':')[0]}); export it again from the lab software") from None
    params = c3d["parameters"]
    point = params["POINT"]
    labels: list[str] = list(point["LABELS"]["value"])
    for extra in ("LABELS2", "LABELS3", "LABELS4"):
        if extra in point:
            labels += list(point[extra]["value"])
    data = np.asarray(c3d["data"]["points"], dtype=float)
    n_frames = data.shape[2]
    if n_frames == 0 or data.shape[1] == 0:
        raise GaitscopeError(f"{path}: the C3D file holds no point data; export the marker trajectories")
    labels = labels[: data.shape[1]]
    non_markers: set[str] = set()
    for grp in ("ANGLES", "FORCES", "MOMENTS", "POWERS", "REACTIONS", "SCALARS"):
        if grp in point:
            non_markers.update(str(v) for v in point[grp]["value"])
    keep = [i for i, lb in enumerate(labels) if lb not in non_markers and lb.strip()]
    unit = str(point["UNITS"]["value"][0]).strip() if "UNITS" in point and point["UNITS"]["value"] else ""
    scale = _unit_scale(unit, path) if unit else 1.0  # no unit stated: inferred from body size in load_markers
    xyz = np.transpose(data[:3, keep, :], (2, 1, 0)) * scale
    missing = np.all(xyz == 0.0, axis=2)
    xyz[missing] = np.nan
    from gaitscope.capture.validate import check_coordinates, check_rate_hz

    # no unit stated: the numbers are judged as millimetres here (the largest unit a lab writes without saying)
    check_coordinates(xyz if unit else xyz / 1000.0, source=path, frame="world", what="marker coordinates")
    rate = check_rate_hz(float(c3d["header"]["points"]["frame_rate"]), source=path, name="the C3D point rate (POINT:RATE)")
    first = int(c3d["header"]["points"]["first_frame"])  # 0-based in ezc3d
    time_s = (first + np.arange(n_frames)) / rate
    names = tuple(_clean_label(labels[i]) for i in keep)
    return _Raw(names=names, xyz_m=xyz, rate_hz=rate, time_s=time_s, unit=unit,
                subjects=tuple(_label_subject(labels[i]) for i in keep)), c3d


def _check_c3d_complete(path: Path) -> None:
    """Refuse a C3D whose data section is shorter than its header promises (a cut-off copy).

    ezc3d reads such files silently with fewer frames. Checked for Intel (little-endian)
    files with 16-bit frame numbers, i.e. almost every file labs export.
    """
    with open(path, "rb") as fh:
        head = fh.read(512)
        if len(head) < 512 or head[1] != 0x50:
            raise GaitscopeError(f"{path}: not a readable C3D file (bad header); export it again from the lab software")
        fh.seek((head[0] - 1) * 512 if head[0] > 0 else 512)
        par = fh.read(4)
    if len(par) < 4 or par[3] != 84:  # 84 = Intel processor type
        return
    n_points, n_analog, first, last = struct.unpack("<4H", head[2:10])
    scale = struct.unpack("<f", head[12:16])[0]
    data_start = struct.unpack("<H", head[16:18])[0]
    if last < first or last == 0xFFFF or data_start == 0:
        return
    bytes_per_value = 4 if scale < 0 else 2
    expected = (data_start - 1) * 512 + (last - first + 1) * (4 * n_points + n_analog) * bytes_per_value
    size = path.stat().st_size
    if size < expected:
        raise GaitscopeError(
            f"{path}: the C3D file is cut off ({size} of {expected} bytes; frames {first}-{last} promised); copy or export it again"
        )


def _clean_label(label: str) -> str:
    return label.split(":")[-1].strip()


def _label_subject(label: str) -> str:
    """The subject of a ``Subject:Marker`` label ("" without a prefix)."""
    return label.rsplit(":", 1)[0].strip() if ":" in label else ""


def _one_subject(raw: _Raw, sets: Mapping[str, MarkerSet], source: Path) -> tuple[_Raw, str]:
    """The markers of one walker when a file labels markers of several subjects (``Anna:LHEE``, ``Ben:LHEE``,
    ``Walker_Frame:M1`` ...), with a note; the file unchanged when it has one subject.

    Their labels would otherwise merge after the prefix is dropped (two people's heels as one marker). The subject
    whose markers fit a known marker set is used and the others are named in the note; when several subjects fit,
    the file is refused: which person to analyse is the user's choice (export one subject's trajectories).
    """
    groups: dict[str, list[int]] = {}
    for j, sub in enumerate(raw.subjects):
        groups.setdefault(sub, []).append(j)
    if len(groups) < 2:
        return raw, ""
    fits = []
    for sub, idx in groups.items():
        markers, _ = resolve_duplicate_labels([raw.names[j] for j in idx], raw.xyz_m[:, idx, :])
        try:
            choose_marker_set(markers, sets, source=str(source))
        except GaitscopeError:
            continue
        fits.append(sub)
    if len(fits) > 1:
        shown = ", ".join(repr(f or "(no prefix)") for f in fits)
        raise GaitscopeError(
            f"{source}: the file holds the markers of {len(fits)} people ({shown}), each a complete marker set; "
            "export one subject's trajectories and analyse each person on their own"
        )
    if not fits:
        return raw, ""
    keep = groups[fits[0]]
    others = ", ".join(f"'{sub or '(no prefix)'}' ({len(idx)} labels)" for sub, idx in groups.items() if sub != fits[0])
    note = f"subjects: the markers of '{fits[0] or '(no prefix)'}' are used; left out: {others} (no marker set fits them)"
    return _Raw(names=tuple(raw.names[j] for j in keep), xyz_m=raw.xyz_m[:, keep, :], rate_hz=raw.rate_hz,
                time_s=raw.time_s, unit=raw.unit, subjects=tuple(raw.subjects[j] for j in keep)), note


def _trc_fields(line: str) -> list[str]:
    """Cells of a TRC header line: split on tabs (spaces when the line has no tab), empty fields dropped."""
    cells = line.split("\t") if "\t" in line else line.split()
    return [c.strip() for c in cells if c.strip()]


def _read_trc(path: Path) -> _Raw:
    """Read an OpenSim TRC file (header by position, data rows validated cell by cell).

    Format (OpenSim "Marker (.trc) Files"): line 1 ``PathFileType``; line 2 the header keys
    (``DataRate CameraRate NumFrames NumMarkers Units ...``) and line 3 their values, matched by position
    after splitting on tabs with empty fields (doubled tabs) dropped; line 4 ``Frame# Time`` and the
    marker names; line 5 the ``X1 Y1 Z1 ...`` axis labels; then one row per frame with exactly
    ``2 + 3 x markers`` tab-separated cells (an empty cell is a missing value). Extra *trailing* empty
    cells are tolerated; any other count is refused naming the line: a row is never read shifted.
    """
    from gaitscope.capture.validate import check_coordinates, check_time_axis, read_text

    text = read_text(path, what="TRC file", windows_fallback=True)
    lines = text.splitlines()
    if len(lines) < 6 or not lines[0].startswith("PathFileType"):
        raise GaitscopeError(f"{path}: not an OpenSim TRC file (no 'PathFileType' header with 5 header lines); export it again")
    keys, vals = _trc_fields(lines[1]), _trc_fields(lines[2])
    if "DataRate" not in keys and "CameraRate" not in keys:
        raise GaitscopeError(f"{path}: line 2 of the TRC file does not name DataRate; export it again")
    if len(keys) != len(vals):
        raise GaitscopeError(
            f"{path}: line 3 of the TRC file holds {len(vals)} values for the {len(keys)} header names on line 2; "
            "fix the header or export it again"
        )
    hdr = dict(zip(keys, vals))
    rate = _rate_from_text(hdr.get("DataRate") or hdr.get("CameraRate", ""), path, "the TRC DataRate (line 3)")
    scale = _unit_scale(hdr.get("Units", ""), path)
    name_cells = lines[3].split("\t") if "\t" in lines[3] else lines[3].split()
    names = tuple(c.strip() for c in name_cells[2:] if c.strip())
    if not names:
        raise GaitscopeError(f"{path}: the TRC file names no markers on line 4; export it again")
    declared_m = hdr.get("NumMarkers", "")
    if declared_m.isdigit() and int(declared_m) != len(names):
        raise GaitscopeError(
            f"{path}: the TRC header declares {declared_m} markers but line 4 names {len(names)}; fix the header or export it again"
        )
    width = 2 + 3 * len(names)
    rows = []
    for k, ln in enumerate(lines[5:], start=6):
        if not ln.strip():
            continue
        cells = ln.split("\t")
        if len(cells) > width and not any(c.strip() for c in cells[width:]):
            cells = cells[:width]  # trailing empty cells: unambiguous
        if len(cells) != width:
            raise GaitscopeError(
                f"{path}: line {k} of the TRC file has {len(cells)} tab-separated cells, not the 2 + 3 x {len(names)} = "
                f"{width} its {len(names)} markers need (an extra or missing tab would shift the columns); "
                "fix that line or export the file again"
            )
        try:
            rows.append([float(c) if c.strip() else math.nan for c in cells])
        except ValueError:
            bad = next(c for c in cells if c.strip() and not _is_float(c))
            raise GaitscopeError(
                f"{path}: line {k} of the TRC file holds {bad.strip()[:20]!r}, not a number; the file is damaged, export it again"
            ) from None
    if not rows:
        raise GaitscopeError(f"{path}: the TRC file has a header but no data rows; export the trial again")
    declared = hdr.get("NumFrames", "")
    if declared.isdigit() and len(rows) < int(declared):
        raise GaitscopeError(f"{path}: the TRC file is cut off ({len(rows)} of {declared} frames); copy or export it again")
    arr = np.asarray(rows, dtype=float)
    time_s = arr[:, 1]
    if not np.all(np.isfinite(time_s)) or (len(time_s) > 1 and not np.all(np.diff(time_s) > 0)):
        time_s = time_s[0] + np.arange(len(arr)) / rate if np.isfinite(time_s[0]) else np.arange(len(arr)) / rate
    check_time_axis(time_s, source=path)
    xyz = arr[:, 2:].reshape(len(arr), len(names), 3) * scale
    check_coordinates(xyz, source=path, frame="world", what="marker coordinates")
    if not np.isfinite(xyz).any():
        raise GaitscopeError(f"{path}: every marker coordinate in the TRC file is empty; nothing can be measured, export the trial again")
    return _Raw(names=names, xyz_m=xyz, rate_hz=rate, time_s=time_s, unit=hdr.get("Units", ""))


#: Time column names of a wide marker table (compared lower case, without spaces).
_TABLE_TIME_COLUMNS: tuple[str, ...] = ("time", "time(s)", "times", "t", "t_s", "time_s")
_TABLE_AXIS = re.compile(r"^(?P<marker>.+?)[\s._\-]?(?P<axis>[XYZxyz])$")


def _read_marker_table(path: Path) -> _Raw:
    """Read a wide marker table (``.txt`` / ``.tsv``), e.g. the Fukuchi datasets' ``*mkr.txt``.

    One header row: a time column (``Time``; also ``time``, ``t``, ``Time (s)``) and three columns per marker
    named ``<marker>X``, ``<marker>Y``, ``<marker>Z`` (a ``_``, ``.``, ``-`` or space before the axis letter is
    allowed); cells separated by tabs, else semicolons (then with decimal commas, as European spreadsheets write),
    else commas, else spaces; empty or ``NaN`` cells and an exact (0, 0, 0) are
    missing. The unit is not stated, so it is inferred from the body's extent (:func:`check_units`). The rate is
    the time column's span, ``(rows - 1) / (t_last - t_first)``: files that round their time column (Fukuchi's
    0.007 s steps at 150 Hz) still give the true rate; a time column that strays more than half a sample from
    that uniform grid is refused. A row with another number of cells than the header, or a cell that is not a
    number, is refused naming its line; columns that do not form a marker's X/Y/Z triplet are named and left out.
    """
    from gaitscope.capture.validate import check_rate_hz, read_text

    lines = read_text(path, what="marker table", windows_fallback=True).splitlines()
    first = next((k for k, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        raise GaitscopeError(f"{path}: the marker table is empty; export it again")
    meta: dict[str, list[str]] = {}
    qtm = lines[first].split("\t")[0].strip() in _QTM_FIRST_KEYS
    while qtm and first < len(lines) and _QTM_KEY.match(lines[first].split("\t")[0].strip()):
        cells = [c.strip() for c in lines[first].split("\t")]
        meta[cells[0]] = [c for c in cells[1:] if c]
        first += 1
        while first < len(lines) and not lines[first].strip():
            first += 1
    if meta:
        return _read_qtm_tsv(path, lines, first, meta)
    head = lines[first]
    sep = next((c for c in ("\t", ";", ",") if c in head), None)

    def split(ln: str) -> list[str]:
        cells = ln.split(sep) if sep else ln.split()
        while cells and not cells[-1].strip():  # trailing separators
            cells.pop()
        # a semicolon table is the European spreadsheet form: its decimal separator is a comma
        return [c.strip().replace(",", ".") if sep == ";" else c.strip() for c in cells]

    cols = split(head)
    low = [c.lower().replace(" ", "") for c in cols]
    t_col = next((j for j, c in enumerate(low) if c in _TABLE_TIME_COLUMNS), None)
    if t_col is None:
        raise GaitscopeError(
            f"{path}: the marker table has no time column (a header cell 'Time'); it needs one row of names with 'Time' "
            "and <marker>X, <marker>Y, <marker>Z columns, or export the trial as TRC or C3D"
        )
    axes: dict[str, dict[str, int]] = {}
    order: list[str] = []
    for j, c in enumerate(cols):
        m = _TABLE_AXIS.match(c) if j != t_col else None
        if m:
            name = m.group("marker")
            if name not in axes:
                axes[name] = {}
                order.append(name)
            axes[name][m.group("axis").upper()] = j
    names = tuple(n for n in order if set(axes[n]) == {"X", "Y", "Z"})
    if not names:
        raise GaitscopeError(
            f"{path}: the marker table's header names no marker with X, Y and Z columns (e.g. 'R.HeelX', 'R.HeelY', "
            "'R.HeelZ'); fix the header or export the trial as TRC or C3D"
        )
    used = {t_col} | {j for n in names for j in axes[n].values()}
    left_out = [c for j, c in enumerate(cols) if j not in used and c]
    arr = _numeric_rows(path, lines, first + 1, len(lines), len(cols), "marker table", split)
    t = arr[:, t_col]
    if not np.all(np.isfinite(t)) or not np.all(np.diff(t) > 0):
        raise GaitscopeError(f"{path}: the marker table's time column is not increasing on every row; export the trial again")
    rate = check_rate_hz((len(t) - 1) / float(t[-1] - t[0]), source=path, name="the marker table's rate (from its time column)")
    _check_even_time(t, rate, path, "the marker table's time column",
                     "resample the trial to a constant rate and export again")
    xyz = np.stack([arr[:, [axes[n]["X"], axes[n]["Y"], axes[n]["Z"]]] for n in names], axis=1)
    xyz[np.all(xyz == 0.0, axis=2)] = np.nan
    note = (f"marker table: columns left out (not a marker's X/Y/Z triplet): "
            f"{', '.join(left_out[:8])}{' ...' if len(left_out) > 8 else ''}") if left_out else ""
    # no unit is stated: the coordinates' range is checked once it is inferred (load_markers)
    return _text_export_raw(path, "marker table", names, xyz, rate, t[0] + np.arange(len(t)) / rate, "",
                            notes=(note,) if note else ())


#: A Qualisys QTM TSV header line: an upper-case key (NO_OF_FRAMES, FREQUENCY, MARKER_NAMES ...) and its values.
_QTM_KEY = re.compile(r"^[A-Z][A-Z0-9_]+$")
#: Keys a QTM TSV header starts with (its first line); a table whose first cell is another upper-case word ("TIME")
#: is read as a plain marker table.
_QTM_FIRST_KEYS: frozenset[str] = frozenset({"NO_OF_FRAMES", "NO_OF_CAMERAS", "NO_OF_MARKERS", "FREQUENCY",
                                             "NO_OF_ANALOG", "ANALOG_FREQUENCY", "DESCRIPTION", "TIME_STAMP",
                                             "DATA_INCLUDED", "MARKER_NAMES"})


def _numeric_rows(path: Path, lines: list[str], start: int, stop: int, width: int, what: str,
                  split: Callable[[str], list[str]], *, pad_short: bool = False) -> np.ndarray:
    """The numeric rows ``lines[start:stop]`` of a text export (blank lines skipped), each ``split`` into exactly
    ``width`` cells: trailing empty cells are tolerated (and with ``pad_short`` missing trailing cells, as Nexus
    leaves them out); another count, or a cell that is not a number, is refused naming the line (never read
    shifted). Empty and ``NaN`` cells are missing."""
    rows = []
    for k in range(start, stop):
        if not lines[k].strip():
            continue
        cells = [c.strip() for c in split(lines[k])]
        while len(cells) > width and not cells[-1]:
            cells.pop()
        if pad_short and len(cells) < width:
            cells += [""] * (width - len(cells))
        if len(cells) != width:
            raise GaitscopeError(
                f"{path}: line {k + 1} of the {what} has {len(cells)} cells, not the {width} its header needs (a missing "
                "or extra separator would shift the columns); fix that line or export the file again"
            )
        try:
            rows.append([float(c) if c and c.lower() != "nan" else math.nan for c in cells])
        except ValueError:
            bad = next(c for c in cells if c and not _is_float(c))
            if re.fullmatch(r"[-+]?\d+,\d+", bad):
                raise GaitscopeError(
                    f"{path}: line {k + 1} of the {what} writes {bad!r} with a decimal comma; save the file with decimal "
                    "points (a table may also use ';' between cells with decimal commas)"
                ) from None
            raise GaitscopeError(
                f"{path}: line {k + 1} of the {what} holds {bad[:20]!r}, not a number; the file is damaged, export it again"
            ) from None
    if len(rows) < 2:
        raise GaitscopeError(f"{path}: the {what} has fewer than two data rows; export the whole trial")
    return np.asarray(rows, dtype=float)


def _read_qtm_tsv(path: Path, lines: list[str], first: int, meta: dict[str, list[str]]) -> _Raw:
    """A Qualisys QTM 3-D TSV export: header lines ``KEY<tab>value`` (``FREQUENCY``, ``MARKER_NAMES``,
    ``NO_OF_FRAMES`` ...), then optionally a column header (``Frame Time <marker> X ...``, newer QTM), then one row
    per frame: three millimetre values per marker, with or without a leading frame number and time (QTM's
    "Export to TSV" manual). The rate is ``FREQUENCY``; missing markers are empty or (0, 0, 0)."""
    names = tuple(meta.get("MARKER_NAMES", []))
    if not names:
        raise GaitscopeError(f"{path}: the QTM TSV header has no MARKER_NAMES line; export the 3-D data from QTM again")
    rate = _rate_from_text((meta.get("FREQUENCY") or [""])[0], path, "the QTM FREQUENCY")
    declared = meta.get("NO_OF_MARKERS", [""])[0] if meta.get("NO_OF_MARKERS") else ""
    if declared.isdigit() and int(declared) != len(names):
        raise GaitscopeError(f"{path}: the QTM header declares {declared} markers but MARKER_NAMES lists {len(names)}; export it again")
    start = first
    lead = None
    if start < len(lines) and not _is_float(lines[start].split("\t")[0].strip() or "x"):
        head = [c.strip().lower() for c in lines[start].split("\t")]
        lead = sum(1 for c in head[:2] if c in ("frame", "time"))
        start += 1
    first_cells = next((ln.split("\t") for ln in lines[start:] if ln.strip()), [])
    while first_cells and not first_cells[-1].strip():
        first_cells = first_cells[:-1]
    if lead is None:
        lead = len(first_cells) - 3 * len(names)
    if lead not in (0, 1, 2):
        raise GaitscopeError(
            f"{path}: the QTM data rows hold {len(first_cells)} cells for {len(names)} markers (3 each, after an optional "
            "frame number and time); export the 3-D data from QTM again"
        )
    arr = _numeric_rows(path, lines, start, len(lines), lead + 3 * len(names), "QTM TSV file", lambda ln: ln.split("\t"))
    declared_n = meta.get("NO_OF_FRAMES", [""])[0] if meta.get("NO_OF_FRAMES") else ""
    if declared_n.isdigit() and arr.shape[0] < int(declared_n):
        raise GaitscopeError(f"{path}: the QTM TSV file is cut off ({arr.shape[0]} of {declared_n} frames); export it again")
    xyz = arr[:, lead:].reshape(arr.shape[0], len(names), 3)
    xyz[np.all(xyz == 0.0, axis=2)] = np.nan
    return _text_export_raw(path, "QTM TSV file", names, xyz * 0.001, rate, np.arange(arr.shape[0]) / rate, "mm")


#: Section titles of a Vicon Nexus CSV export; the file starts with one of them.
_NEXUS_SECTIONS: frozenset[str] = frozenset({"Devices", "Joints", "Model Outputs", "Segments", "Trajectories"})


def is_nexus_csv(path: Path) -> bool:
    """Whether ``path`` is a Vicon Nexus CSV export: its first non-empty line is a section title (``Devices``,
    ``Joints``, ``Model Outputs``, ``Segments``, ``Trajectories``) and the next one a rate."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            head = [ln.strip().strip(",").strip() for ln in (next(f, "") for _ in range(20))]
    except OSError:
        return False
    head = [ln for ln in head if ln]
    return len(head) >= 2 and head[0] in _NEXUS_SECTIONS and _is_float(head[1])


def _read_nexus_csv(path: Path) -> _Raw:
    """The ``Trajectories`` section of a Vicon Nexus CSV export.

    Layout (Nexus "Export CSV"): sections (``Devices``, ``Model Outputs``, ``Trajectories`` ...) each start with
    their title line, then the rate (Hz), a row of names (``,,Subject:LASI,,,Subject:RASI,,, ...``, one per three
    columns), the columns' roles (``Frame,Sub Frame,X,Y,Z,...``), their units (``,,mm,mm,mm,...``) and the data, one
    row per frame, until a blank line. Frame numbers need not start at 1 (time is from the first exported frame);
    they must step by one (a gap would shift time) and empty cells are missing samples.
    """
    from gaitscope.capture.validate import read_text

    lines = read_text(path, what="Vicon CSV file", windows_fallback=True).splitlines()
    at = next((k for k, ln in enumerate(lines) if ln.strip().rstrip(",") == "Trajectories"), None)
    if at is None or at + 5 >= len(lines):
        found = [t for t in dict.fromkeys(ln.strip().rstrip(",") for ln in lines) if t in _NEXUS_SECTIONS]
        raise GaitscopeError(
            f"{path}: this Vicon CSV file has no complete 'Trajectories' section (it holds: {', '.join(found) or 'none'}); "
            "export the marker trajectories too"
        )
    rate_cells = [c for c in lines[at + 1].split(",") if c.strip()]
    rate = _rate_from_text(rate_cells[0] if rate_cells else "", path, "the Trajectories rate (the line after 'Trajectories')")
    name_cells = [c.strip() for c in lines[at + 2].split(",")]
    role_cells = [c.strip().lower() for c in lines[at + 3].split(",")]
    unit_cells = [c.strip() for c in lines[at + 4].split(",")]
    if role_cells[:2] != ["frame", "sub frame"]:
        raise GaitscopeError(f"{path}: the Trajectories section's 4th line is not 'Frame,Sub Frame,X,Y,Z,...'; export it again")
    names, cols, units, subjects = [], [], set(), []
    for j in range(2, len(role_cells) - 2, 3):
        if role_cells[j:j + 3] != ["x", "y", "z"]:
            continue
        nm = name_cells[j] if j < len(name_cells) else ""
        if nm:
            names.append(_clean_label(nm))
            subjects.append(_label_subject(nm))
            cols.append(j)
            units.update(u for u in unit_cells[j:j + 3] if u)
    if not names:
        raise GaitscopeError(f"{path}: the Trajectories section names no marker; label the markers in Nexus and export again")
    if len(units) > 1:
        raise GaitscopeError(f"{path}: the Trajectories section mixes units ({', '.join(sorted(units))}); export it again")
    unit = units.pop() if units else ""
    scale = _unit_scale(unit, path) if unit else 1.0
    end = next((k for k in range(at + 5, len(lines)) if not lines[k].strip().strip(",")), len(lines))
    arr = _numeric_rows(path, lines, at + 5, end, len(role_cells), "Vicon CSV file", lambda ln: ln.split(","),
                        pad_short=True)
    frames = arr[:, 0]
    if not np.all(np.isfinite(frames)) or not np.all(np.diff(frames) == 1):
        raise GaitscopeError(f"{path}: the Trajectories frame numbers do not step by one on every row; export the whole range again")
    xyz = np.stack([arr[:, j:j + 3] for j in cols], axis=1) * scale
    return _text_export_raw(path, "Vicon CSV file", tuple(names), xyz, rate, (frames - frames[0]) / rate, unit,
                            subjects=tuple(subjects))


def is_motive_csv(path: Path) -> bool:
    """Whether ``path`` is an OptiTrack Motive CSV export (its first line starts ``Format Version``)."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            return f.readline().startswith("Format Version")
    except OSError:
        return False


def _read_motive_csv(path: Path) -> _Raw:
    """The labelled markers of an OptiTrack Motive CSV export.

    Layout (Motive "Export Tracking Data", CSV format 1.2x): line 1 key,value pairs (``Export Frame Rate``,
    ``Length Units`` Millimeters/Meters, ``Coordinate Space`` ...); then rows ``,Type,...``, ``,Name,...``,
    ``,ID,...`` (and ``,Parent,...``; older exports leave the labels out: ``,,Marker,...``), a component row
    (``,,Position,...``, ``Rotation`` for rigid bodies), the axis row ``Frame,Time (Seconds),X,Y,Z,...`` and one
    row per frame. gaitscope takes the Position X/Y/Z of every column group of type ``Marker`` (measured markers;
    rigid bodies, bones and their expected markers are left out), names without a ``Skeleton:`` style prefix.
    Empty cells are missing samples; the time column must follow the export rate (half a sample at most).
    """
    from gaitscope.capture.validate import read_text

    lines = read_text(path, what="Motive CSV file", windows_fallback=True).splitlines()
    first = [c.strip() for c in lines[0].split(",")]
    meta = {first[i]: first[i + 1] for i in range(0, len(first) - 1, 2)}
    axis_at = next((k for k, ln in enumerate(lines)
                    if [c.strip().lower() for c in ln.split(",")[:2]][:1] == ["frame"]
                    and ln.split(",")[1:2] and ln.split(",")[1].strip().lower().startswith("time")), None)
    if axis_at is None:
        raise GaitscopeError(f"{path}: this Motive CSV has no 'Frame,Time (Seconds),X,Y,Z' column header; export it again")
    head_rows = [[c.strip() for c in ln.split(",")] for ln in lines[1:axis_at] if ln.strip(",").strip()]
    labelled = {r[1]: r for r in head_rows if len(r) > 1 and r[1] in ("Type", "Name", "ID", "Parent")}
    unlabelled = [r for r in head_rows if len(r) > 1 and r[1] not in ("Type", "Name", "ID", "Parent")]
    component = next((r for r in unlabelled if "Position" in r), None)
    order = [r for r in unlabelled if r is not component]
    types = labelled.get("Type") or (order[0] if order else None)
    names_row = labelled.get("Name") or (order[1] if len(order) > 1 else None)
    if types is None or names_row is None:
        raise GaitscopeError(f"{path}: this Motive CSV has no Type and Name rows above its column header; export it again")
    axes = [c.strip() for c in lines[axis_at].split(",")]

    def cell(row: list[str], j: int) -> str:
        return row[j] if j < len(row) else ""

    names, cols, subjects = [], [], []
    for j in range(2, len(axes) - 2):
        if axes[j:j + 3] != ["X", "Y", "Z"] or cell(types, j) != "Marker":
            continue
        if component is not None and cell(component, j) != "Position":
            continue
        nm = cell(names_row, j)
        if nm:
            names.append(_clean_label(nm))
            subjects.append(_label_subject(nm))
            cols.append(j)
    if not names:
        raise GaitscopeError(f"{path}: this Motive CSV holds no labelled Marker columns; label the markers in Motive and export again")
    rate = _rate_from_text(meta.get("Export Frame Rate") or meta.get("Capture Frame Rate") or "", path,
                           "the Motive 'Export Frame Rate'")
    unit_name = meta.get("Length Units", "").lower()
    unit = {"millimeters": "mm", "meters": "m", "centimeters": "cm"}.get(unit_name, "")
    if unit_name and not unit:
        raise GaitscopeError(f"{path}: unknown Motive length unit {meta.get('Length Units')!r}; export in millimeters or meters")
    scale = _unit_scale(unit, path) if unit else 1.0
    arr = _numeric_rows(path, lines, axis_at + 1, len(lines), len(axes), "Motive CSV file", lambda ln: ln.split(","),
                        pad_short=True)
    t = arr[:, 1]
    if not np.all(np.isfinite(t)) or not np.all(np.diff(t) > 0):
        raise GaitscopeError(f"{path}: the Motive time column is not increasing on every row; export the take again")
    _check_even_time(t, rate, path, f"the Motive time column (export rate {rate:g} Hz)", "export the whole take again")
    xyz = np.stack([arr[:, j:j + 3] for j in cols], axis=1) * scale
    return _text_export_raw(path, "Motive CSV file", tuple(names), xyz, rate, t - t[0], unit, subjects=tuple(subjects))


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- mapping
_SEP = re.compile(r"[\s._\-]+")


def normalise_marker_name(name: str) -> str:
    """Matching key of a marker name: lower case without spaces, dots, underscores, hyphens.

    ``"L.Heel"``, ``"L_HEEL"``, ``"l heel"`` and ``"LHEEL"`` all become ``"lheel"``.
    """
    return _SEP.sub("", name.strip().lower())


def resolve_duplicate_labels(
    names: tuple[str, ...] | list[str], xyz_m: np.ndarray
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Markers by name when labels repeat: the trajectory with the most recorded samples wins.

    Labels are compared by :func:`normalise_marker_name` (so ``L.Heel`` and ``L_HEEL`` in one
    file are one marker). An all-missing (all-zero -> NaN) trajectory never replaces one with
    data; between two with data the one with more samples is kept (ties: the first) and the
    other fills its gaps only where it has samples. Labels starting with ``*`` (unlabelled
    trajectories) and empty labels are dropped.

    Returns the markers (original label of the kept trajectory -> ``(n, 3)``) and notes.
    """
    groups: dict[str, list[int]] = {}
    for j, nm in enumerate(names):
        if not nm or nm.startswith("*"):
            continue
        groups.setdefault(normalise_marker_name(nm), []).append(j)
    out: dict[str, np.ndarray] = {}
    notes: list[str] = []
    for idx in groups.values():
        counts = [int(np.all(np.isfinite(xyz_m[:, j, :]), axis=1).sum()) for j in idx]
        order = sorted(range(len(idx)), key=lambda k: (-counts[k], k))
        keep = idx[order[0]]
        arr = xyz_m[:, keep, :].copy()
        filled = 0
        for k in order[1:]:
            other = xyz_m[:, idx[k], :]
            gap = ~np.all(np.isfinite(arr), axis=1) & np.all(np.isfinite(other), axis=1)
            arr[gap] = other[gap]
            filled += int(gap.sum())
        out[names[keep]] = arr
        if len(idx) > 1:
            parts = ", ".join(f"#{idx[k] + 1} '{names[idx[k]]}' {counts[k]} samples" for k in order)
            notes.append(
                f"duplicate label '{names[keep]}' ({len(idx)} trajectories: {parts}): kept #{keep + 1}"
                + (f", {filled} gap samples filled from the others" if filled else "; trajectories without data ignored")
            )
    return out, notes


def _lookup(raw: Mapping[str, np.ndarray]) -> dict[str, str]:
    return {normalise_marker_name(k): k for k in raw}


def _mean_of(markers: Mapping[str, np.ndarray], low: dict[str, str], names: list[str] | tuple[str, ...]) -> np.ndarray | None:
    keys = [normalise_marker_name(n) for n in names]
    if not all(k in low for k in keys):
        return None
    arrs = [markers[low[k]] for k in keys]
    out = np.mean(arrs, axis=0)
    if not np.isfinite(out).any():
        return None
    return out


def _first_of(
    ms: MarkerSet, markers: Mapping[str, np.ndarray], low: dict[str, str], alts: tuple[tuple[str, ...], ...], side: str | None
) -> tuple[np.ndarray | None, str]:
    for alt in alts:
        names = [ms.expand(m, side) for m in alt]
        v = _mean_of(markers, low, names)
        if v is not None:
            return v, ("mean of " + "+".join(low[normalise_marker_name(n)] for n in names) if len(names) > 1
                       else low[normalise_marker_name(names[0])])
    return None, ""


#: Private keypoint name prefix of a heel stand-in marker (turned into a virtual heel after rotation).
_STAND_IN = "_standin_"


def _resolve_set(ms: MarkerSet, markers: Mapping[str, np.ndarray], unit_m: float = 1.0) -> tuple[dict[str, np.ndarray], dict[str, str], list[str]]:
    """Keypoints (name -> (n,3) lab) a set yields from ``markers``; with the source of each and the missing."""
    low = _lookup(markers)
    out: dict[str, np.ndarray] = {}
    how: dict[str, str] = {}
    missing: list[str] = []
    for kp, alts in ms.keypoints.items():
        sides = [None] if kp in UNSIDED_KEYPOINTS else list(SIDES)
        for side in sides:
            full = kp if side is None else f"{side}_{kp}"
            v, text = _first_of(ms, markers, low, alts, side)
            if v is not None:
                out[full] = v
                how[full] = text
    # hip joint centres from the pelvis
    asis = {s: _first_of(ms, markers, low, ms.pelvis["asis"], s) if ms.pelvis.get("asis") else (None, "") for s in SIDES}
    back = None
    back_how = ""
    if ms.pelvis.get("psis"):
        pl, tl = _first_of(ms, markers, low, ms.pelvis["psis"], "left")
        pr, tr = _first_of(ms, markers, low, ms.pelvis["psis"], "right")
        if pl is not None and pr is not None:
            back = 0.5 * (pl + pr)
            back_how = f"PSIS midpoint ({tl}, {tr})"
    if back is None and ms.pelvis.get("sacrum"):
        back, text = _first_of(ms, markers, low, ms.pelvis["sacrum"], None)
        back_how = f"sacral marker {text}"
    if ("left_hip" not in out and "right_hip" not in out  # a hip joint centre stored in the file wins
            and asis["left"][0] is not None and asis["right"][0] is not None and back is not None):
        lh, rh = harrington_hjc(asis["left"][0], asis["right"][0], back, unit_m=unit_m)
        out["left_hip"], out["right_hip"] = lh, rh
        how["left_hip"] = how["right_hip"] = f"{HJC_METHOD} from ASIS ({asis['left'][1]}, {asis['right'][1]}) and {back_how}"
        out["_pelvis_front"] = 0.5 * (asis["left"][0] + asis["right"][0])
        out["_pelvis_back"] = back
    for kp, spec in ms.functional.items():
        for side in SIDES:
            full = f"{side}_{kp}"
            if full in out:
                continue
            prox = [ms.expand(m, side) for m in spec["proximal"]]
            dist = [ms.expand(m, side) for m in spec["distal"]]
            if all(normalise_marker_name(m) in low for m in prox + dist):
                p = np.stack([markers[low[normalise_marker_name(m)]] for m in prox], axis=1)
                d = np.stack([markers[low[normalise_marker_name(m)]] for m in dist], axis=1)
                try:
                    centre, axis = score_joint_centre_axis(p, d)
                except ValueError:
                    continue
                text = f"functional centre (SCoRE, Ehrig 2006) of {'+'.join(prox)} vs {'+'.join(dist)}"
                target = out.get(f"{side}_{spec['align']}") if spec.get("align") else None
                if target is not None:
                    # slide along the hinge axis to the point nearest the aligned joint centre
                    # (neutral mechanical axis: hip, knee and ankle centres in one frontal line)
                    shift = -np.nanmean(np.sum((centre - target) * axis, axis=1))
                    centre = centre + shift * axis
                    text += f", on its axis nearest the {spec['align']} centre"
                out[full] = centre
                how[full] = text
    # heel stand-ins (files without heel markers): the marker now, a virtual heel after rotation
    for side in SIDES:
        if f"{side}_heel" in out or "heel" not in ms.stand_ins or f"{side}_toe" not in out:
            continue
        v, text = _first_of(ms, markers, low, ms.stand_ins["heel"], side)
        if v is not None:
            out[f"{side}_heel"] = v
            out[f"{_STAND_IN}{side}_heel"] = v
            how[f"{side}_heel"] = f"no heel marker: virtual heel below {text}, moving with the {text} -> toe line"
    for kp in ms.required:
        sides = [None] if kp in UNSIDED_KEYPOINTS else list(SIDES)
        for side in sides:
            full = kp if side is None else f"{side}_{kp}"
            if full not in out:
                missing.append(full)
    return out, how, missing


def _needed_markers(ms: MarkerSet) -> str:
    parts = []
    for kp in ms.required:
        if kp == "hip":
            p = ms.pelvis
            alt = lambda k: " or ".join("+".join(a) for a in p.get(k, ()))  # noqa: E731
            back = " or ".join(filter(None, [alt("psis"), alt("sacrum")]))
            parts.append(f"hip<-{alt('asis')} & {back}")
        else:
            alts = ms.keypoints.get(kp, ())
            txt = " or ".join("+".join(a) for a in alts)
            if kp in ms.functional:
                txt += " or clusters " + "+".join(ms.functional[kp]["proximal"]) + " & " + "+".join(ms.functional[kp]["distal"])
            if kp in ms.stand_ins:
                txt += " (or, without a heel marker, " + " or ".join("+".join(a) for a in ms.stand_ins[kp]) + ")"
            parts.append(f"{kp}<-{txt}")
    return f"{ms.name} ({', '.join(parts)}; {{S}} = {ms.side_prefix['left']!r}/{ms.side_prefix['right']!r})"


@dataclass(frozen=True, eq=False)
class MarkerSetChoice:
    """The marker set chosen for a file and how every known set scored.

    ``scores``: one dict per set (best first): ``set``, ``keypoints`` (number resolved),
    ``stand_ins`` (heels built from another marker), ``fits`` (all required keypoints resolved),
    ``missing`` (required keypoints not resolved).
    """

    marker_set: MarkerSet
    keypoints: dict[str, np.ndarray]
    how: dict[str, str]
    scores: tuple[dict[str, Any], ...]

    @property
    def stand_ins(self) -> tuple[str, ...]:
        """Sides whose heel is built from a stand-in marker."""
        return tuple(k[len(_STAND_IN):].split("_")[0] for k in self.keypoints if k.startswith(_STAND_IN))

    def summary(self) -> dict[str, Any]:
        """JSON-ready description: chosen set, its source, markers used per keypoint, scores."""
        return {
            "chosen": self.marker_set.name,
            "source": self.marker_set.source,
            "markers_used": dict(sorted(self.how.items())),
            "heel_stand_in": list(self.stand_ins),
            "markerless": self.marker_set.markerless,
            "scores": [dict(s) for s in self.scores],
        }


def _foot_refusal(markers: Mapping[str, np.ndarray], sets: Mapping[str, MarkerSet]) -> str | None:
    """'no heel or toe marker for the left foot among: ...' when no set finds a foot's heel and toe.

    Names what is missing: heel and toe, the heel only (and no ankle marker to build one from)
    or the toe only, with every name the sets look for.
    """
    low = _lookup(markers)

    def names(alts_of, side):
        out: list[str] = []
        for ms in sets.values():
            for a in alts_of(ms):
                nm = "+".join(ms.expand(m, side) for m in a)
                if nm not in out and normalise_marker_name(nm) not in {normalise_marker_name(x) for x in out}:
                    out.append(nm)
        return out

    for side in SIDES:
        found = heel_any = toe_any = False
        for ms in sets.values():
            heel_alts = ms.keypoints.get("heel", ()) + ms.stand_ins.get("heel", ())
            h = any(all(normalise_marker_name(ms.expand(m, side)) in low for m in a) for a in heel_alts)
            t = any(all(normalise_marker_name(ms.expand(m, side)) in low for m in a) for a in ms.keypoints.get("toe", ()))
            found, heel_any, toe_any = found or (h and t), heel_any or h, toe_any or t
        if found:
            continue
        heels = names(lambda ms: ms.keypoints.get("heel", ()) + ms.stand_ins.get("heel", ()), side)
        toes = names(lambda ms: ms.keypoints.get("toe", ()), side)
        if heel_any and not toe_any:
            return f"no toe marker for the {side} foot among: {', '.join(toes)}"
        if toe_any and not heel_any:
            return f"no heel marker (nor an ankle marker to build a heel from) for the {side} foot among: {', '.join(heels)}"
        return f"no heel or toe marker for the {side} foot among: {', '.join(heels + [t for t in toes if t not in heels])}"
    return None


def choose_marker_set(
    markers: Mapping[str, np.ndarray],
    sets: Mapping[str, MarkerSet],
    *,
    source: str,
    marker_set: str | None = None,
    unit_m: float = 1.0,
) -> MarkerSetChoice:
    """Score every known marker set on ``markers`` and choose the best that fits.

    A set fits when it resolves all its ``required`` keypoints; among those the one with the
    most keypoints wins (a heel built from a stand-in counts half; ties: higher ``priority``).
    Raises GaitscopeError naming what was missing when no set fits.
    """
    if marker_set and marker_set not in sets:
        raise GaitscopeError(f"{source}: unknown marker set {marker_set!r}; known sets: {', '.join(sets)}")
    candidates = [sets[marker_set]] if marker_set else list(sets.values())
    scored = []
    for ms in candidates:
        kp, how, missing = _resolve_set(ms, markers, unit_m)
        n_kp = sum(1 for k in kp if not k.startswith("_"))
        n_si = sum(1 for k in kp if k.startswith(_STAND_IN))
        scored.append(((not missing, n_kp - 0.5 * n_si, ms.priority), ms, kp, how, missing, n_kp, n_si))
    scored.sort(key=lambda r: r[0], reverse=True)
    scores = tuple(
        {"set": r[1].name, "keypoints": r[5], "stand_ins": r[6], "fits": not r[4], "missing": list(r[4])} for r in scored
    )
    best = scored[0] if scored and not scored[0][4] else None
    if best is None:
        todo = (
            "add a [sets.<name>] table for your markers in a TOML file shaped like gaitscope/knowledge/marker_maps.toml "
            "and give it with --marker-map PATH (load_markers(..., mapping_file=PATH) in Python)"
        )
        foot = _foot_refusal(markers, {ms.name: ms for ms in candidates})
        have = ", ".join(sorted(markers)[:40]) + (" ..." if len(markers) > 40 else "")
        if foot:
            raise GaitscopeError(f"{source}: no known marker set fits: {foot} (the file's markers: {have}); {todo}")
        near = scored[0]
        raise GaitscopeError(
            f"{source}: no known marker set fits this file's markers ({have}); the closest, {near[1].name}, "
            f"misses {', '.join(near[4])}; known sets need: {'; '.join(_needed_markers(ms) for ms in candidates)}; {todo}"
        )
    return MarkerSetChoice(marker_set=best[1], keypoints=best[2], how=best[3], scores=scores)


def map_markers(
    markers: Mapping[str, np.ndarray],
    sets: Mapping[str, MarkerSet],
    *,
    source: str,
    marker_set: str | None = None,
    unit_m: float = 1.0,
) -> tuple[MarkerSet, dict[str, np.ndarray], dict[str, str]]:
    """Choose the marker set that fits ``markers`` best and return its keypoints.

    Returns ``(set, keypoints, how)``: keypoint name -> ``(n, 3)`` array in the markers' frame
    (plus private ``_pelvis_front``/``_pelvis_back`` entries when a pelvis was found) and a
    text per keypoint saying which markers made it. See :func:`choose_marker_set`.
    """
    ch = choose_marker_set(markers, sets, source=source, marker_set=marker_set, unit_m=unit_m)
    return ch.marker_set, ch.keypoints, ch.how


# ---------------------------------------------------------------- lab -> world
def _axis_vec(axis: int, sign: float) -> np.ndarray:
    v = np.zeros(3)
    v[axis] = sign
    return v


def _find_up(kp: Mapping[str, np.ndarray], hint: str | None) -> tuple[np.ndarray, str]:
    feet = [v for k, v in kp.items() if k.endswith(("_heel", "_toe"))]
    prox = [v for k, v in kp.items() if k.endswith(("_hip", "_knee", "_shoulder")) or k in ("c7", "_pelvis_front")]
    if feet and prox:
        f = np.nanmedian(np.concatenate(feet, axis=0), axis=0)
        p = np.nanmedian(np.concatenate(prox, axis=0), axis=0)
        d = p - f
        ax = int(np.nanargmax(np.abs(d)))
        return _axis_vec(ax, float(np.sign(d[ax]))), "up = lab axis along which hips/knees/trunk sit above the feet"
    if hint:
        return _axis_vec("xyz".index(hint[1]), 1.0 if hint[0] == "+" else -1.0), f"up = lab {hint} (marker set's vertical_hint)"
    if not feet:
        raise ValueError("no foot keypoints to find the vertical")
    best = (-np.inf, 0, 1.0)
    for ax in range(3):
        for sign in (1.0, -1.0):
            ratios = []
            for v in feet:
                h = sign * v[:, ax]
                h = h[np.isfinite(h)]
                if h.size < 10:
                    continue
                p5, p50, p95 = np.percentile(h, [5, 50, 95])
                ratios.append((p95 - p50) / max(p50 - p5, 1e-6))
            if ratios and np.median(ratios) > best[0]:
                best = (float(np.median(ratios)), ax, sign)
    return _axis_vec(best[1], best[2]), "up = lab axis along which the foot markers rest low with brief upward excursions (swing)"


def _facing_vectors(kp: Mapping[str, np.ndarray]) -> tuple[np.ndarray, str]:
    if "_pelvis_front" in kp:
        return kp["_pelvis_front"] - kp["_pelvis_back"], "pelvis (ASIS midpoint minus PSIS midpoint/sacrum)"
    vecs = [kp[f"{s}_toe"] - kp[f"{s}_heel"] for s in SIDES if f"{s}_toe" in kp and f"{s}_heel" in kp]
    if not vecs:
        raise ValueError("no pelvis and no heel/toe pair to find the facing direction")
    st = np.stack(vecs)
    ok = np.isfinite(st)
    with np.errstate(invalid="ignore"):  # frames with neither foot seen stay NaN, without a warning
        mean = np.where(ok, st, 0.0).sum(axis=0) / ok.sum(axis=0)
    return mean, "heel -> toe of both feet"


def lab_to_world_rotation(kp: Mapping[str, np.ndarray], *, vertical_hint: str | None = None) -> tuple[np.ndarray, list[str]]:
    """Rotation matrix ``R`` (3x3) with ``world = lab @ R.T`` (rows: world x, y, z in lab axes).

    ``kp`` maps keypoint names (``left_heel`` ...; optional private ``_pelvis_front`` /
    ``_pelvis_back``) to ``(n, 3)`` lab coordinates. See the module docstring for the rules.
    Returns the rotation and notes describing the decisions.
    """
    up, up_note = _find_up(kp, vertical_hint)
    face, face_note = _facing_vectors(kp)
    face_h = face - np.outer(face @ up, up)
    ok = np.all(np.isfinite(face_h), axis=1) & (np.linalg.norm(face_h, axis=1) > 1e-9)
    if ok.sum() < 2:
        raise ValueError("no frame with a usable facing direction")
    fu = face_h[ok] / np.linalg.norm(face_h[ok], axis=1, keepdims=True)
    w, v = np.linalg.eigh(fu.T @ fu)
    d = v[:, -1]
    d = d - (d @ up) * up
    d /= np.linalg.norm(d)
    proj = fu @ d
    frac = float(np.mean(np.sign(proj)))
    notes = [up_note, f"forward from {face_note}"]
    if abs(frac) >= 0.6:
        sign = np.sign(frac)
    else:
        first = proj[: max(1, len(proj) // 4)]
        sign = np.sign(np.median(first)) or 1.0
        pct = 100.0 * np.mean(np.sign(proj) != sign)
        notes.append(
            f"the person turns: +x is the facing direction of the first part of the recording and {pct:.0f}% of frames face -x"
        )
    d = sign * d
    # snap to the nearest horizontal lab axis
    for ax in range(3):
        if abs(up[ax]) > 0.5:
            continue
        for s in (1.0, -1.0):
            cand = _axis_vec(ax, s)
            ang = math.degrees(math.acos(float(np.clip(d @ cand, -1, 1))))
            if ang < _SNAP_DEG:
                notes.append(f"forward snapped to lab {'+' if s > 0 else '-'}{'xyz'[ax]} ({ang:.1f} deg away)")
                d = cand
    right = np.cross(d, up)
    r = np.stack([d, up, right])
    notes.append(
        "world = rotated lab frame: +x (forward) = lab " + _axis_text(d) + ", +y (up) = lab " + _axis_text(up) + ", +z (right) = lab " + _axis_text(right)
    )
    return r, notes


def _axis_text(v: np.ndarray) -> str:
    ax = int(np.argmax(np.abs(v)))
    if abs(v[ax]) > 0.9999:
        return ("+" if v[ax] > 0 else "-") + "xyz"[ax]
    return "(" + ", ".join(f"{c:+.3f}" for c in v) + ")"


# ---------------------------------------------------------------- C3D extras
def _c3d_param(c3d: Any, group: str, name: str) -> Any:
    params = c3d["parameters"]
    if group in params and name in params[group]:
        return params[group][name]["value"]
    return None


_EVENT_WORDS = {"footstrike": "ic", "heelstrike": "ic", "initialcontact": "ic", "footcontact": "ic",
                "footoff": "fc", "toeoff": "fc", "finalcontact": "fc"}
#: Event codes with the side in front (Qualisys/Motion Analysis LHS, RTO; also LFS, RFO, LIC, RFC).
_EVENT_CODE = re.compile(r"([lr])(hs|fs|ic|to|fo|fc)")


def _event_kind_side(label: str, context: str) -> tuple[str | None, str | None]:
    """(``ic``/``fc``, side) of one C3D event, or (None, None) for other events.

    Vicon/BTK style: label ``Foot Strike``/``Foot Off`` and context ``Left``/``Right``.
    Qualisys and Motion Analysis store codes such as ``LHS``, ``RHS``, ``LTO``, ``RTO`` in the
    label or (Motion Analysis Cortex) in the context with an empty label.
    """
    lab, ctx = normalise_marker_name(label), normalise_marker_name(context)
    if lab in _EVENT_WORDS and ctx in SIDES:
        return _EVENT_WORDS[lab], ctx
    for text in (lab, ctx):
        m = _EVENT_CODE.fullmatch(text)
        if m:
            return ("ic" if m.group(2) in ("hs", "fs", "ic") else "fc"), ("left" if m.group(1) == "l" else "right")
    return None, None


def c3d_events(c3d: Any, *, first_frame: int, rate_hz: float, n_frames: int) -> pd.DataFrame | None:
    """Foot Strike / Foot Off events of a C3D EVENT section in the data time base.

    Event times in C3D are absolute capture times (``TIMES`` row 0 minutes, row 1 seconds);
    data row ``i`` (0-based) is at ``(first_frame + i) / rate_hz`` where ``first_frame`` is the
    0-based header first frame (ezc3d's ``header.points.first_frame``). Returned ``t_s`` is
    seconds from the first data sample; ``frame`` is the nearest data row. Recognised: label
    Foot Strike/Foot Off with context Left/Right, and side-prefixed codes (LHS, RTO, LFS, RFO
    ...) in the label or the context; other events (e.g. General) are ignored.
    """
    labels = _c3d_param(c3d, "EVENT", "LABELS")
    contexts = _c3d_param(c3d, "EVENT", "CONTEXTS")
    times = _c3d_param(c3d, "EVENT", "TIMES")
    if labels is None or times is None or len(labels) == 0:
        return None
    if contexts is None or len(contexts) < len(labels):
        contexts = list(contexts or []) + [""] * (len(labels) - len(contexts or []))
    t = np.asarray(times, dtype=float)
    if t.ndim == 2 and t.shape[0] == 2:
        t_abs = 60.0 * t[0] + t[1]
    else:
        t_abs = t.reshape(-1)
    rows = []
    for lab, ctx, ta in zip(labels, contexts, t_abs):
        ev, side = _event_kind_side(str(lab), str(ctx))
        if ev is None or side is None:
            continue
        t_s = float(ta) - first_frame / rate_hz
        rows.append({"event": ev, "side": side, "t_s": t_s, "frame": int(round(t_s * rate_hz))})
    if not rows:
        return None
    df = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    df = df[(df["frame"] >= 0) & (df["frame"] < n_frames)]
    return df.sort_values(["t_s", "side"]).reset_index(drop=True)


#: Plug-in-Gait model outputs -> (gaitscope column, component, sign). PiG signs already match
#: gaitscope's (flexion +, dorsiflexion +); see docs/inputs.md.
_PIG_ANGLES: tuple[tuple[str, str, int, float], ...] = (
    ("HipAngles", "hip_flex_deg", 0, 1.0),  # flexion +
    ("HipAngles", "hip_add_deg", 1, 1.0),  # adduction +
    ("HipAngles", "hip_int_rot_deg", 2, 1.0),  # internal rotation +
    ("KneeAngles", "knee_flex_deg", 0, 1.0),  # flexion +
    ("KneeAngles", "knee_varus_deg", 1, 1.0),  # varus (adduction) +
    ("AnkleAngles", "ankle_dorsi_deg", 0, 1.0),  # dorsiflexion +
    ("PelvisAngles", "pelvis_tilt_deg", 0, 1.0),  # anterior tilt +
    ("PelvisAngles", "pelvis_obliquity_deg", 1, 1.0),  # this side's hemipelvis up +
    ("PelvisAngles", "pelvis_rotation_deg", 2, 1.0),  # this side forward (internal) +
    ("FootProgressAngles", "foot_progression_deg", 2, 1.0),  # internal (in-toeing) +, out-toeing -
)


def c3d_model_angles(c3d: Any, *, rate_hz: float) -> pd.DataFrame | None:
    """Lab model angles stored as C3D points (Plug-in-Gait names) -> gaitscope angle table.

    Looks for ``{L,R}HipAngles``, ``KneeAngles``, ``AnkleAngles``, ``PelvisAngles``,
    ``FootProgressAngles`` (an optional ``Subject:`` prefix is ignored). Rows: one per data
    sample per side, ``frame`` (0-based data row), ``t_s`` (seconds from the first data
    sample), ``side``. Zero vectors (the lab's "not computed") become NaN.
    """
    point = c3d["parameters"]["POINT"]
    labels = [_clean_label(x) for x in point["LABELS"]["value"]]
    data = np.asarray(c3d["data"]["points"], dtype=float)
    unit = _c3d_param(c3d, "POINT", "ANGLE_UNITS")
    to_deg = 180.0 / math.pi if unit and str(unit[0]).lower().startswith("rad") else 1.0
    n = data.shape[2]
    tables = []
    found = False
    for side, prefix in (("left", "L"), ("right", "R")):
        cols: dict[str, np.ndarray] = {"frame": np.arange(n), "t_s": np.arange(n) / rate_hz, "side": np.full(n, side)}
        for pig, col, comp, sign in _PIG_ANGLES:
            name = prefix + pig
            if name not in labels:
                continue
            arr = data[:3, labels.index(name), :].copy()
            zero = np.all(arr == 0.0, axis=0)
            v = sign * arr[comp] * to_deg
            v[zero] = np.nan
            cols[col] = v
            found = True
        tables.append(pd.DataFrame(cols))
    if not found:
        return None
    return pd.concat(tables, ignore_index=True)


# ---------------------------------------------------------------- assemble
def build_pose(
    kp_world: Mapping[str, np.ndarray], t_s: np.ndarray, *, source: str, meta: Mapping[str, Any]
) -> PoseSequence:
    """World-frame PoseSequence from keypoint arrays (score 1 where present, 0 where NaN)."""
    names = tuple(n for n in _POSE_ORDER if n in kp_world and np.isfinite(kp_world[n]).any())
    if not names:
        raise GaitscopeError(f"{source}: every mapped keypoint is missing in every frame")
    xyz = np.stack([kp_world[n] for n in names], axis=1)
    score = np.all(np.isfinite(xyz), axis=2).astype(float)
    xyz = np.where(score[..., None] > 0, xyz, np.nan)
    return PoseSequence(xyz=xyz, score=score, names=names, t_s=t_s, frame="world", source=source, meta=meta)


def _known_marker_keys(sets: Mapping[str, MarkerSet]) -> set[str]:
    """Normalised names of every marker any set refers to (both sides)."""
    keys: set[str] = set()
    for ms in sets.values():
        groups = list(ms.keypoints.values()) + list(ms.pelvis.values()) + list(ms.stand_ins.values())
        for alts in groups:
            for alt in alts:
                for m in alt:
                    for side in SIDES:
                        keys.add(normalise_marker_name(ms.expand(m, side) if "{S}" in m else m))
    return keys


def _body_extent(kp: Mapping[str, np.ndarray]) -> float:
    """Median over frames of the largest distance between two mapped keypoints (file units)."""
    arr = np.stack([v for k, v in kp.items() if not k.startswith("_")], axis=1)  # (n, k, 3)
    step = max(1, arr.shape[0] // 200)
    sub = arr[::step]
    d = np.linalg.norm(sub[:, :, None, :] - sub[:, None, :, :], axis=-1)
    with np.errstate(invalid="ignore"):
        per_frame = np.where(np.isfinite(d), d, -np.inf).max(axis=(1, 2))
    per_frame = per_frame[np.isfinite(per_frame) & (per_frame > 0)]
    return float(np.median(per_frame)) if per_frame.size else float("nan")


def check_units(kp: Mapping[str, np.ndarray], unit: str, *, source: str) -> tuple[float, str]:
    """Scale that brings ``kp`` (already scaled by the stated unit) to metres, with a note.

    With a stated unit the scale is 1 when the body's extent is plausible
    (:data:`_BODY_EXTENT_M`), else GaitscopeError (a file whose unit does not match its
    numbers). Without a stated unit, millimetres or metres is inferred from the extent.
    """
    ext = _body_extent(kp)
    lo, hi = _BODY_EXTENT_M
    if not np.isfinite(ext):
        return 1.0, ""
    if unit:
        if lo <= ext <= hi:
            return 1.0, f"units: file {unit!r} converted to metres (body extent {ext:.2f} m)"
        raise GaitscopeError(
            f"{source}: the file says its unit is {unit!r} but then the markers span {ext:.4g} m, not a walking person "
            f"({lo}-{hi} m); fix the unit (C3D POINT:UNITS or the TRC Units field) and export again"
        )
    for scale, name in ((0.001, "mm"), (1.0, "m"), (0.01, "cm")):
        if lo <= ext * scale <= hi:
            return scale, f"units: the file states no unit; {name} inferred from the body extent ({ext * scale:.2f} m)"
    raise GaitscopeError(
        f"{source}: the file states no unit and the markers span {ext:.4g} units, which fits neither mm nor m; "
        "set the unit (C3D POINT:UNITS or the TRC Units field) and export again"
    )


def virtual_heel(ankle: np.ndarray, toe: np.ndarray, *, flat_tolerance_m: float = 0.01) -> tuple[np.ndarray, str]:
    """A heel point for feet without a heel marker, from an ankle marker and the toe (world frame).

    The virtual heel is the point straight below the ankle marker at the toe marker's height
    while the foot is flat, carried with the ankle -> toe line as the foot pitches: in a foot
    frame (u along ankle -> toe, w = u x up, v = w x u) its coordinates are the medians over
    foot-flat frames (ankle and toe both within ``flat_tolerance_m`` of their lowest level).
    The heel -> toe line is then level in foot-flat, as Plug-in-Gait's "foot flat" static
    option assumes. It leaves out the calcaneus' few centimetres behind the malleolus.

    Returns the ``(n, 3)`` heel and a note.
    """
    up = np.array([0.0, 1.0, 0.0])
    d = toe - ankle
    with np.errstate(invalid="ignore", divide="ignore"):
        u = d / np.linalg.norm(d, axis=1, keepdims=True)
        w = np.cross(u, up)
        w /= np.linalg.norm(w, axis=1, keepdims=True)
        v = np.cross(w, u)
    ok = np.all(np.isfinite(u), axis=1) & np.all(np.isfinite(v), axis=1)
    if ok.sum() < 3:
        raise ValueError("the ankle and toe markers are never seen together")
    ya, yt = ankle[:, 1], toe[:, 1]
    flat = ok & (ya <= np.nanpercentile(ya[ok], 5) + flat_tolerance_m) & (yt <= np.nanpercentile(yt[ok], 5) + flat_tolerance_m)
    how = "ankle and toe at their lowest level"
    if flat.sum() < 3:
        pitch = np.where(ok, np.abs(u[:, 1]), np.inf)
        flat = ok & (pitch <= np.nanpercentile(pitch[ok], 10))
        how = "the most level tenth of the ankle -> toe line"
    o = np.zeros((int(flat.sum()), 3))
    o[:, 1] = yt[flat] - ya[flat]
    alpha = float(np.median(np.sum(o * u[flat], axis=1)))
    beta = float(np.median(np.sum(o * v[flat], axis=1)))
    heel = ankle + alpha * u + beta * v
    note = (f"{100 * alpha:+.1f} cm along ankle->toe, {100 * beta:+.1f} cm perpendicular "
            f"(from {int(flat.sum())} foot-flat frames: {how})")
    return heel, note


def load_markers(
    path: str | Path,
    *,
    mapping_file: str | Path | None = None,
    marker_set: str | None = None,
    grf_path: str | Path | None = None,
    ik_path: str | Path | None = None,
    grf_threshold_n: float = 20.0,
) -> MarkerRecording:
    """Read a marker file into a :class:`MarkerRecording`.

    Parameters
    ----------
    path
        ``.c3d`` (ezc3d), ``.trc`` (OpenSim), a Vicon Nexus or OptiTrack Motive ``.csv`` export, a Qualisys QTM
        ``.tsv`` export, or a wide marker table ``.txt``/``.tsv`` (``docs/inputs.md``).
    mapping_file
        Optional user TOML with extra/replacement marker sets (see ``marker_maps.toml``).
    marker_set
        Force one marker set by name instead of choosing the best fit.
    grf_path
        OpenSim ground-reaction ``.mot`` giving reference events (TRC); by default
        ``<stem>_grf.mot`` beside the TRC is used when present.
    ik_path
        OpenSim inverse-kinematics ``.mot`` giving model angles (TRC); by default
        ``<stem>_ik.mot`` beside the TRC when present.
    grf_threshold_n
        Vertical force above which a foot is on a plate (newtons).

    Returns
    -------
    MarkerRecording
        See its docstring: world frame (m, +x facing, +y up, +z right), ``t_s`` from the
        first data sample.
    """
    p = Path(path)
    if not p.is_file():
        raise GaitscopeError(f"{p}: no such marker file; check the path")
    if p.stat().st_size == 0:
        raise GaitscopeError(f"{p}: the file is empty; export the marker data again")
    ext = p.suffix.lower()
    c3d = None
    if ext == ".c3d":
        raw, c3d = _read_c3d(p)
    elif ext == ".trc":
        raw = _read_trc(p)
    elif ext == ".csv" and is_nexus_csv(p):
        raw = _read_nexus_csv(p)
    elif ext == ".csv" and is_motive_csv(p):
        raw = _read_motive_csv(p)
    elif ext in (".txt", ".tsv"):
        raw = _read_marker_table(p)
    else:
        raise GaitscopeError(f"{p}: unsupported marker file type {ext!r}; give a .c3d, .trc, a Vicon Nexus or OptiTrack Motive CSV, a QTM TSV or a marker table (.txt, .tsv)")
    sets = load_marker_maps(mapping_file)
    raw, subject_note = _one_subject(raw, sets, p)
    markers_lab, dup_notes = resolve_duplicate_labels(raw.names, raw.xyz_m)
    if not markers_lab:
        raise GaitscopeError(f"{p}: the file holds no labelled marker trajectories; label the markers in the lab software and export again")
    known = _known_marker_keys(sets)
    body = {k: v for k, v in markers_lab.items() if normalise_marker_name(k) in known and np.isfinite(v).any()}
    scale, unit_note = check_units(body or markers_lab, raw.unit, source=str(p))
    if scale != 1.0:
        markers_lab = {k: v * scale for k, v in markers_lab.items()}
    if not raw.unit and c3d is None:  # a text export that states no unit: its range is checked in the inferred one
        from gaitscope.capture.validate import check_coordinates

        check_coordinates(np.stack(list(markers_lab.values()), axis=1), source=p, frame="world", what="marker coordinates")
    choice = choose_marker_set(markers_lab, sets, source=str(p), marker_set=marker_set, unit_m=1.0)
    ms, kp_lab, how = choice.marker_set, choice.keypoints, choice.how
    try:
        rot, frame_notes = lab_to_world_rotation(kp_lab, vertical_hint=ms.vertical_hint)
    except ValueError as err:
        raise GaitscopeError(f"{p}: cannot orient the lab frame ({err}); check that the foot and pelvis markers are labelled") from None
    kp_world = {k: v @ rot.T for k, v in kp_lab.items() if not k.startswith("_")}
    for side in choice.stand_ins:
        try:
            kp_world[f"{side}_heel"], vh_note = virtual_heel(kp_world[f"{side}_heel"], kp_world[f"{side}_toe"])
        except ValueError as err:
            raise GaitscopeError(f"{p}: no heel marker for the {side} foot and no virtual heel can be built ({err}); "
                                 "give a file with heel markers or a --marker-map that names them") from None
        how[f"{side}_heel"] += f" ({vh_note})"
    markers_world = {k: v @ rot.T for k, v in markers_lab.items()}
    lateral = np.concatenate([v[:, 2] for v in kp_world.values()])
    lateral = lateral[np.isfinite(lateral)]
    planar = bool(lateral.size and np.ptp(lateral) < _PLANAR_M)
    n = raw.xyz_m.shape[0]
    t_s = raw.time_s - raw.time_s[0]
    notes = [f"marker set '{ms.name}': {ms.description}"]
    notes.append("marker sets scored (keypoints found; * = fits): " + ", ".join(
        f"{sc['set']} {sc['keypoints']}{'*' if sc['fits'] else ''}" for sc in choice.scores))
    if choice.stand_ins:
        notes.append(
            f"no heel marker on the {' and '.join(choice.stand_ins)} foot: the heel is a virtual point below the ankle "
            "marker (docs/inputs.md); gait events use it, and ankle angles and foot angles take foot-flat as level"
        )
    notes += dup_notes
    notes.append(unit_note or f"units: file {raw.unit!r} converted to metres")
    notes += raw.notes
    if subject_note:
        notes.append(subject_note)
    notes += [f"{k}: {v}" for k, v in sorted(how.items())]
    notes += frame_notes
    if planar:
        notes.append(f"all keypoints lie in one vertical plane (left-right spread under {_PLANAR_M * 1000:.0f} mm): "
                     "2-D sagittal data such as a gaitscope export of a video, no frontal-plane information")
    events = None
    angles = None
    angles_source = ""
    if c3d is not None:
        first = int(c3d["header"]["points"]["first_frame"])
        events = c3d_events(c3d, first_frame=first, rate_hz=raw.rate_hz, n_frames=n)
        if events is not None:
            notes.append(
                f"reference events: {len(events)} from the C3D EVENT section, shifted by the first data frame "
                f"({first} 0-based, {first / raw.rate_hz:.3f} s) into seconds from the first data sample"
            )
        angles = c3d_model_angles(c3d, rate_hz=raw.rate_hz)
        if angles is not None:
            angles_source = "c3d_model_outputs"
            notes.append("model angles: Plug-in-Gait outputs stored as C3D points (signs as gaitscope; see docs/inputs.md)")
    else:
        from gaitscope.capture import mot as mot_mod

        grf = Path(grf_path) if grf_path else p.with_name(p.stem + "_grf.mot")
        if grf_path or grf.is_file():
            events = mot_mod.events_from_grf(grf, threshold_n=grf_threshold_n, rate_hz=raw.rate_hz, t0_s=float(raw.time_s[0]))
            events = events[(events["frame"] >= 0) & (events["frame"] < n)].reset_index(drop=True)
            notes.append(f"reference events: {len(events)} from force plates in {grf.name} (vertical force > {grf_threshold_n:g} N)")
        ik = Path(ik_path) if ik_path else p.with_name(p.stem + "_ik.mot")
        if ik_path or ik.is_file():
            ang = mot_mod.ik_to_angles(mot_mod.read_mot(ik))
            ang = ang.copy()
            ang["t_s"] = ang["t_s"] - float(raw.time_s[0])
            ang["frame"] = np.rint(ang["t_s"].to_numpy() * raw.rate_hz).astype(int)
            keep = (ang["frame"] >= 0) & (ang["frame"] < n)
            angles = ang[keep].reset_index(drop=True) if keep.any() else None
            angles_source = "opensim_ik" if angles is not None else ""
            notes.append(
                f"model angles: OpenSim inverse kinematics from {ik.name} ({int(keep.sum() // 2)} of its samples fall inside "
                "this recording; knee sign flipped to flexion +)"
            )
    meta = {
        "source_format": ext[1:],
        "marker_set": ms.name,
        "marker_set_choice": choice.summary(),
        "planar": planar,
        "keypoint_sources": how,
        "hip_joint_centre": HJC_METHOD,
        "rate_hz": raw.rate_hz,
        "lab_to_world": rot.tolist(),
        "file_time_of_first_sample_s": float(raw.time_s[0]),
    }
    pose = build_pose(kp_world, t_s, source=str(p), meta=meta)
    return MarkerRecording(
        pose=pose,
        rate_hz=raw.rate_hz,
        reference_events=events,
        model_angles=angles,
        markers=markers_world,
        source=str(p),
        notes=tuple(notes),
        model_angles_source=angles_source if angles is not None else "",
    )
