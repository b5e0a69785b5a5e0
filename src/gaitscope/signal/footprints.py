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
3. Footprints follow each other left, right, left ... (Murray 1964 et seq.: walking
   alternates feet). The side of each footprint comes from this alternation, with the phase
   chosen by the pose model's labels (duration-weighted vote over all footprints). A gap of
   about two steps between footprints means one was missed and keeps the parity right.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    Fractional indices; ``None`` for a run that touches the window's edge.
    """
    n = c.size
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
        if j == 0:
            start = None
        else:
            a, b = c[j - 1], c[j]
            start = (j - 1) + float((a - lo) / (a - b)) if a > lo else float(j)
        if e >= n:
            end = None
        else:
            a, b = c[e - 1], c[e]
            end = (e - 1) + float((hi - a) / (b - a)) if b > a else float(e - 1)
        out.append((start, end))
    return out


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
    max_break_s: float = 0.25,
) -> list[Contact]:
    """Footprints of both feet in one pass window (see the module docstring).

    ``heel``, ``toe``: side -> ``(n, 2)`` plane coordinates; ``ref_speed``: typical swing
    speed; ``same_place``: two contacts closer than this (plane units) that overlap in time or
    are less than ``max_break_s`` apart are one footprint.
    """
    rate_hz = 1.0 / float(np.median(np.diff(t)))
    contacts: list[Contact] = []
    # foot length along forward (heel -> toe), to express toe positions as heel positions
    d = np.concatenate([toe[s][:, 0] - heel[s][:, 0] for s in SIDES])
    foot_dx = float(np.nanmedian(d)) if np.isfinite(d).any() else 0.0
    for side in SIDES:
        c, _ = foot_speed.foot_speeds(heel[side], toe[side], t, ground_vx)
        for start, end in _hysteresis_runs(c, ic_fraction * ref_speed, fc_fraction * ref_speed):
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
    return merged


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
