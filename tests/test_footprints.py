"""Footprints (side-view contacts, sides by alternation): constructed cases with known truth."""

from __future__ import annotations

import numpy as np

from gaitscope.signal.footprints import Contact, _hysteresis_runs, assign_sides, drop_spurious

STEP_M = 0.75  # step length of the constructed walks
STEP_FRAMES = 16.0  # step time in frames (about 113 steps/min at 30 frames/s)


def _walk(n: int = 8, *, first: str = "left") -> list[Contact]:
    """``n`` footprints of a walk along -x: alternating sides, a step apart, each a stance of
    1.3 step times, full label support of the right side."""
    other = "right" if first == "left" else "left"
    out = []
    for k in range(n):
        side = first if k % 2 == 0 else other
        ic = 10.0 + k * STEP_FRAMES
        out.append(Contact(ic, ic + 1.3 * STEP_FRAMES, 6.0 - k * STEP_M, {side: 0.65}))
    return out


def test_regular_walk_is_left_alone():
    prints = _walk()
    assert drop_spurious(prints, min_step_fraction=0.5) == prints
    assert assign_sides(prints) == ["left", "right"] * 4


def test_a_label_resting_on_the_swinging_foot_does_not_flip_the_sides():
    """A weak footprint halfway between two real ones (the case seen on a re-encoded copy of
    the older-adult clip: a label came to rest on the blurred swinging foot) would turn the
    alternation round for every later footprint; it must be removed."""
    prints = _walk()
    truth = [("left" if k % 2 == 0 else "right") for k in range(len(prints))]
    a, b = prints[4], prints[5]
    fake = Contact(a.ic + 0.8 * STEP_FRAMES, a.ic + 1.3 * STEP_FRAMES, 0.6 * a.x + 0.4 * b.x, {"right": 0.3})
    with_fake = sorted(prints + [fake], key=lambda k: k.ic)
    assert assign_sides(with_fake)[-1] != truth[-1]  # the alternation is broken without the fix
    kept = drop_spurious(with_fake, min_step_fraction=0.5)
    assert kept == prints
    assert assign_sides(kept) == truth


def test_a_second_landing_too_soon_loses_its_ic_when_a_step_apart():
    """Two footprints a step apart on the floor whose ICs come 1 frame apart: the weaker one
    was already down when it came into view. It keeps its FC, loses its IC."""
    prints = _walk()
    first = prints[0]
    early = Contact(first.ic - 1.0, first.ic + 0.4 * STEP_FRAMES, first.x + STEP_M, {"right": 0.15})
    kept = drop_spurious([early] + prints, min_step_fraction=0.5)
    assert len(kept) == len(prints) + 1
    assert kept[0].x == early.x and not kept[0].ic_found and kept[0].fc_found
    assert all(k.ic_found for k in kept[1:])


def test_hysteresis_runs_starting_at_the_first_sample_have_no_start():
    """A contact speed that is already low at the first finite sample: the foot may have been
    down before the data began, so no IC; a run ending at the last finite sample has no end."""
    c = np.array([np.nan, np.nan, 0.05, 0.05, 0.05, 2.0, 3.0, 2.0, 0.05, 0.05, 0.05, np.nan])
    runs = _hysteresis_runs(c, lo=0.2, hi=0.4)
    assert runs[0][0] is None and runs[0][1] is not None
    assert runs[1][0] is not None and runs[1][1] is None
    assert 7.0 < runs[1][0] < 8.0


