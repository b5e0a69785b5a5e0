"""Joint centres that no marker sits on: hip (regression) and functional knee/ankle (SCoRE).

Hip joint centre (HJC)
----------------------
Harrington ME, Zavatsky AB, Lawson SEM, Yuan Z, Theologis TN (2007). Prediction of the hip
joint centre in adults, children, and patients with cerebral palsy based on magnetic resonance
imaging. J Biomech 40(3):595-602. doi:10.1016/j.jbiomech.2006.02.003

The regression is expressed in a pelvis frame with its origin at the midpoint of the two
anterior superior iliac spines (ASIS), x anterior, y superior, z to the right, and uses
pelvis width PW (ASIS to ASIS distance) and pelvis depth PD (distance from the ASIS midpoint
to the PSIS midpoint, or to a single sacral marker), in millimetres::

    x = -0.24 PD - 9.9
    y = -0.30 PW - 10.9
    z = +-(0.33 PW + 7.3)          (+ right hip, - left hip)

and, when the leg length LL (ASIS to medial malleolus) is known::

    y = -0.16 PW - 0.04 LL - 7.1
    z = +-(0.28 PD + 0.16 PW + 7.9)

Functional joint centre
-----------------------
Ehrig RM, Taylor WR, Duda GN, Heller MO (2006). A survey of formal methods for determining
the centre of rotation of ball joints. J Biomech 39(15):2798-2809 (the SCoRE method): the
point that stays fixed in both segments' local frames, by linear least squares over all
frames. For a hinge-like joint (knee, ankle) the point along the axis is undetermined; the
minimum-norm solution picks the axis point nearest the midpoint of the two marker clusters.
"""

from __future__ import annotations

import numpy as np

HJC_METHOD = "Harrington et al. 2007, J Biomech 40:595"


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / n


