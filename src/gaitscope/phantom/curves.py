"""Periodic joint-angle curves for the phantom, built from the normative data.

The 51-sample normative means (every 2 % of the cycle) are turned into smooth periodic functions
with a truncated Fourier series, so they can be evaluated at any phase and differentiated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaitscope.knowledge.normative import kinematic_norm_curve, load_speed_classes

#: Harmonics kept: enough for the knee's swing peak, few enough to stay smooth.
N_HARMONICS = 10


@dataclass(frozen=True)
class PeriodicCurve:
    """A smooth periodic function of the gait-cycle fraction ``p`` (0..1, period 1)."""

    a0: float
    a: np.ndarray  # cosine coefficients, harmonics 1..N
    b: np.ndarray  # sine coefficients

    @classmethod
    def fit(cls, pct: np.ndarray, values: np.ndarray, n_harmonics: int = N_HARMONICS) -> "PeriodicCurve":
        p = np.asarray(pct, dtype=float) / 100.0
        v = np.asarray(values, dtype=float)
        if np.isclose(p[-1], 1.0) and np.isclose(p[0], 0.0):  # 0 % and 100 % are the same instant
            v = v.copy()
            v[0] = v[-1] = 0.5 * (v[0] + v[-1])
            p, v = p[:-1], v[:-1]
        k = np.arange(1, n_harmonics + 1)
        design = np.column_stack([np.ones_like(p), np.cos(2 * np.pi * np.outer(p, k)), np.sin(2 * np.pi * np.outer(p, k))])
        coef, *_ = np.linalg.lstsq(design, v, rcond=None)
        return cls(float(coef[0]), coef[1 : n_harmonics + 1], coef[n_harmonics + 1 :])

    def __call__(self, p: np.ndarray | float) -> np.ndarray:
        p = np.asarray(p, dtype=float)
        k = np.arange(1, len(self.a) + 1)
        ang = 2 * np.pi * np.multiply.outer(p, k)
        return self.a0 + np.cos(ang) @ self.a + np.sin(ang) @ self.b


@dataclass(frozen=True)
class NormalCurves:
    """The normal curves the phantom starts from (degrees, Plug-in-Gait signs), one speed class."""

    speed_class: str
    hip_flex: PeriodicCurve
    knee_flex: PeriodicCurve
    ankle_dorsi: PeriodicCurve
    pelvis_tilt: PeriodicCurve
    pelvis_obliquity: PeriodicCurve
    pelvis_rotation: PeriodicCurve
    foot_progression: PeriodicCurve
    foot_off_pct: float


def normal_curves(speed_class: str = "Free") -> NormalCurves:
    """Fit the periodic curves of one speed class of the normative data (Schwartz et al. 2008)."""

    def fit(var: str) -> PeriodicCurve:
        pct, mean, _ = kinematic_norm_curve(var, speed_class)
        return PeriodicCurve.fit(pct, mean)

    sc = load_speed_classes().set_index("speed_class")
    return NormalCurves(
        speed_class=speed_class,
        hip_flex=fit("hip_flex_deg"),
        knee_flex=fit("knee_flex_deg"),
        ankle_dorsi=fit("ankle_dorsi_deg"),
        pelvis_tilt=fit("pelvis_tilt_deg"),
        pelvis_obliquity=fit("pelvis_obliquity_deg"),
        pelvis_rotation=fit("pelvis_rotation_deg"),
        foot_progression=fit("foot_progression_deg"),
        foot_off_pct=float(sc.loc[speed_class, "foot_off_pct"]),
    )


def warp_phase(p: np.ndarray, stance_frac: float, curve_stance_frac: float) -> np.ndarray:
    """Map the actual cycle fraction to the curve's, so that stance ends at the curve's foot-off.

    Piecewise linear: ``[0, stance_frac] -> [0, curve_stance_frac]`` and
    ``[stance_frac, 1] -> [curve_stance_frac, 1]``.
    """
    p = np.asarray(p, dtype=float)
    return np.where(
        p < stance_frac,
        p * curve_stance_frac / stance_frac,
        curve_stance_frac + (p - stance_frac) * (1 - curve_stance_frac) / (1 - stance_frac),
    )


def smoothstep(u: np.ndarray | float) -> np.ndarray:
    """0 for u <= 0, 1 for u >= 1, C1-smooth in between (3u^2 - 2u^3)."""
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def bump(u: np.ndarray | float) -> np.ndarray:
    """A smooth bump: 0 outside (0, 1), peak 1 at u = 0.5 (sin^2)."""
    u = np.asarray(u, dtype=float)
    return np.where((u > 0) & (u < 1), np.sin(np.pi * np.clip(u, 0, 1)) ** 2, 0.0)


def push_off_advance(p: np.ndarray, stance_frac: float, rise_frac: float, fall_frac: float) -> np.ndarray:
    """Weight of the push-off phase advance at cycle fraction ``p`` (0..1, 0 = initial contact).

    Returns a dimensionless weight in 0..1: 0 before ``stance_frac - rise_frac``, rising smoothly
    (C1) to 1 at foot off (``stance_frac``), falling back to 0 by ``stance_frac + fall_frac``. The
    walker adds ``advance * weight`` to the curve phase, so the curves run ahead around foot off;
    with ``advance < rise_frac / 1.5`` and ``advance < fall_frac / 1.5`` the phase stays increasing.
    """
    p = np.asarray(p, dtype=float)
    up = smoothstep((p - (stance_frac - rise_frac)) / rise_frac)
    down = 1 - smoothstep((p - stance_frac) / fall_frac)
    return np.where(p < stance_frac, up, down)