def _slow_walk(rate_hz: float = 100.0):
    """Two feet of a slow walk (stride 1.6 s: stance 1.0 s, swing 0.6 s) in a sagittal plane (forward, up), with
    every initial contact known: in the second half of each swing the foot's speed falls linearly from its peak to
    zero at contact (the foot creeps in), and the heel comes down along a parabola to its lowest point at contact,
    rising 5 mm as the foot rolls flat. The threshold at 16 % of the peak fires 48 ms before contact; the end of the
    deceleration (the knee) and the heel's lowest point are at contact."""
    t_all = np.arange(-3.2, 6.0, 1.0 / rate_hz)
    keep = t_all >= -1e-9
    t = t_all[keep]
    stride, swing, peak = 1.6, 0.6, 2.0
    step = 0.5 * peak * swing * (1.0 / np.pi + 0.25)  # half the distance a foot travels in one swing
    heel, toe, ics = {}, {}, {}
    for side, first_ic, x0 in (("left", 0.9, 0.0), ("right", 0.9 + stride / 2, step)):
        v = np.zeros_like(t_all)
        up = np.zeros_like(t_all)
        ics[side] = []
        for tc in np.arange(first_ic - 3 * stride, t[-1] + stride, stride):
            tt = t_all
            u = (tt - (tc - swing)) / swing  # 0 at foot off, 1 at contact
            rise = (u >= 0) & (u < 0.5)
            fall = (u >= 0.5) & (u < 1.0)
            v[rise] = peak * np.sin(np.pi * u[rise])
            v[fall] = peak * (1.0 - (u[fall] - 0.5) / 0.5)
            up[rise] = 0.005 + 0.045 * np.sin(np.pi * u[rise])  # the heel lifts (5 -> 50 mm) ...
            near = (tt >= tc - 0.3) & (tt < tc)  # ... and comes down along a parabola to the floor at contact
            up[near] = 0.05 * ((tc - tt[near]) / 0.3) ** 2
            after = (tt >= tc) & (tt < tc + 0.05)
            up[after] = 0.005 * (tt[after] - tc) / 0.05
            roll = (tt >= tc + 0.05) & (tt < tc + 1.0)
            up[roll] = 0.005
            if 0.3 < tc < t[-1] - 0.3:
                ics[side].append(tc)
        x = x0 + np.concatenate([[0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) * np.diff(t_all))])
        heel[side] = np.c_[x, up][keep]
        toe[side] = np.c_[x + 0.2, up][keep]
    return t, heel, toe, ics


def test_slow_foot_contact_votes_find_the_known_contact():
    """The opt-in IC through the footprint detector (video, ``ic_method="median"``: median of the speed threshold,
    the knee of the contact speed and the heel's lowest point) lands on the known contact of a foot that creeps
    in, where the speed threshold alone fires 48 ms early."""
    from gaitscope.signal.footprints import find_footprints

    t, heel, toe, ics = _slow_walk()
    kw = dict(ground_vx=0.0, ref_speed=2.0, ic_fraction=0.16, fc_fraction=0.28, min_contact_s=0.12,
              same_place=0.15, min_step_fraction=0.5)
    truth = sorted(tc for side in ics for tc in ics[side])

    def ic_times(prints):
        return np.array([np.interp(p.ic, np.arange(t.size), t) for p in prints if p.ic_found])

    def errors(found):
        return np.array([found[np.argmin(np.abs(found - tc))] - tc for tc in truth])

    plain = errors(ic_times(find_footprints(heel, toe, t, **kw)))
    votes = {"fraction": 0.24, "knee_offset_s": 0.0, "lowest_window_s": 0.15,
             "heel_up": {side: heel[side][:, 1] for side in heel}}
    voted = errors(ic_times(find_footprints(heel, toe, t, ic_votes=votes, **kw)))
    assert len(truth) >= 5
    assert np.all(np.abs(plain + 0.048) <= 0.011), plain  # the threshold: 48 ms early (one sample of rounding)
    # the votes: at contact, within 1.5 samples (central differences round the speed's corner at contact by a sample)
    assert np.all(np.abs(voted) <= 0.015), voted
    # without the heel's height (a virtual heel): two votes, their mean: between the two
    votes_no_heel = {**votes, "heel_up": {"left": None, "right": None}}
    mean2 = errors(ic_times(find_footprints(heel, toe, t, ic_votes=votes_no_heel, **kw)))
    assert np.all((mean2 < -0.02) & (mean2 > -0.05)), mean2