def pelvis_frame(
    asis_left: np.ndarray, asis_right: np.ndarray, psis_mid: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame pelvis anatomical frame (origin at the ASIS midpoint).

    Parameters
    ----------
    asis_left, asis_right, psis_mid
        Arrays ``(n, 3)`` in any right-handed lab frame (same unit).

    Returns
    -------
    origin
        ``(n, 3)`` ASIS midpoint.
    axes
        ``(n, 3, 3)``; ``axes[:, :, 0]`` anterior, ``[:, :, 1]`` superior, ``[:, :, 2]`` right
        (unit column vectors in lab coordinates). NaN where a marker is missing.
    """
    origin = 0.5 * (asis_left + asis_right)
    z = _unit(asis_right - asis_left)
    a = origin - psis_mid
    x = _unit(a - np.sum(a * z, axis=1, keepdims=True) * z)
    y = np.cross(z, x)
    return origin, np.stack([x, y, z], axis=2)


def harrington_hjc(
    asis_left: np.ndarray,
    asis_right: np.ndarray,
    psis_mid: np.ndarray,
    *,
    unit_m: float,
    leg_length_m: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Left and right hip joint centres by the Harrington et al. (2007) regression.

    Parameters
    ----------
    asis_left, asis_right, psis_mid
        Marker positions ``(n, 3)``; ``psis_mid`` is the midpoint of the PSIS markers or a
        single sacral marker.
    unit_m
        Metres per coordinate unit of the inputs (0.001 for mm, 1 for m).
    leg_length_m
        If given, the leg-length variant of the regression is used (metres).

    Returns
    -------
    left_hjc, right_hjc
        ``(n, 3)`` in the inputs' frame and unit. NaN where a marker is missing.

    Notes
    -----
    Pelvis width and depth are taken per frame from the median over the recording, so the
    hip centre is rigidly attached to the pelvis frame (no jitter from marker noise).
    """
    origin, axes = pelvis_frame(asis_left, asis_right, psis_mid)
    to_mm = unit_m * 1000.0
    pw_mm = float(np.nanmedian(np.linalg.norm(asis_right - asis_left, axis=1))) * to_mm
    pd_mm = float(np.nanmedian(np.linalg.norm(origin - psis_mid, axis=1))) * to_mm
    x = -0.24 * pd_mm - 9.9
    if leg_length_m is None:
        y = -0.30 * pw_mm - 10.9
        z = 0.33 * pw_mm + 7.3
    else:
        ll_mm = leg_length_m * 1000.0
        y = -0.16 * pw_mm - 0.04 * ll_mm - 7.1
        z = 0.28 * pd_mm + 0.16 * pw_mm + 7.9
    out = []
    for sign in (-1.0, 1.0):
        local = np.array([x, y, sign * z]) / to_mm
        out.append(origin + np.einsum("nij,j->ni", axes, local))
    return out[0], out[1]


def _cluster_poses(cluster: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rigid pose of a marker cluster per frame (Kabsch/SVD fit to a reference shape).

    ``cluster`` is ``(n, m, 3)`` with ``m >= 3``. Returns ``(R (n,3,3), origin (n,3), ok (n,))``
    with ``global = R @ local + origin``; the reference shape is the median local shape.
    """
    ok = np.all(np.isfinite(cluster), axis=(1, 2))
    if ok.sum() < 3:
        raise ValueError("too few complete frames for a marker cluster")
    centred = cluster - cluster.mean(axis=1, keepdims=True)
    ref = centred[np.flatnonzero(ok)[0]]
    n = cluster.shape[0]
    rot = np.full((n, 3, 3), np.nan)
    for i in np.flatnonzero(ok):
        h = ref.T @ centred[i]
        u, _, vt = np.linalg.svd(h)
        d = np.sign(np.linalg.det(vt.T @ u.T))
        rot[i] = vt.T @ np.diag([1.0, 1.0, d]) @ u.T
    return rot, cluster.mean(axis=1), ok


def score_joint_centre(proximal: np.ndarray, distal: np.ndarray) -> np.ndarray:
    """Functional joint centre between two marker clusters; see :func:`score_joint_centre_axis`."""
    return score_joint_centre_axis(proximal, distal)[0]


def score_joint_centre_axis(proximal: np.ndarray, distal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Functional joint centre between two marker clusters (SCoRE, Ehrig et al. 2006).

    Parameters
    ----------
    proximal, distal
        Arrays ``(n, m, 3)`` of at least three markers per segment over time.

    Returns
    -------
    centre
        ``(n, 3)`` joint centre in the input frame and unit, NaN where a cluster is incomplete.
    axis
        ``(n, 3)`` unit vector of the least-determined direction (the hinge axis for a knee
        or ankle) in the input frame; its sign is arbitrary but constant.
    """
    r1, o1, ok1 = _cluster_poses(proximal)
    r2, o2, ok2 = _cluster_poses(distal)
    ok = ok1 & ok2
    if ok.sum() < 10:
        raise ValueError("too few frames with both clusters complete")
    idx = np.flatnonzero(ok)
    a = np.concatenate([r1[idx], -r2[idx]], axis=2).reshape(-1, 6)
    b = (o2[idx] - o1[idx]).reshape(-1)
    sol, *_ = np.linalg.lstsq(a, b, rcond=None)
    c1, c2 = sol[:3], sol[3:]
    p1 = np.einsum("nij,j->ni", r1, c1) + o1
    p2 = np.einsum("nij,j->ni", r2, c2) + o2
    out = 0.5 * (p1 + p2)
    out[~ok] = np.nan
    _, _, vt = np.linalg.svd(a, full_matrices=False)
    null = vt[-1]
    ax1 = np.einsum("nij,j->ni", r1, null[:3])
    ax2 = np.einsum("nij,j->ni", r2, null[3:])
    axis = ax1 + ax2
    with np.errstate(invalid="ignore", divide="ignore"):
        axis = axis / np.linalg.norm(axis, axis=1, keepdims=True)
    axis[~ok] = np.nan
    return out, axis
