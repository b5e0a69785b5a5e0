"""Abnormal gait patterns the phantom can inject, each with a side and a severity.

Each pattern is a pure function that edits the phantom's per-side kinematic plan (joint-angle
arrays and a few frontal-plane settings) the way the clinical pattern changes gait, and returns
the injected values for the truth. Magnitudes per severity are simulation settings (not clinical
thresholds); they are listed in ``docs/phantom.md`` with the clinical description they follow.

Sign conventions of the plan (all degrees unless the name says otherwise), per side:
``thigh``: sagittal thigh angle to the vertical, + distal end forward; ``knee``: knee flexion, +;
``ankle``: ankle dorsiflexion, +; ``foot_ic_pitch``: foot-to-floor angle forced at initial
contact (+ toes up; None = normal); ``obliquity``: pelvis obliquity added, + this side up;
``trunk_lat``: lateral trunk lean added, + toward this side; ``valgus``: knee frontal-plane
projection angle added, + valgus (knee medial); ``circumduction_m``: outward swing of the foot
in swing, metres; ``arm_scale``: arm swing amplitude factor; ``scuff``: the forefoot may skim the
floor in early swing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from gaitscope.phantom.curves import bump, smoothstep
from gaitscope.types import GaitscopeError

SEVERITIES: tuple[str, ...] = ("mild", "moderate", "severe")
#: stiff knee: fraction of swing over which the ankle's pre-swing offset (which keeps the foot
#: pitch of the straight leg at foot off) fades out
STIFF_KNEE_ANKLE_FADE = 0.3
#: stiff knee, vaulting of the other foot: rise over this fraction of its stance (from this
#: foot's foot off), back down over STIFF_KNEE_VAULT_FALL before STIFF_KNEE_VAULT_END of its stance
STIFF_KNEE_VAULT_RISE = 0.3
STIFF_KNEE_VAULT_FALL = 0.25
STIFF_KNEE_VAULT_END = 0.8


@dataclass
class SidePlan:
    """Per-side kinematic plan over the frames; patterns edit it in place.

    ``p`` is the cycle fraction (0 = initial contact), ``stance`` the stance mask, ``u_stance`` /
    ``u_swing`` the fraction of the current stance / swing phase (NaN outside it).
    """

    p: np.ndarray
    stance: np.ndarray
    u_stance: np.ndarray
    u_swing: np.ndarray
    thigh: np.ndarray
    knee: np.ndarray
    ankle: np.ndarray
    obliquity: np.ndarray
    trunk_lat: np.ndarray
    trunk_fwd: np.ndarray
    valgus: np.ndarray
    circumduction_m: np.ndarray
    foot_ic_pitch: float | None = None
    arm_scale: float = 1.0
    scuff: bool = False  # the toes may brush the floor in early swing (no knee-flexion rescue)


@dataclass
class Timing:
    """Cycle timing edits made before the plan exists (stance % per side, step timing)."""

    stance_frac: dict[str, float]
    left_ic_offset: float  # left IC as a fraction of the right stride after right IC (0.5 = symmetric)


def _thigh_keeping_ankle_x(thigh_deg, knee_deg, new_knee_deg):
    """Thigh angle (deg) that keeps the ankle's fore-aft distance from the hip when the knee changes.

    Thigh and shank are taken as equally long (0.245 H and 0.246 H, docs/phantom.md): the ankle
    is then ``2 L sin(thigh - knee / 2) cos(knee / 2)`` ahead of the hip (+ forward). Angles as in
    :class:`SidePlan` (thigh + distal end forward, knee + flexion).
    """
    x = np.sin(np.radians(thigh_deg - knee_deg / 2)) * np.cos(np.radians(knee_deg / 2))
    c = np.cos(np.radians(new_knee_deg / 2))
    return new_knee_deg / 2 + np.degrees(np.arcsin(np.clip(x / c, -1.0, 1.0)))


def _swing_bump(sp: SidePlan, start: float = 0.0, end: float = 1.0) -> np.ndarray:
    u = np.nan_to_num(sp.u_swing, nan=-1.0)
    return bump((u - start) / (end - start))


def _stance_bump(sp: SidePlan, start: float = 0.0, end: float = 1.0) -> np.ndarray:
    u = np.nan_to_num(sp.u_stance, nan=-1.0)
    return bump((u - start) / (end - start))


def _single_support_plateau(sp: SidePlan, ds_frac: float) -> np.ndarray:
    """~1 through single-limb stance of this side, ramping in/out over the double supports."""
    u = np.nan_to_num(sp.u_stance, nan=-1.0)
    stance_frac = float(np.nanmax(np.where(sp.stance, sp.p, np.nan))) if sp.stance.any() else 0.6
    e = ds_frac / max(stance_frac, 1e-6)  # double support as a fraction of this stance
    return np.where(u < 0, 0.0, smoothstep(u / max(e, 1e-3)) * smoothstep((1 - u) / max(e, 1e-3)))


# --------------------------------------------------------------------------- patterns
def trendelenburg(plans, side, level, ds_frac):
    """Uncompensated: the pelvis drops on the swing side during stance of the (weak) ``side``."""
    drop = (4.5, 7.5, 11.0)[level]
    w = _single_support_plateau(plans[side], ds_frac)
    plans[side].obliquity += drop * w  # this side up == contralateral side down
    return {"pelvic_drop_extra_deg": drop, "pelvic_drop_during": f"{side} stance"}


def trendelenburg_compensated(plans, side, level, ds_frac):
    """Compensated (Duchenne): the trunk leans over the weak stance leg; the pelvis stays about level."""
    lean = (7.5, 11.5, 16.5)[level]
    w = _single_support_plateau(plans[side], ds_frac)
    plans[side].trunk_lat += lean * w
    plans[side].obliquity -= 2.0 * w  # the lean unloads the abductors: normal drop reduced
    return {"trunk_lean_extra_deg": lean, "trunk_lean_toward": side}


def antalgic_timing(timing: Timing, side: str, level: int) -> dict:
    """Shorter stance on the painful side: the other foot lands early (short contralateral step)."""
    d = (0.021, 0.041, 0.077)[level]
    other = "left" if side == "right" else "right"
    timing.stance_frac[side] -= d
    timing.stance_frac[other] += d
    timing.left_ic_offset += -d if side == "right" else d
    return {"stance_shortening_pct": 100 * d}


def antalgic(plans, side, level, ds_frac):
    """Painful limb: less hip extension in its late stance, so the contralateral step is shorter."""
    sp = plans[side]
    factor = (0.8, 0.6, 0.4)[level]
    # weight over the cycle fraction (continuous across take-off): mid stance to early swing
    late = smoothstep((sp.p - 0.15) / 0.2) * smoothstep((0.85 - sp.p) / 0.15)
    # the peak extension is reduced by shifting the thigh forward (not by scaling its angle), so
    # the thigh keeps its speed through push-off and the foot leaves the floor at the shortened
    # stance's foot off instead of lingering (a scaled angle slowed the swing by 1 - factor)
    peak_ext = min(float(np.min(sp.thigh[sp.stance])), 0.0) if sp.stance.any() else 0.0
    sp.thigh -= (1 - factor) * peak_ext * late
    return {"hip_extension_factor": factor}


def foot_drop(plans, side, level, ds_frac):
    """Steppage: plantarflexed foot in swing, excess hip and knee flexion, flat or forefoot contact."""
    sp = plans[side]
    pf = (8.5, 13.0, 19.0)[level]
    # the ankle stays plantarflexed through swing instead of returning to neutral
    u_sw = np.nan_to_num(sp.u_swing, nan=0.0)
    sp.ankle = np.where(sp.stance, sp.ankle, np.minimum(sp.ankle, -pf * smoothstep(u_sw / 0.1)))
    extra_hip = (6.0, 12.0, 18.0)[level]
    extra_knee = (13.0, 22.0, 30.0)[level]
    b = _swing_bump(sp, 0.05, 1.0)
    sp.thigh += extra_hip * b
    sp.knee += extra_knee * b
    sp.foot_ic_pitch = (2.0, -4.0, -10.0)[level]
    return {
        "swing_plantarflexion_deg": pf,
        "swing_hip_flex_extra_deg": extra_hip,
        "swing_knee_flex_extra_deg": extra_knee,
        "foot_pitch_at_ic_deg": sp.foot_ic_pitch,
    }


def stiff_knee(plans, side, level, ds_frac):
    """Reduced swing knee flexion; the foot clears by hip hiking, circumduction and vaulting.

    Vaulting: the other foot rises onto its forefoot in mid-stance while this leg swings.
    """
    sp = plans[side]
    other = "left" if side == "right" else "right"
    cap, keep = ((30.0, 0.4), (20.0, 0.2), (10.0, 0.0))[level]
    # flexion beyond the cap is cut to the kept fraction (a lower, flatter swing peak); the cut
    # blends in over the last 15 % of stance (pre-swing: low knee flexion velocity at toe-off,
    # Goldberg et al. 2003) and holds through swing
    knee0 = sp.knee.copy()
    capped = np.minimum(sp.knee, cap) + keep * np.maximum(sp.knee - cap, 0.0)
    r = np.where(sp.stance, smoothstep((np.nan_to_num(sp.u_stance) - 0.85) / 0.15), 1.0)
    sp.knee = (1 - r) * sp.knee + r * capped
    # the thigh follows the knee cut so that the ankle keeps the normal walker's fore-aft distance
    # from the hip, in pre-swing and in swing. The straight leg then moves the foot forward as
    # fast as the normal leg (peak swing foot speed within ~13 % of normal, docs/phantom.md) and
    # the hip flexes later in swing, about as fast as normally. Keeping the normal thigh with a
    # straight knee (as before) swung the longer leg at the normal hip velocity and moved the
    # foot at up to 7 m/s (normal 4.5); real stiff-knee gait has a slower, not a faster, swing
    # with no increase in hip flexion velocity (Goldberg, Ounpuu & Delp 2003; Kerrigan et al. 2000)
    thigh_x = _thigh_keeping_ankle_x(sp.thigh, knee0, sp.knee)
    # the foot keeps the pitch the knee cut gives it with the normal thigh (shank less inclined
    # than normal, so a lower heel at foot off and less knee flexion there); the ankle offset
    # fades over early swing, so the swing ankle stays near neutral
    fade = np.where(sp.stance, 1.0, 1 - smoothstep(np.nan_to_num(sp.u_swing) / STIFF_KNEE_ANKLE_FADE))
    sp.ankle = sp.ankle - (thigh_x - sp.thigh) * fade
    sp.thigh = thigh_x
    # the foot comes up to neutral quickly after take-off (no knee flexion to lift it)
    r2 = np.where(sp.stance, 0.0, smoothstep(np.nan_to_num(sp.u_swing) / 0.12))
    sp.ankle = (1 - r2) * sp.ankle + r2 * np.maximum(sp.ankle, 0.0)
    circ = (0.03, 0.05, 0.07)[level]
    hike = (5.0, 9.0, 16.0)[level]
    vault = (12.0, 21.0, 30.0)[level]
    b = _swing_bump(sp)
    u_sw = np.nan_to_num(sp.u_swing, nan=-1.0)
    plateau = np.where(u_sw < 0, 0.0, smoothstep(u_sw / 0.12) * smoothstep((1 - u_sw) / 0.2))
    sp.circumduction_m += circ * b
    sp.obliquity += hike * plateau  # hip hiking through the whole swing
    sp.scuff = True
    op = plans[other]
    u_st = np.nan_to_num(op.u_stance, nan=-1.0)
    # vaulting is a rise onto the forefoot in the other limb's mid-stance, while this limb swings
    # (Perry & Burnfield 2010): it starts when this foot has left the floor. Starting it in double support (as
    # before) pushed the pelvis forward and up while this foot was still down, so this foot
    # left the floor with a jump in speed
    op_sf = float(np.nanmax(np.where(op.stance, op.p, np.nan))) if op.stance.any() else 0.6
    u0 = ds_frac / max(op_sf, 1e-6)  # this foot's foot off, as a fraction of the other's stance
    # the rise and the descent are spread over about 0.2 s each (a rise over 0.14 of stance
    # lifted the pelvis at 1.5 m/s and pushed it forward at 2 m/s in the affected swing; the
    # quick descent slowed it to 0.5 m/s before this foot's contact)
    rise = smoothstep((u_st - u0) / STIFF_KNEE_VAULT_RISE)
    fall = smoothstep((STIFF_KNEE_VAULT_END - u_st) / STIFF_KNEE_VAULT_FALL)
    op.ankle -= vault * np.where(u_st < 0, 0.0, rise * fall)
    return {
        "swing_knee_flex_kept_fraction": keep,
        "circumduction_m": circ,
        "hip_hike_deg": hike,
        "contralateral_vault_plantarflexion_deg": vault,
    }


def crouch(plans, side, level, ds_frac):
    """Knee flexed through stance (and the cycle), with more hip flexion and dorsiflexion."""
    k = (20.0, 32.0, 45.0)[level]
    sides = ("left", "right") if side == "both" else (side,)
    for s in sides:
        sp = plans[s]
        # most of the extra flexion in stance, less in swing (crouch also limits swing flexion)
        w = 1.0 - 0.7 * _swing_bump(sp)
        sp.thigh += 0.5 * k * w
        sp.knee += k * w
        sp.ankle += 0.5 * k * w
        sp.trunk_fwd += 0.25 * k / len(sides)
    return {"knee_flex_extra_deg": k}


def reduced_heel_strike(plans, side, level, ds_frac):
    """Heel-pain pattern: flat or forefoot first contact and a shorter step of that foot."""
    sp = plans[side]
    pitch = (2.5, -3.5, -11.0)[level]  # rearfoot; the heel-toe line is about 0.7x when the toes are flat
    sp.foot_ic_pitch = pitch
    reach = (4.0, 8.0, 12.0)[level]
    # the thigh is set back by ``reach`` in late swing (shorter step) and the offset is released
    # smoothly over the WHOLE stance (max rate 1.5 reach per stance). In stance the thigh's sweep
    # carries the pelvis over the foot: releasing the offset within the first 40 % of stance (as
    # before) made the thigh sweep forward faster than the normal stance extension, so the pelvis
    # stopped and even moved backwards (-0.5 m/s, severe) after each contact of this foot, and the
    # other foot, just off the floor, stalled in the air (its detected foot off ~100 ms late).
    # Now the walker slows down over this stance instead (severe: 1.28 -> 1.10 m/s) and both
    # steps stay plausible (this foot's step short)
    u_sw, u_st = np.nan_to_num(sp.u_swing), np.nan_to_num(sp.u_stance)
    b = np.where(sp.stance, 1 - smoothstep(u_st), smoothstep((u_sw - 0.4) / 0.5))
    sp.thigh -= reach * b
    return {"foot_pitch_at_ic_deg": pitch, "late_swing_hip_flex_reduction_deg": reach}


def leg_length_difference(plans, side, level, ds_frac):
    """``side`` is the SHORT leg: shorter shank, pelvis lower on that side, long leg circumducts."""
    delta_m = (0.013, 0.018, 0.025)[level]
    other = "left" if side == "right" else "right"
    # the walker shortens this side's shank by short_leg_m and tilts the pelvis to match
    circ = (0.0, 0.02, 0.04)[level]
    plans[other].circumduction_m += circ * _swing_bump(plans[other])
    return {"short_leg_m": delta_m, "long_leg_circumduction_m": circ}


def reduced_arm_swing(plans, side, level, ds_frac):
    """Less arm swing on ``side`` (or both)."""
    scale = (0.4, 0.23, 0.07)[level]
    sides = ("left", "right") if side == "both" else (side,)
    for s in sides:
        plans[s].arm_scale *= scale
    return {"arm_swing_scale": scale}


def knee_valgus(plans, side, level, ds_frac):
    """Medial knee collapse in stance (frontal-plane projection angle), peak in mid-stance."""
    v = (12.0, 17.0, 22.0)[level]
    sp = plans[side]
    sp.valgus += v * _stance_bump(sp, 0.0, 1.0)
    return {"knee_valgus_extra_deg": v}


PatternFn = Callable[[dict, str, int, float], dict]

#: name -> (plan editor, allows side "both", one-line description)
def equinus(plans, side, level, ds_frac):
    """Equinus / toe walking: the ankle plantarflexed through the whole cycle, so the foot lands flat or
    toes first and the heel stays up in stance (true equinus, Rodda & Graham 2001)."""
    sp = plans[side]
    pf = (16.0, 24.0, 34.0)[level]
    # through stance and at contact; in mid-swing the ankle comes most of the way back up (the
    # dorsiflexors still work: this is not a foot drop, which the steppage walker models)
    sp.ankle = sp.ankle - pf * (1.0 - 0.8 * _swing_bump(sp))
    return {"ankle_plantarflexion_added_deg": pf}


def hemiparetic(plans, side, level, ds_frac):
    """One-sided pattern after stroke: the paretic leg's stance is shorter (timing edit, as antalgic) and
    its swing is stiff: reduced swing knee flexion with circumduction and hip hiking, and vaulting of the
    other foot (the stiff-knee edit; Perry & Burnfield 2010, hemiplegia; Kerrigan et al. 2000)."""
    return stiff_knee(plans, side, level, ds_frac)


PATTERNS: dict[str, tuple[PatternFn, bool, str]] = {
    "trendelenburg": (trendelenburg, False, "contralateral pelvic drop in stance of the weak side"),
    "trendelenburg_compensated": (trendelenburg_compensated, False, "lateral trunk lean over the weak stance leg"),
    "antalgic": (antalgic, False, "short stance on the painful side, short contralateral step"),
    "foot_drop": (foot_drop, False, "steppage: plantarflexed swing foot, high knee, flat/forefoot contact"),
    "stiff_knee": (stiff_knee, False, "reduced swing knee flexion, circumduction, hip hiking"),
    "crouch": (crouch, True, "knee flexed through stance"),
    "reduced_heel_strike": (reduced_heel_strike, False, "flat or forefoot contact, shorter step"),
    "leg_length_difference": (leg_length_difference, False, "side = short leg: pelvic obliquity, circumduction"),
    "reduced_arm_swing": (reduced_arm_swing, True, "less arm swing on one side or both"),
    "knee_valgus": (knee_valgus, False, "medial knee collapse in stance"),
    "equinus": (equinus, False, "ankle plantarflexed at contact and through stance (toe walking)"),
    "hemiparetic": (hemiparetic, False, "short stance and a stiff, circumducted swing on one side"),
}
ALIASES = {"steppage": "foot_drop"}
TIMING_EDITS = {"antalgic": antalgic_timing, "hemiparetic": antalgic_timing}


def resolve_pattern(name: str | None) -> str | None:
    """The canonical pattern name, or a :class:`GaitscopeError` listing the valid names."""
    if name is None or name in ("", "none", "normal"):
        return None
    key = ALIASES.get(name, name)
    if key not in PATTERNS:
        valid = ", ".join(sorted(list(PATTERNS) + list(ALIASES)))
        raise GaitscopeError(f"unknown phantom pattern {name!r}; choose one of: {valid}")
    return key


def severity_level(severity: str) -> int:
    if severity not in SEVERITIES:
        raise GaitscopeError(f"unknown severity {severity!r}; choose one of: {', '.join(SEVERITIES)}")
    return SEVERITIES.index(severity)
