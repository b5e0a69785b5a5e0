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
