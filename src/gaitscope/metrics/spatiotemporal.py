"""Strides and spatiotemporal parameters from gait events (pure functions).

A stride of one side runs from an initial contact (IC) of that foot to its next IC, half-open
``[start, end)``, inside one walking pass. Within it the normal event order is::

    IC (own)  ->  FC (opposite)  ->  IC (opposite)  ->  FC (own)  ->  IC (own, next)

Time parameters come from the events' ``t_s``; spatial ones from the sagittal coordinates
(forward, up) at the contact instants, which works overground and on a treadmill alike
(a step length is the forward distance between the two heels at the leading foot's IC).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SIDES: tuple[str, str] = ("left", "right")
OTHER = {"left": "right", "right": "left"}


def _first_between(times: np.ndarray, lo: float, hi: float) -> float:
    """First time in ``times`` (sorted) with ``lo < t < hi``; NaN if none."""
    i = np.searchsorted(times, lo, side="right")
    if i < times.size and times[i] < hi:
        return float(times[i])
    return float("nan")


def segment_strides(events: pd.DataFrame, *, max_stride_time_s: float) -> pd.DataFrame:
    """One row per stride (IC to next IC of the same side, same pass).

    Parameters
    ----------
    events
        Event table (``event``, ``side``, ``frame``, ``t_s``, ``pass``), see ``docs/outputs.md``.
    max_stride_time_s
        Consecutive ICs further apart than this are not one stride (a pause, a missed event).

    Returns
    -------
    DataFrame
        Columns ``side, pass, start, end`` (input frame indices, half-open), ``t_start_s``,
        ``t_end_s``, ``t_fc_s`` (own FC), ``t_opp_fc_s``, ``t_opp_ic_s``, ordered by
        ``t_start_s``. A stride without its own FC is dropped. When the opposite foot has events
        in the pass, a stride must hold the full order IC, opposite FC, opposite IC, FC, next IC,
        else it is dropped (counted in ``df.attrs["dropped_out_of_order"]``); when the opposite
        foot is not tracked at all, its columns are NaN.
    """
    cols = ["side", "pass", "start", "end", "t_start_s", "t_end_s", "t_fc_s", "t_opp_fc_s", "t_opp_ic_s"]
    rows: list[tuple] = []
    if events is None or len(events) == 0:
        df = pd.DataFrame(columns=cols)
        df.attrs["dropped_out_of_order"] = 0
        return df
    ev = events.sort_values("t_s")
    by: dict[tuple[str, str, int], np.ndarray] = {}
    for (kind, side, p), g in ev.groupby(["event", "side", "pass"]):
        by[(kind, side, int(p))] = g["t_s"].to_numpy(float)
    frame_of = dict(zip(zip(ev["side"], ev["event"], ev["t_s"].astype(float)), ev["frame"].astype(np.int64)))
    empty = np.empty(0)
    dropped = 0
    for side in SIDES:
        opp = OTHER[side]
        passes = sorted({k[2] for k in by if k[1] == side and k[0] == "ic"})
        for p in passes:
            ics = by.get(("ic", side, p), empty)
            fcs = by.get(("fc", side, p), empty)
            ofcs = by.get(("fc", opp, p), empty)
            oics = by.get(("ic", opp, p), empty)
            for t0, t1 in zip(ics[:-1], ics[1:]):
                if t1 - t0 > max_stride_time_s:
                    continue
                t_fc = _first_between(fcs, t0, t1)
                if not np.isfinite(t_fc):
                    continue
                t_ofc = _first_between(ofcs, t0, t_fc)
                t_oic = _first_between(oics, t_ofc if np.isfinite(t_ofc) else t0, t1)
                has_opp = ofcs.size + oics.size > 0
                ordered = np.isfinite(t_ofc) and np.isfinite(t_oic) and t_ofc < t_oic < t_fc
                if has_opp and not ordered:
                    # the opposite foot is tracked in this pass but did not lift and land once
                    # between this IC and FC: not a walking stride (missed or spurious events)
                    dropped += 1
                    continue
                rows.append(
                    (
                        side,
                        p,
                        int(frame_of[(side, "ic", float(t0))]),
                        int(frame_of[(side, "ic", float(t1))]),
                        float(t0),
                        float(t1),
                        t_fc,
                        t_ofc,
                        t_oic,
                    )
                )
    df = pd.DataFrame(rows, columns=cols).sort_values("t_start_s", kind="stable").reset_index(drop=True)
    df.attrs["dropped_out_of_order"] = dropped
    return df


def temporal_parameters(strides: pd.DataFrame) -> pd.DataFrame:
    """Time parameters of each stride (vectorised).

    Returns
    -------
    DataFrame
        Same index as ``strides``; columns ``stride_time_s``, ``step_time_s`` (opposite IC to
        the next own IC: the step that ends the stride), ``stance_pct``, ``swing_pct``,
        ``double_support_pct`` (both double-support periods), ``single_support_pct`` (opposite
        foot in swing), ``cadence_spm`` (120 / stride time). Percentages are of the stride time.
        NaN where an opposite event is missing or out of order.
    """
    t0 = strides["t_start_s"].to_numpy(float)
    t1 = strides["t_end_s"].to_numpy(float)
    fc = strides["t_fc_s"].to_numpy(float)
    ofc = strides["t_opp_fc_s"].to_numpy(float)
    oic = strides["t_opp_ic_s"].to_numpy(float)
    T = t1 - t0
    with np.errstate(invalid="ignore", divide="ignore"):
        ordered = (t0 < ofc) & (ofc < oic) & (oic < fc) & (fc < t1)
        stance = 100.0 * (fc - t0) / T
        ds = np.where(ordered, 100.0 * ((ofc - t0) + (fc - oic)) / T, np.nan)
        ss = np.where(ordered, 100.0 * (oic - ofc) / T, np.nan)
        step = np.where(np.isfinite(oic) & (oic < t1), t1 - oic, np.nan)
        return pd.DataFrame(
            {
                "stride_time_s": T,
                "step_time_s": step,
                "stance_pct": stance,
                "swing_pct": 100.0 - stance,
                "double_support_pct": ds,
                "single_support_pct": ss,
                "cadence_spm": 120.0 / T,
            },
            index=strides.index,
        )


def spatial_parameters(
    strides: pd.DataFrame,
    *,
    t_s: np.ndarray,
    foot_xy: dict[str, np.ndarray],
    events: pd.DataFrame | None = None,
    planted_tolerance: float = float("inf"),
) -> pd.DataFrame:
    """Step and stride length and speed of each stride, in the units of ``foot_xy``.

    Parameters
    ----------
    strides
        Output of :func:`segment_strides`.
    t_s
        ``(n_frames,)`` sample times of the coordinates, seconds.
    foot_xy
        ``{"left": (n_frames, 2), "right": (n_frames, 2)}`` sagittal (forward, up) coordinates
        of each foot's contact point (heel, else ankle).
    events
        The event table, for overground walking only (not a treadmill, where a standing foot
        moves with the belt). When given, a foot's position at a moment it stands is the median
        of its footprint over the whole stance that contains that moment (from its IC, or the
        moment itself, to its next FC in the same pass) instead of the single sample: a footprint does not move
        while the foot is down, and one mislabelled or lagging video frame at the event then
        does not change the step length.
    planted_tolerance
        The stance median is used only when the footprint stays put: its interquartile range
        over the stance at most this (units of ``foot_xy``); otherwise the single sample.

    Returns
    -------
    DataFrame
        ``step_length`` (forward distance from the trailing to the leading heel at the stride's
        last IC), ``stride_length`` (that step plus the opposite step at the opposite IC),
        ``speed`` (stride length / stride time, per second). NaN where a point is missing.
    """
    n = len(strides)
    step = np.full(n, np.nan)
    stride = np.full(n, np.nan)
    if n:
        t_s = np.asarray(t_s, float)

        ev_t = {}
        if events is not None and len(events):
            evp = events if "pass" in events.columns else events.assign(**{"pass": 0})
            for (kind, sd, ps), g in evp.groupby(["event", "side", "pass"]):
                ev_t[(kind, sd, int(ps))] = np.sort(g["t_s"].to_numpy(float))

        def at(side: str, t: np.ndarray, passes: np.ndarray) -> np.ndarray:
            out = np.full(t.shape, np.nan)
            ok = np.isfinite(t)
            idx = np.clip(np.searchsorted(t_s, t[ok] - 1e-9), 0, t_s.size - 1)
            out[ok] = foot_xy[side][idx, 0]
            if not ev_t:
                return out
            for k in np.flatnonzero(ok):
                tk = float(t[k])
                ics = ev_t.get(("ic", side, int(passes[k])), np.empty(0))
                fcs = ev_t.get(("fc", side, int(passes[k])), np.empty(0))
                later_fc = fcs[fcs >= tk - 1e-9]
                if later_fc.size == 0:
                    continue
                t_end = float(later_fc[0])
                earlier_ic = ics[ics <= tk + 1e-9]
                t_begin = tk
                if earlier_ic.size and not np.any((fcs > earlier_ic[-1]) & (fcs < tk - 1e-9)):
                    t_begin = float(earlier_ic[-1])
                i0 = int(np.searchsorted(t_s, t_begin - 1e-9, side="left"))
                i1 = int(np.searchsorted(t_s, t_end + 1e-9, side="right"))
                vals = foot_xy[side][i0:i1, 0]
                vals = vals[np.isfinite(vals)]
                if vals.size >= 3:
                    q25, q50, q75 = np.percentile(vals, [25, 50, 75])
                    if q75 - q25 <= planted_tolerance:
                        out[k] = float(q50)
            return out

        sides = strides["side"].to_numpy()
        t1 = strides["t_end_s"].to_numpy(float)
        oic = strides["t_opp_ic_s"].to_numpy(float)
        pss = strides["pass"].to_numpy() if "pass" in strides.columns else np.zeros(n, int)
        for side in SIDES:
            m = sides == side
            opp = OTHER[side]
            s_end = at(side, t1[m], pss[m]) - at(opp, t1[m], pss[m])
            s_opp = at(opp, oic[m], pss[m]) - at(side, oic[m], pss[m])
            step[m] = s_end
            stride[m] = s_end + s_opp
    T = (strides["t_end_s"] - strides["t_start_s"]).to_numpy(float) if n else np.empty(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        speed = stride / T
    return pd.DataFrame({"step_length": step, "stride_length": stride, "speed": speed}, index=strides.index)
