"""Initial and final contact from foot kinematics (foot-velocity method, adapted to 2-D video).

Method (``docs/events.md`` has the derivation, validation and figures):

* For each foot, the speed of the heel and of the toe relative to the ground is computed in
  the sagittal plane (image plane for frontal video) from the filtered keypoints. The ground
  moves at minus the belt speed on a treadmill and stands still overground
  (:func:`gaitscope.signal.foot_speed.foot_ground_velocity`).
* The foot's *contact speed* is the slower of heel and toe: it is near zero while any part of
  the foot rests on the ground, whichever part lands first. So a foot that lands flat or on
  the forefoot (toe walking, equinus, drop foot with forefoot strike) gets its IC when the
  toe stops, not when the heel eventually comes down.
* Each swing shows one peak of the foot-centre speed ``P``. IC = the first time after the peak
  at which the contact speed falls below ``ic_fraction * P``; FC = the last time before the
  peak at which it rises above ``fc_fraction * P``. Times are interpolated between samples.
  Velocity methods: O'Connor et al. 2007 (Gait Posture 25:469), Ghoussayni et al. 2004
  (Gait Posture 20:266); the relative threshold replaces their fixed mm/s threshold so it
  works in pixels, metres or body heights and at any speed. The fractions (0.16 and 0.28)
  were chosen on the two lab recordings with force-plate/lab events and are reported with
  their errors on every shared recording (``benchmarks/accuracy_events.py``).
* Initial contact of a marker recording walking overground (``ic_method="auto"``, the default): the IC is
  the median of that threshold time, the knee of the contact speed's deceleration and the heel marker's lowest
  point (at a finer filter; a foot without a heel marker keeps the threshold)
  (:func:`gaitscope.signal.foot_speed.initial_contact_votes`), which follows walkers
  whose heel still slides at contact and slow walkers whose foot creeps in better than any single fraction:
  leave-one-file-out on the 12 overground lab files and the foot-marker file, IC error per file 17.5 -> 9.3 ms
  on average (``docs/accuracy.md``, "Initial contact: the median for overground marker recordings"). Every
  other input keeps the speed threshold: treadmill recordings (two files, split: the treadmill C3D 4.9 ->
  5.2 ms, the TRC 4.3 -> 3.7), video and other 3-D keypoints (the heel vote needs a marker on the heel: a pose
  model's or the phantom's heel point, or an ankle marker standing in for a heel, does not dip at contact). The
  same median for video (image input, opt-in ``ic_method="median"``): the footprint detector's contact starts
  (:func:`gaitscope.signal.footprints.contact_start_votes`) with the heel keypoint's lowest image point as the
  third vote; through the virtual cameras it helps slow walkers but makes the treadmill C3D and the real outdoor
  clip worse, so it is not the video default (``docs/accuracy.md``, "Video initial contact").
* Score per event (0..1): keypoint confidence around the event x clarity of the stop or
  start (how far below the threshold the contact speed goes) x plausibility of the timing.
* Implausible sequences are dropped, not forced: per foot the events must alternate
  IC, FC, IC ...; stance and swing durations must lie in the plausible ranges below; of two
  events that break a rule, the one with the lower score is removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gaitscope.knowledge.signal_settings import signal_setting
from gaitscope.signal import footprints
from gaitscope.signal import foot_speed
from gaitscope.signal.prepare import PreparedWalk
from gaitscope.types import SIDES

EVENT_COLUMNS: tuple[str, ...] = ("event", "side", "frame", "t_s", "pass", "score")


@dataclass(frozen=True)
class FootVelocityEventDetector:
    """Detect IC and FC per foot from the foot's speed relative to the ground.

    Defaults (with unit and source) come from ``knowledge/signal_settings.csv``.

    Parameters
    ----------
    ic_fraction, fc_fraction
        Thresholds on the contact speed as fractions of the stride's peak swing speed.
    ic_method
        ``"auto"`` (default): ``"median"`` for a marker recording (C3D, TRC, marker CSV) walking overground,
        on each foot with a heel marker (all three votes), ``"threshold"`` for everything else
        (:meth:`uses_ic_median`). ``"threshold"``: the speed threshold.
        ``"median"``: the median of three criteria (:func:`gaitscope.signal.foot_speed.initial_contact_votes`:
        the speed threshold at ``ic_median_fraction``, the knee of the contact speed's deceleration plus
        ``ic_knee_offset_s``, the heel's lowest point within ``ic_lowest_window_s`` after the threshold: the heel
        marker at the contact cut-off for 3-D markers, the heel keypoint's image height for video); better on the
        overground lab corpus in 3-D and through the virtual cameras, worse on the phantom, the treadmill C3D and
        the real outdoor clip (docs/accuracy.md).
    ic_knee_offset_s
        Constant added to the knee criterion (seconds; chosen leave-one-file-out, docs/accuracy.md).
    ic_median_fraction
        The speed threshold of the median's first vote (fraction of the peak swing speed; chosen
        leave-one-file-out with ``ic_knee_offset_s``, docs/accuracy.md); ``ic_fraction`` is the threshold
        criterion's.
    min_swing_speed_height_per_s
        A swing must reach this foot speed (standing heights per second).
    min_interval_s
        Minimum time between two swings of the same foot.
    margin_s
        Detection runs on the pass extended by this margin on both sides (swings that begin
        before the pass still give its first IC). A pass is the stretch of *steady* travel
        (starts and stops trimmed), so its first stance may begin before it and its last stance
        end after it: events outside the kept span (the pass, or as ``whole_recording`` says) count
        only when they bound a stance that overlaps it (:func:`stance_bounds_pass`), all others are
        discarded.
    whole_recording
        ``"3d"`` (default): for 3-D marker input walking overground, the first pass's events start at
        the recording's first sample and the last pass's end at its last (a lab's recording is all
        walking it chose to capture; the walking passes are trimmed to steady speed, which would drop
        the first and last steps). ``"always"`` / ``"never"``.
    stance_s, swing_s
        Plausible ``(min, max)`` durations of stance (IC->FC) and swing (FC->IC) in seconds.
    min_score
        Events scoring lower are dropped as unreliable (before the sequence checks). Off by
        default: scores also reflect plain visibility (a far leg scores ~0.6), so a fixed
        cut would drop good events of the far foot.
    footprints
        ``"video"``: footprint detector (sides by alternation) for image input walking
        overground in a side view; ``"always"`` / ``"never"``.
    fc_forward
        ``"video"`` (default): for image input the FC is where the foot's *forward* contact speed
        (:func:`~gaitscope.signal.foot_speed.forward_contact_speed`: the slower of heel and toe, horizontal
        velocity only) rises above ``fc_forward_fraction`` instead of where the contact speed rises above
        ``fc_fraction``: a video model's toe keypoint rises with the foot as the heel lifts, before the toes leave
        (docs/events.md, "The outdoor walker's final contacts"). ``"always"`` / ``"never"``.
    fc_forward_fraction
        Threshold of that forward contact speed (fraction of the peak swing speed; chosen on the lab corpus through
        the virtual camera at 30 frames/s, every leave-one-file-out fold: 0.26,
        ``benchmarks/contact_definitions.py --fc-forward``).
    """

    ic_fraction: float = field(default_factory=lambda: signal_setting("ic_fraction"))
    fc_fraction: float = field(default_factory=lambda: signal_setting("fc_fraction"))
    min_swing_speed_height_per_s: float = field(default_factory=lambda: signal_setting("min_swing_speed_height_per_s"))
    min_interval_s: float = field(default_factory=lambda: signal_setting("min_swing_interval_s"))
    ic_method: str = "auto"
    ic_knee_offset_s: float = field(default_factory=lambda: signal_setting("ic_knee_offset_s"))
    ic_median_fraction: float = field(default_factory=lambda: signal_setting("ic_median_fraction"))
    ic_lowest_window_s: float = field(default_factory=lambda: signal_setting("ic_lowest_window_s"))
    margin_s: float = 0.6
    whole_recording: str = "3d"
    stance_s: tuple[float, float] = field(
        default_factory=lambda: (signal_setting("min_stance_s"), signal_setting("max_stance_s")))
    swing_s: tuple[float, float] = field(
        default_factory=lambda: (signal_setting("min_swing_s"), signal_setting("max_swing_s")))
    min_step_fraction: float = field(default_factory=lambda: signal_setting("min_step_fraction"))
    max_phase_factor: float = field(default_factory=lambda: signal_setting("max_phase_factor"))
    min_score: float = 0.0
    footprints: str = "video"
    footprint_same_place_height: float = field(default_factory=lambda: signal_setting("footprint_same_place_height"))
    footprint_max_break_s: float = field(default_factory=lambda: signal_setting("footprint_max_break_s"))
    min_contact_s: float = field(default_factory=lambda: signal_setting("min_stance_s"))
    fc_forward: str = "video"
    fc_forward_fraction: float = field(default_factory=lambda: signal_setting("fc_forward_fraction"))

    def _use_footprints(self, prep: PreparedWalk, kind: str) -> bool:
        if self.footprints == "always":
            return kind != "treadmill"
        if self.footprints == "never":
            return False
        return prep.pose.frame == "image" and kind != "treadmill" and prep.view in ("sagittal", "oblique")

    def _fc_forward(self, prep: PreparedWalk) -> bool:
        """FC where the *forward* contact speed (:func:`~gaitscope.signal.foot_speed.forward_contact_speed`) rises
        above ``fc_forward_fraction``: for image input when ``fc_forward`` is ``"video"`` (default); ``"always"`` / ``"never"``."""
        if self.fc_forward not in ("video", "always", "never"):
            raise ValueError(f"fc_forward must be 'video', 'always' or 'never', got {self.fc_forward!r}")
        return self.fc_forward == "always" or (self.fc_forward == "video" and prep.pose.frame == "image")

    def _ic_votes(self, prep: PreparedWalk) -> bool:
        """IC as the median of three criteria or the speed threshold alone, as ``ic_method`` says."""
        if self.ic_method not in ("auto", "threshold", "median"):
            raise ValueError(f"ic_method must be 'auto', 'threshold' or 'median', got {self.ic_method!r}")
        if self.ic_method == "auto":
            return self.uses_ic_median(prep)
        return self.ic_method == "median"

    def ic_median_sides(self, prep: PreparedWalk) -> tuple[str, ...]:
        """The feet whose IC is the median of three: every foot with ``"median"``, none with ``"threshold"``;
        with ``"auto"`` the feet with a heel marker (all three votes; an ankle marker standing in for a heel does not
        dip at contact) of a recording :meth:`uses_ic_median` accepts."""
        if not self._ic_votes(prep):
            return ()
        if self.ic_method == "median":
            return tuple(SIDES)
        return tuple(s for s in SIDES if _contact_heel_up(prep, s, slice(None)) is not None)

    @staticmethod
    def uses_ic_median(prep: PreparedWalk) -> bool:
        """Whether ``ic_method="auto"`` takes the median of three for ``prep``: 3-D markers (a recording loaded
        through a marker set, ``pose.meta["marker_set"]``, with the heel height at the contact cut-off) walking
        overground. Where it was validated: the overground lab corpus, leave-one-file-out (docs/accuracy.md).
        Not for treadmill walking (two files, split), video, or 3-D keypoints that are not markers (a pose
        model's or the phantom's heel point does not dip at contact like a marker on the heel; this includes
        markerless files loaded through a marker set, OpenCap and Pose2Sim: ``PoseSequence.measured_with``)."""
        meta = prep.pose.meta if isinstance(prep.pose.meta, dict) else {}
        return (prep.pose.measured_with == "lab" and "marker_set" in meta and prep.up_contact is not None
                and bool(prep.passes) and all(p.kind != "treadmill" for p in prep.passes))

    def _whole_recording(self, prep: PreparedWalk) -> bool:
        """Events are kept from the recording's first to its last sample, not only inside the steady
        walking passes: 3-D marker input (``"world"`` frame) walking overground, when ``whole_recording``
        is ``"3d"``; ``"always"`` / ``"never"``."""
        if self.whole_recording == "always":
            return True
        if self.whole_recording == "never":
            return False
        return prep.pose.frame == "world" and all(p.kind != "treadmill" for p in prep.passes)

    def detect(self, prep: PreparedWalk) -> pd.DataFrame:
        """Events of every pass of ``prep``; columns :data:`EVENT_COLUMNS`, sorted by ``t_s``."""
        rows: list[dict] = []
        if prep.gait_mode == "not_walking" or prep.plane_xy is None:
            return empty_events()
        if prep.view == "frontal":
            # not validated: on the phantom seen from the front fewer than a third of the
            # contacts are found (docs/events.md); better none than wrong ones
            return empty_events()
        plane = prep.plane_xy
        names = prep.names
        t_all = prep.pose.t_s
        n = t_all.size
        whole = self._whole_recording(prep)
        median_sides = self.ic_median_sides(prep)
        fwd = self._fc_forward(prep)
        fc_frac = self.fc_forward_fraction if fwd else self.fc_fraction
        for p in prep.passes:
            m = int(round(self.margin_s * prep.rate_hz))
            lo, hi = max(0, p.start - m), min(n, p.end + m)
            # keep events in [keep_lo, keep_hi): the pass, or for 3-D markers the pass extended to the
            # recording's edges (a lab captured the whole recording as walking; its first and last steps,
            # slower than the steady pass, are real contacts; steady-state stride selection for the
            # statistics is the quality layer's job, gaitscope.quality.steady)
            keep_lo, keep_hi = p.start, p.end
            earlier = any(q.end <= p.start for q in prep.passes if q.index != p.index)
            later = any(q.start >= p.end for q in prep.passes if q.index != p.index)
            if whole and not earlier:
                lo = keep_lo = 0
            if whole and not later:
                hi = keep_hi = n
            # never run into a neighbouring pass
            for q in prep.passes:
                if q.index != p.index:
                    if q.end <= p.start:
                        lo = max(lo, (q.end + p.start) // 2)
                    if q.start >= p.end:
                        hi = min(hi, (p.end + q.start) // 2)
            sl = slice(lo, hi)
            t = t_all[sl]
            if t.size < 5:
                continue
            heels = {s: plane[sl, names.index(f"{s}_heel")] for s in SIDES}
            toes = {s: plane[sl, names.index(f"{s}_toe")] for s in SIDES}
            g = 0.0
            if self._use_footprints(prep, p.kind):
                rows.extend(self._footprint_rows(prep, p, lo, sl, heels, toes, g, (keep_lo, keep_hi)))
                continue
            g_side = {
                side: foot_speed.foot_ground_velocity(heels[side], toes[side], t) if p.kind == "treadmill" else 0.0
                for side in SIDES
            }
            heel_up = {side: _contact_heel_up(prep, side, sl) for side in SIDES}
            for side in SIDES:
                c, cen = foot_speed.foot_speeds(heels[side], toes[side], t, g_side[side])
                pk = foot_speed.swing_peaks(
                    cen, t, min_speed=self.min_swing_speed_height_per_s * prep.height,
                    min_interval_s=self.min_interval_s,
                )
                votes = side in median_sides
                ic_frac = self.ic_median_fraction if votes else self.ic_fraction
                phases = foot_speed.contact_phases(
                    c, cen, pk, ic_fraction=ic_frac, fc_fraction=fc_frac,
                    fc_speed=foot_speed.forward_contact_speed(heels[side], toes[side], t, g_side[side]) if fwd else None,
                )
                conf = _foot_conf(prep, side, sl)
                ref_speed = dict(zip(pk.tolist(), foot_speed.peak_speeds(cen, pk).tolist()))
                pk_list = pk.tolist()
                found = []
                for ic, fc, peak_i in phases:
                    if ic is not None and votes:  # IC as the median of three criteria (ic_median_sides)
                        j = pk_list.index(peak_i)
                        nxt = pk_list[j + 1] if j + 1 < len(pk_list) else t.size
                        ic = foot_speed.initial_contact_votes(c, heel_up[side], t, peak_i, nxt, ic,
                                                              knee_offset_s=self.ic_knee_offset_s,
                                                              lowest_window_s=self.ic_lowest_window_s)
                    for kind, x, frac in (("ic", ic, ic_frac), ("fc", fc, fc_frac)):
                        if x is not None:
                            found.append((x, kind, frac, ref_speed[peak_i]))
                found.sort()
                keep = stance_bounds_pass([k for _, k, _, _ in found], [lo + int(round(x)) for x, _, _, _ in found],
                                          keep_lo, keep_hi)
                for (x, kind, frac, peak), kept in zip(found, keep):
                    if not kept:
                        continue
                    i_local = int(round(x))
                    i_glob = lo + i_local
                    t_ev = float(np.interp(x, np.arange(t.size), t))
                    clarity = _clarity(c, i_local, kind, frac * peak, prep.rate_hz)
                    k0, k1 = max(0, i_local - 2), min(t.size, i_local + 3)
                    c_win = conf[k0:k1]
                    rows.append({
                        "event": kind,
                        "side": side,
                        "frame": int(prep.pose.frame_index[i_glob]),
                        "t_s": t_ev,
                        "pass": int(p.index),
                        "score": float(np.clip(float(c_win.mean()) * clarity, 0.0, 1.0)),
                    })
        df = pd.DataFrame(rows, columns=list(EVENT_COLUMNS)) if rows else empty_events()
        df = df.sort_values("t_s", kind="stable").reset_index(drop=True)
        df = df[df["score"] >= self.min_score].reset_index(drop=True)
        df = drop_implausible(df, stance_s=self.stance_s, swing_s=self.swing_s,
                              min_step_fraction=self.min_step_fraction, max_phase_factor=self.max_phase_factor)
        return df


    def _footprint_rows(self, prep, p, lo, sl, heels, toes, g, keep: tuple[int, int]) -> list[dict]:
        """Events of one pass from footprints (sides by alternation, see ``footprints.py``); ``keep``: the
        span (samples) whose overlapping footprints count, see :func:`stance_bounds_pass`."""
        t = prep.pose.t_s[sl]
        peaks = []
        for side in SIDES:
            _, cen = foot_speed.foot_speeds(heels[side], toes[side], t, g)
            pk = foot_speed.swing_peaks(cen, t, min_speed=self.min_swing_speed_height_per_s * prep.height,
                                        min_interval_s=self.min_interval_s)
            peaks.extend(cen[pk[(pk > 0) & (pk < t.size - 1)]].tolist())
        if len(peaks) < 2:
            return []
        ref = float(np.median(peaks))
        prints = footprints.find_footprints(
            heels, toes, t, ground_vx=g, ref_speed=ref, ic_fraction=self.ic_fraction,
            fc_fraction=self.fc_fraction, min_contact_s=self.min_contact_s,
            same_place=self.footprint_same_place_height * prep.height, min_step_fraction=self.min_step_fraction,
            max_break_s=self.footprint_max_break_s,
            fc_forward_fraction=self.fc_forward_fraction if self._fc_forward(prep) else None,
            ic_votes=({"fraction": self.ic_median_fraction, "knee_offset_s": self.ic_knee_offset_s,
                       "lowest_window_s": self.ic_lowest_window_s,
                       "heel_up": {side: _contact_heel_up(prep, side, sl) for side in SIDES}}
                      if self._ic_votes(prep) else None),
        )
        sides = footprints.assign_sides(prints)
        conf = {side: _foot_conf(prep, side, sl) for side in SIDES}
        rows = []
        for fp, side in zip(prints, sides):
            total = sum(fp.votes.values())
            agree = fp.votes.get(side, 0.0) / total if total > 0 else 0.5
            # a footprint is one stance: its events count for the pass when the stance overlaps the kept span
            if not (lo + int(round(fp.ic)) < keep[1] and lo + int(round(fp.fc)) >= keep[0]):
                continue
            for kind, x, found in (("ic", fp.ic, fp.ic_found), ("fc", fp.fc, fp.fc_found)):
                if not found:
                    continue
                i_local = int(round(x))
                i_glob = lo + i_local
                k0, k1 = max(0, i_local - 2), min(t.size, i_local + 3)
                # confidence of the keypoints that made this footprint (vote-weighted labels)
                c_mean = sum(w * float(conf[lab][k0:k1].mean()) for lab, w in fp.votes.items()) / max(total, 1e-9)
                rows.append({
                    "event": kind,
                    "side": side,
                    "frame": int(prep.pose.frame_index[i_glob]),
                    "t_s": float(np.interp(x, np.arange(t.size), t)),
                    "pass": int(p.index),
                    "score": float(np.clip(c_mean * (0.5 + 0.5 * agree), 0.0, 1.0)),
                })
        return rows


def stance_bounds_pass(kinds: list[str], idx: list[int], start: int, end: int) -> list[bool]:
    """Which events of one foot (``kinds`` "ic"/"fc" at sample indices ``idx``, in time order)
    count for the pass ``[start, end)``.

    Events inside the pass count. Outside it only the ends of a stance that overlaps the pass:
    an IC before ``start`` whose stance reaches into the pass (the foot's next event, normally
    the FC ending that stance, is at or after ``start``, or there is none), and an FC at or after
    ``end`` whose stance began before ``end`` (the previous event is before ``end``, or there is
    none). The first landing of a walk that starts from standing comes while the body is still
    speeding up, before the steady part that makes the pass; its stance is the pass's first.
    """
    keep = []
    for j, (k, i) in enumerate(zip(kinds, idx)):
        if start <= i < end:
            keep.append(True)
        elif k == "ic" and i < start:
            keep.append(j + 1 >= len(idx) or idx[j + 1] >= start)
        elif k == "fc" and i >= end:
            keep.append(j == 0 or idx[j - 1] < end)
        else:
            keep.append(False)
    return keep


def _contact_heel_up(prep: PreparedWalk, side: str, sl: slice) -> np.ndarray | None:
    """The heel's height for the heel's lowest-point vote of the opt-in IC: for 3-D markers at the contact
    cut-off (``PreparedWalk.up_contact``); for image input the heel keypoint's image height in the sagittal
    plane (``plane_xy``, up = +, at the walking cut-off: keypoint noise leaves no finer dip to read). ``None``
    for a virtual heel built from an ankle marker (a file without heel markers, ``marker_set_choice.heel_stand_in``,
    also when that file is filmed by the virtual camera), which does not dip at contact."""
    meta = prep.pose.meta if isinstance(prep.pose.meta, dict) else {}
    world_meta = meta.get("world_meta") if isinstance(meta.get("world_meta"), dict) else {}
    for m in (meta, world_meta):
        choice = m.get("marker_set_choice")
        if isinstance(choice, dict) and side in choice.get("heel_stand_in", ()):
            return None
    if prep.up_contact is not None:
        return prep.up_contact[sl, prep.names.index(f"{side}_heel")]
    if prep.pose.frame == "image" and prep.plane_xy is not None:
        return prep.plane_xy[sl, prep.names.index(f"{side}_heel"), 1]
    return None


#: Confidence given to a keypoint sample that was missing and filled by interpolation.
FILLED_SAMPLE_CONF = 0.5


def _foot_conf(prep: PreparedWalk, side: str, sl: slice) -> np.ndarray:
    """Per-frame confidence of a foot: mean score of heel and toe; a sample filled by
    interpolation (score 0 but a finite position) counts :data:`FILLED_SAMPLE_CONF`."""
    idx = [prep.names.index(f"{side}_heel"), prep.names.index(f"{side}_toe")]
    sc = prep.pose.score[sl][:, idx]
    have = np.isfinite(prep.pose.xyz[sl][:, idx, 0])
    sc = np.where((sc <= 0) & have, FILLED_SAMPLE_CONF, sc)
    return np.mean(sc, axis=1)


def _clarity(c: np.ndarray, i: int, kind: str, thr: float, rate_hz: float) -> float:
    """How clearly the foot stops (IC) or had stopped (FC): 1 when the contact speed drops to
    a small fraction of the threshold within 0.15 s on the contact side of the event."""
    w = max(2, int(round(0.15 * rate_hz)))
    seg = c[i : i + w] if kind == "ic" else c[max(0, i - w) : i + 1]
    seg = seg[np.isfinite(seg)]
    if seg.size == 0 or thr <= 0:
        return 0.0
    return float(np.clip(1.0 - float(seg.min()) / thr, 0.0, 1.0) ** 0.5)


def empty_events() -> pd.DataFrame:
    """An events table with no rows and the right columns and dtypes."""
    return pd.DataFrame({
        "event": pd.Series(dtype=object),
        "side": pd.Series(dtype=object),
        "frame": pd.Series(dtype="int64"),
        "t_s": pd.Series(dtype=float),
        "pass": pd.Series(dtype="int64"),
        "score": pd.Series(dtype=float),
    })


def drop_implausible(
    df: pd.DataFrame,
    *,
    stance_s: tuple[float, float],
    swing_s: tuple[float, float],
    min_step_fraction: float = 0.5,
    max_phase_factor: float = 1.8,
) -> pd.DataFrame:
    """Remove events that break the sequence rules (never invents or moves events).

    Rules, per pass:

    * per foot, events alternate IC, FC, IC ...;
    * an IC->FC interval (stance) lies in ``stance_s`` and an FC->IC interval (swing) in
      ``swing_s`` (seconds);
    * two successive ICs (of either foot) are at least ``min_step_fraction`` of the pass's
      median step time apart (a step cannot be much shorter than the others), and likewise
      no stance or swing is shorter than ``min_step_fraction`` or longer than
      ``max_phase_factor`` times the median one of the same foot in that pass (when it has at
      least two).

    When two neighbouring events break a rule, the one with the lower score is dropped, and
    the checks repeat until none is broken.
    """
    if df.empty:
        return df
    ev = df["event"].tolist()
    side = df["side"].tolist()
    pas = df["pass"].tolist()
    t = df["t_s"].astype(float).tolist()
    sc = df["score"].astype(float).tolist()
    keep = [True] * len(df)

    def weaker(a: int, b: int) -> int:
        return a if sc[a] < sc[b] else b

    changed = True
    while changed:
        changed = False
        groups: dict[tuple, list[int]] = {}
        for i in range(len(ev)):
            if keep[i]:
                groups.setdefault((side[i], pas[i]), []).append(i)
        # typical stance and swing durations of each foot in each pass (for the relative rule);
        # per foot, because a one-sided impairment (hemiparesis) makes one foot's swing long and
        # its stance short: pooled over both feet, that foot's every swing looked implausible
        typical: dict[tuple, float] = {}
        durations: dict[tuple, list[float]] = {}
        for (sd, ps), idx in groups.items():
            for a, b in zip(idx[:-1], idx[1:]):
                if ev[a] != ev[b]:
                    durations.setdefault((sd, ps, ev[a]), []).append(t[b] - t[a])
        for key, vals in durations.items():
            if len(vals) >= 2:
                typical[key] = float(np.median(vals))
        for (sd, ps), idx in groups.items():
            for a, b in zip(idx[:-1], idx[1:]):
                dt = t[b] - t[a]
                if ev[a] == ev[b]:
                    bad = True
                elif ev[a] == "ic":
                    bad = not stance_s[0] <= dt <= stance_s[1]
                else:
                    bad = not swing_s[0] <= dt <= swing_s[1]
                if not bad and (sd, ps, ev[a]) in typical:
                    ref = typical[(sd, ps, ev[a])]
                    bad = dt < min_step_fraction * ref or dt > max_phase_factor * ref
                if bad:
                    keep[weaker(a, b)] = False
                    changed = True
                    break
            if changed:
                break
        if changed:
            continue
        ics: dict[int, list[int]] = {}
        for i in range(len(ev)):
            if keep[i] and ev[i] == "ic":
                ics.setdefault(pas[i], []).append(i)
        for idx in ics.values():
            if len(idx) < 4:
                continue
            steps = np.diff([t[i] for i in idx])
            short = np.flatnonzero(steps < min_step_fraction * float(np.median(steps)))
            if short.size:
                keep[weaker(idx[short[0]], idx[short[0] + 1])] = False
                changed = True
                break
    return df[np.asarray(keep, bool)].reset_index(drop=True)


def validate_events(df: pd.DataFrame) -> pd.DataFrame:
    """Check an events table against the contract; returns it unchanged or raises ValueError.

    Columns exactly :data:`EVENT_COLUMNS`; ``event`` in {ic, fc}; ``side`` in {left, right};
    integer ``frame`` >= 0; finite ``t_s`` sorted ascending; ``score`` in [0, 1]; and per foot
    and pass the events alternate (no two ICs without an FC between them).
    """
    if tuple(df.columns) != EVENT_COLUMNS:
        raise ValueError(f"events columns must be {EVENT_COLUMNS}, got {tuple(df.columns)}")
    if not df["event"].isin(["ic", "fc"]).all():
        raise ValueError("event must be 'ic' or 'fc'")
    if not df["side"].isin(list(SIDES)).all():
        raise ValueError("side must be 'left' or 'right'")
    if len(df):
        if not pd.api.types.is_integer_dtype(df["frame"]) or (df["frame"] < 0).any():
            raise ValueError("frame must be a non-negative integer")
        t = df["t_s"].to_numpy(float)
        if not np.all(np.isfinite(t)) or np.any(np.diff(t) < 0):
            raise ValueError("t_s must be finite and sorted ascending")
        s = df["score"].to_numpy(float)
        if not np.all((s >= 0) & (s <= 1)):
            raise ValueError("score must lie in [0, 1]")
        for (side, pas), g in df.groupby(["side", "pass"]):
            ev = g["event"].to_numpy()
            if np.any(ev[1:] == ev[:-1]):
                raise ValueError(f"{side} foot, pass {pas}: two consecutive {ev[1:][ev[1:] == ev[:-1]][0]} events")
    return df


def detect_events(prep: PreparedWalk, detector: FootVelocityEventDetector | None = None) -> pd.DataFrame:
    """IC and FC of both feet in every pass of a prepared walk.

    Returns
    -------
    DataFrame
        Columns ``event`` ("ic"/"fc"), ``side`` ("left"/"right", the person's own),
        ``frame`` (int, the input's 0-based sample index nearest the event), ``t_s`` (float,
        seconds from the input's first sample, interpolated between samples), ``pass`` (int,
        index into ``prep.passes``), ``score`` (0..1), sorted by ``t_s``. Empty (with these
        columns) when the person does not walk.
    """
    det = detector or FootVelocityEventDetector()
    return validate_events(det.detect(prep))
