"""Side-view video: contacts as footprints, sides by alternation (robust to leg-label swaps).

In a side view a pose model often confuses the near and far leg: for a few frames both
"left" and "right" sit on the standing foot while the swinging foot, blurred, is lost, and
the labels come back the wrong way round. Continuity (``signal.clean.detect_leg_swaps``)
fixes the clean cases; this detector does not need the labels at all:

1. Each labelled foot's contacts are found as in :mod:`gaitscope.events.foot_velocity`
   (its slowest point nearly still relative to the ground: below ``ic_fraction`` of the
   pass's typical swing speed to start, above ``fc_fraction`` to end), but without relying
   on that label's own swing peaks.
2. A contact is a *footprint*: a stretch of time at one place on the floor. Contacts of the
   two labels at the same place at overlapping times are one footprint (the labels sat on
   the same foot); IC = the earliest start, FC = the latest end.
3. Two footprints landing less than ``min_step_fraction`` of the pass's median step time
   apart cannot both be landings: of the two, the one with the weaker label support (less
   time of labelled contact) loses its IC when the two lie a step apart (a foot already down
   when it came into view), and is removed otherwise (a label that came to rest on a blurred
   foot in late swing). A weakly supported footprint that splits a step in two on the floor
   is removed too. This happens before sides are assigned, so it cannot flip the alternation.
4. Footprints follow each other left, right, left ... (Murray 1964 et seq.: walking
   alternates feet). The side of each footprint comes from this alternation, with the phase
   chosen by the pose model's labels (duration-weighted vote over all footprints). A gap of
   about two steps between footprints means one was missed and keeps the parity right.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from gaitscope.signal import foot_speed
from gaitscope.types import SIDES


@dataclass(frozen=True)
class Contact:
    """One foot contact on the floor (fractional sample indices, local to the pass window)."""

    ic: float
    fc: float
    x: float  # forward position of the footprint (heel-equivalent), units of the plane
    votes: dict
    ic_found: bool = True  # False when the contact was already under way at the window start
    fc_found: bool = True


def _hysteresis_runs(c: np.ndarray, lo: float, hi: float) -> list[tuple[float | None, float | None]]:
    """Runs where ``c < hi`` that dip below ``lo``; start = crossing below ``lo``, end = crossing above ``hi``.

    Fractional indices; ``None`` for a run that touches the window's edge or the first or last
    finite sample (the foot may have been down before or after the data).
    """
    n = c.size
    finite = np.flatnonzero(np.isfinite(c))
    if finite.size == 0:
        return []
    first, last = int(finite[0]), int(finite[-1])  # the data's edges inside the window
    below_hi = np.isfinite(c) & (c < hi)
    out: list[tuple[float | None, float | None]] = []
    m = np.concatenate(([False], below_hi, [False]))
    d = np.diff(m.astype(np.int8))
    for s, e in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)):
        seg = c[s:e]
        low = np.flatnonzero(seg < lo)
        if low.size == 0:
            continue
        j = s + int(low[0])
        if s <= first:
            start = None  # the foot may have been down before the data (or the window) began
        else:
            a, b = c[j - 1], c[j]
            start = (j - 1) + float((a - lo) / (a - b)) if a > lo else float(j)
        if e > last:
            end = None  # the foot may stay down after the data (or the window) end
        else:
            a, b = c[e - 1], c[e]
            end = (e - 1) + float((hi - a) / (b - a)) if b > a else float(e - 1)
        out.append((start, end))
    return out


def _forward_end(c_fwd: np.ndarray, i_low: int, thr: float) -> float | None:
    """The first time after sample ``i_low`` (the contact's slowest moment) at which the forward contact speed
    ``c_fwd`` rises above ``thr`` (fractional index, interpolated); ``None`` when it does not before the data end."""
    for i in range(max(0, i_low), c_fwd.size - 1):
        a, b = c_fwd[i], c_fwd[i + 1]
        if not (np.isfinite(a) and np.isfinite(b)):
            return None
        if a < thr <= b:
            return i + float((thr - a) / (b - a))
    return None


def find_footprints(
    heel: dict,
    toe: dict,
    t: np.ndarray,
    *,
    ground_vx: float,
    ref_speed: float,
    ic_fraction: float,
    fc_fraction: float,
    min_contact_s: float,
    same_place: float,
    min_step_fraction: float,
    max_break_s: float = 0.25,
    fc_forward_fraction: float | None = None,
    ic_votes: dict | None = None,
) -> list[Contact]:
    """Footprints of both feet in one pass window (see the module docstring).

    ``heel``, ``toe``: side -> ``(n, 2)`` plane coordinates; ``ref_speed``: typical swing
    speed; ``same_place``: two contacts closer than this (plane units) that overlap in time or
    are less than ``max_break_s`` apart are one footprint. Footprints that land too soon after
    the previous one or split a step in two are resolved (:func:`drop_spurious`, with
    ``min_step_fraction``) before they are returned. ``fc_forward_fraction``: when given, a contact ends where the
    foot's *forward* contact speed (:func:`~gaitscope.signal.foot_speed.forward_contact_speed`) first rises above
    this fraction of ``ref_speed`` after the contact's slowest moment, instead of where the contact speed rises above
    ``fc_fraction`` (video: docs/events.md). ``ic_votes``: when given, a contact begins at the median of three
    criteria (:func:`contact_start_votes`; keys ``fraction``, ``knee_offset_s``, ``lowest_window_s`` and ``heel_up``,
    side -> the heel's height ``(n,)`` or ``None``) instead of where the contact speed falls below ``ic_fraction``.
    """
    rate_hz = 1.0 / float(np.median(np.diff(t)))
    contacts: list[Contact] = []
    # foot length along forward (heel -> toe), to express toe positions as heel positions
    d = np.concatenate([toe[s][:, 0] - heel[s][:, 0] for s in SIDES])
    foot_dx = float(np.nanmedian(d)) if np.isfinite(d).any() else 0.0
    for side in SIDES:
        c, cen = foot_speed.foot_speeds(heel[side], toe[side], t, ground_vx)
        c_fwd = (None if fc_forward_fraction is None
                 else foot_speed.forward_contact_speed(heel[side], toe[side], t, ground_vx))
        prev_end = 0.0
        for start, end in _hysteresis_runs(c, ic_fraction * ref_speed, fc_fraction * ref_speed):
            if start is not None and ic_votes is not None:
                start = contact_start_votes(c, cen, t, start, end, prev_end, ref_speed=ref_speed,
                                            heel_up=ic_votes["heel_up"].get(side), fraction=ic_votes["fraction"],
                                            knee_offset_s=ic_votes["knee_offset_s"],
                                            lowest_window_s=ic_votes["lowest_window_s"])
            prev_end = float(c.size - 1) if end is None else end
            if end is not None and c_fwd is not None:
                a, b = int(np.ceil(start or 0.0)), int(np.floor(end)) + 1
                i_low = a + int(np.nanargmin(c[a:b])) if b > a and np.isfinite(c[a:b]).any() else a
                end = _forward_end(c_fwd, i_low, fc_forward_fraction * ref_speed)
            s = 0.0 if start is None else start
            e = float(c.size - 1) if end is None else end
            if (e - s) / rate_hz < min_contact_s:
                continue
            i0, i1 = int(np.ceil(s)), int(np.floor(e)) + 1
            hx = heel[side][i0:i1, 0]
            tx = toe[side][i0:i1, 0] - foot_dx
            x = float(np.nanmedian(np.concatenate([hx, tx])))
            contacts.append(Contact(s, e, x, {side: (e - s) / rate_hz}, start is not None, end is not None))
    contacts.sort(key=lambda k: k.ic)
    max_break = max_break_s * rate_hz
    # merge contacts at the same place that overlap in time
    merged: list[Contact] = []
    for k in contacts:
        hit = None
        for j, m in enumerate(merged):
            # same place, and overlapping in time or separated by a short break (one foot
            # standing still whose contact speed blipped above the threshold)
            if abs(m.x - k.x) < same_place and k.ic <= m.fc + max_break and m.ic <= k.fc + max_break:
                hit = j
                break
        if hit is None:
            merged.append(k)
        else:
            m = merged[hit]
            votes = dict(m.votes)
            for sd, v in k.votes.items():
                votes[sd] = votes.get(sd, 0.0) + v
            ic_first = m if m.ic <= k.ic else k
            fc_last = m if m.fc >= k.fc else k
            merged[hit] = Contact(ic_first.ic, fc_last.fc, 0.5 * (m.x + k.x), votes,
                                  ic_first.ic_found, fc_last.fc_found)
    merged.sort(key=lambda k: k.ic)
    return drop_spurious(merged, min_step_fraction=min_step_fraction)


def contact_start_votes(c: np.ndarray, centre: np.ndarray, t: np.ndarray, start: float, end: float | None,
                        prev_end: float, *, ref_speed: float, heel_up: np.ndarray | None, fraction: float,
                        knee_offset_s: float, lowest_window_s: float) -> float:
    """The start (IC, fractional index) of one contact of one foot as the median of three criteria
    (:func:`gaitscope.signal.foot_speed.initial_contact_votes`: the contact speed ``c`` below ``fraction`` of
    ``ref_speed``, the knee of its deceleration plus ``knee_offset_s``, the heel's lowest point).

    The swing before the contact is the fastest moment of the foot-centre speed ``centre`` between the end of
    the foot's previous contact (``prev_end``) and ``start`` (the contact found by the threshold); the contact's
    slowest moment is looked for up to its end (``end``, ``None``: the data's end). Returns ``start`` when no
    swing lies before it (a contact at the window's start). Never later than the contact's end.
    """
    a, b = int(np.floor(prev_end)), int(np.floor(start)) + 1
    seg = centre[a:b]
    if seg.size < 2 or not np.isfinite(seg).any():
        return start
    peak = a + int(np.nanargmax(seg))
    stop = c.size if end is None else min(c.size, int(np.floor(end)) + 1)
    thr = foot_speed.first_below(c, peak, stop, fraction * ref_speed)
    x = foot_speed.initial_contact_votes(c, heel_up, t, peak, stop, start if thr is None else thr,
                                         knee_offset_s=knee_offset_s, lowest_window_s=lowest_window_s)
    return float(min(x, end)) if end is not None else float(x)


def drop_spurious(prints: list[Contact], *, min_step_fraction: float, min_prints: int = 4,
                  same_step_fraction: float = 0.7) -> list[Contact]:
    """Resolve footprints that land too soon after the previous one (see the module docstring).

    Successive footprints whose ICs (both found, not cut by the window) are less than
    ``min_step_fraction`` of the median IC-to-IC interval apart cannot both have landed then.
    Of the two, the one with the smaller total label support (sum of ``votes``, s) is wrong:

    * if the two lie a step apart on the floor (at least ``same_step_fraction`` of the median
      advance between footprints), both are real footprints and only the weaker one's IC is
      not (a foot already down when it came into view): it keeps its FC, its IC is dropped;
    * otherwise the weaker one splits a step in two (a label resting on a blurred swinging
      foot) and is removed.

    A footprint that splits one step in two on the floor (both its advances shorter than
    ``same_step_fraction`` of the median advance, its neighbours about one step apart) and has
    clearly less label support than both neighbours is removed as well, whatever its timing.

    Repeated until nothing breaks the rules. Needs ``min_prints`` footprints for a median;
    fewer are returned unchanged.
    """
    out = list(prints)
    while len(out) >= min_prints:
        gaps = [(b.ic - a.ic) for a, b in zip(out, out[1:]) if a.ic_found and b.ic_found]
        if len(gaps) < 2:
            break
        med_gap = float(np.median(gaps))
        med_adv = float(np.median(np.abs(np.diff([k.x for k in out]))))
        worst = None
        for i, (a, b) in enumerate(zip(out, out[1:])):
            gap = b.ic - a.ic
            if a.ic_found and b.ic_found and gap < min_step_fraction * med_gap:
                if worst is None or gap < worst[0]:
                    worst = (gap, i)
        if worst is None:
            k = _step_splitter(out, med_adv, same_step_fraction)
            if k is None:
                break
            del out[k]
            continue
        i = worst[1]
        a, b = out[i], out[i + 1]
        weaker = i if sum(a.votes.values()) < sum(b.votes.values()) else i + 1
        if abs(a.x - b.x) >= same_step_fraction * med_adv:
            out[weaker] = replace(out[weaker], ic_found=False)
        else:
            del out[weaker]
    return out


def _step_splitter(prints: list[Contact], med_adv: float, short_fraction: float,
                   weak_fraction: float = 0.7) -> int | None:
    """Index of the weakest footprint that splits a step in two (see :func:`drop_spurious`)."""
    best = None
    for k in range(1, len(prints) - 1):
        a, m, b = prints[k - 1], prints[k], prints[k + 1]
        short = abs(m.x - a.x) < short_fraction * med_adv and abs(b.x - m.x) < short_fraction * med_adv
        one_step = (2.0 - 1.0 / short_fraction) * med_adv <= abs(b.x - a.x) <= (1.0 / short_fraction) * med_adv
        support = sum(m.votes.values())
        weak = support < weak_fraction * min(sum(a.votes.values()), sum(b.votes.values()))
        if short and one_step and weak and (best is None or support < best[0]):
            best = (support, k)
    return None if best is None else best[1]


def assign_sides(prints: list[Contact], *, step: float | None = None) -> list[str]:
    """Sides of successive footprints by alternation, phase chosen by the label votes.

    A forward advance of more than 1.5 median steps between two footprints counts as a
    missed footprint (the parity is kept accordingly). When one label makes less than a fifth
    of all votes (one foot hardly visible), each footprint keeps its majority label instead.
    """
    if not prints:
        return []
    total = {sd: sum(p.votes.get(sd, 0.0) for p in prints) for sd in SIDES}
    if min(total.values()) < 0.2 * max(sum(total.values()), 1e-9):
        # one foot (label) is hardly ever seen: its footprints are not in the list, so the
        # list does not alternate; keep the pose model's labels
        return [max(p.votes, key=p.votes.get) for p in prints]
    xs = np.array([p.x for p in prints])
    adv = np.abs(np.diff(xs))
    med = step if step else (float(np.median(adv)) if adv.size else 0.0)
    parity = [0]
    for a in adv:
        skipped = int(med > 0 and a > 1.5 * med)
        parity.append(parity[-1] + 1 + skipped)
    parity_arr = np.array(parity) % 2
    score_even_left = 0.0
    for par, p in zip(parity_arr, prints):
        vl, vr = p.votes.get("left", 0.0), p.votes.get("right", 0.0)
        score_even_left += (vl - vr) if par == 0 else (vr - vl)
    first = "left" if score_even_left >= 0 else "right"
    other = "right" if first == "left" else "left"
    return [first if par == 0 else other for par in parity_arr]
