"""Virtual camera: project world keypoints (phantom, mocap) to a 2D image like a phone clip.

A static pinhole camera stands beside (sagittal) or in front of / behind (frontal) the walkway,
level (optical axis horizontal), aimed at the middle of the walking path (for treadmill mocap, at
the mean pelvis position). The world samples are resampled to the camera's frame times, then
optional Gaussian pixel noise, dropped frames and short keypoint dropouts are applied (seeded).

World frame: metres, +x walking direction, +y up, +z the person's right. Image frame: pixels,
origin top-left, +x right, +y down; ``z`` of the output holds the depth along the optical axis
in metres (this module's convention for virtual cameras, stated in ``meta["z_meaning"]``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaitscope.types import GaitscopeError, PoseSequence

VIEWS: tuple[str, ...] = ("sagittal-left", "sagittal-right", "frontal-front", "frontal-back")
#: Nearest distance (m) kept between a frontal camera and the walker by the automatic distance.
FRONTAL_NEAREST_M = 3.2
SAGITTAL_DISTANCE_RANGE_M = (3.5, 6.0)


@dataclass(frozen=True)
class Camera:
    """Pinhole camera: ``x_cam = R @ x_world + t``; pixel ``[u, v, 1] ~ K @ x_cam``.

    Camera axes: x = image right, y = image down, z = optical axis (depth, metres).
    """

    K: np.ndarray
    R: np.ndarray
    t: np.ndarray
    image_size_px: tuple[int, int]
    view: str

    @property
    def centre_m(self) -> np.ndarray:
        """Camera centre in world coordinates (m)."""
        return -self.R.T @ self.t

    def project(self, points_world: np.ndarray) -> np.ndarray:
        """``(..., 3)`` world points -> ``(..., 3)``: u, v (px) and depth (m); NaN behind the camera."""
        p = np.asarray(points_world, dtype=float)
        cam = p @ self.R.T + self.t
        depth = cam[..., 2]
        with np.errstate(invalid="ignore", divide="ignore"):
            u = self.K[0, 0] * cam[..., 0] / depth + self.K[0, 2]
            v = self.K[1, 1] * cam[..., 1] / depth + self.K[1, 2]
        out = np.stack([u, v, depth], axis=-1)
        out[~(depth > 0.05)] = np.nan
        return out

    def unproject(self, uv_px: np.ndarray, depth_m: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`project` given the depth along the optical axis: world points (m)."""
        uv = np.asarray(uv_px, dtype=float)
        d = np.asarray(depth_m, dtype=float)
        x = (uv[..., 0] - self.K[0, 2]) / self.K[0, 0] * d
        y = (uv[..., 1] - self.K[1, 2]) / self.K[1, 1] * d
        cam = np.stack([x, y, d], axis=-1)
        return (cam - self.t) @ self.R

    def unproject_to_plane(self, uv_px: np.ndarray, plane_point_m: np.ndarray, plane_normal: np.ndarray) -> np.ndarray:
        """World points where the viewing rays of ``uv_px`` meet a plane (e.g. the floor, y = 0)."""
        uv = np.asarray(uv_px, dtype=float)
        ray_cam = np.stack(
            [(uv[..., 0] - self.K[0, 2]) / self.K[0, 0], (uv[..., 1] - self.K[1, 2]) / self.K[1, 1], np.ones(uv.shape[:-1])],
            axis=-1,
        )
        ray = ray_cam @ self.R  # world direction
        c = self.centre_m
        n = np.asarray(plane_normal, dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            s = ((np.asarray(plane_point_m, dtype=float) - c) @ n) / (ray @ n)
        return c + s[..., None] * ray

    def as_dict(self) -> dict:
        return {
            "view": self.view,
            "K": self.K.tolist(),
            "R": self.R.tolist(),
            "t": self.t.tolist(),
            "centre_m": self.centre_m.tolist(),
            "image_size_px": list(self.image_size_px),
        }


def _path_centre(pose_world: PoseSequence) -> tuple[np.ndarray, np.ndarray]:
    """Mean (x, z) of the pelvis (mid hip joint centres; else all keypoints) and the x extent."""
    if pose_world.has("left_hip") and pose_world.has("right_hip"):
        pts = 0.5 * (pose_world.get("left_hip") + pose_world.get("right_hip"))
    else:
        pts = np.nanmean(pose_world.xyz, axis=1)
    good = np.isfinite(pts).all(axis=1)
    if not good.any():
        raise GaitscopeError(f"{pose_world.source or 'pose'}: no finite keypoints to aim the virtual camera at")
    pts = pts[good]
    centre = np.array([np.mean(pts[:, 0]), np.mean(pts[:, 2])])
    extent = np.array([np.min(pts[:, 0]), np.max(pts[:, 0])])
    return centre, extent


def camera_matrices(
    pose_world: PoseSequence,
    *,
    view: str = "sagittal-left",
    image_size_px: tuple[int, int] = (1280, 720),
    distance_m: float | None = None,
    hfov_deg: float = 60.0,
    focal_px: float | None = None,
    camera_height_m: float = 1.0,
) -> Camera:
    """The static camera :func:`project` uses for this pose and view.

    Parameters
    ----------
    view
        ``"sagittal-left"`` (camera on the walker's left: she walks right to left in the image),
        ``"sagittal-right"``, ``"frontal-front"`` (walking toward the camera), ``"frontal-back"``.
    distance_m
        Sagittal: distance from the walking line; frontal: distance from the middle of the path.
        Default: sagittal, enough to see the whole path, clamped to 3.5..6 m (a long walk leaves the
        frame, as in a real clip); frontal, half the path plus 3.2 m (the walker never comes closer).
    hfov_deg, focal_px
        Horizontal field of view (deg) or the focal length in pixels (overrides the field of view).
    camera_height_m
        Height of the lens above the floor (m); the optical axis is horizontal.
    """
    if view not in VIEWS:
        raise GaitscopeError(f"unknown virtual-camera view {view!r}; choose one of {', '.join(VIEWS)}")
    if pose_world.frame != "world":
        raise GaitscopeError(f"{pose_world.source or 'pose'}: the virtual camera needs world keypoints (metres), got image keypoints")
    w, h = int(image_size_px[0]), int(image_size_px[1])
    if not (16 <= w <= 10000 and 16 <= h <= 10000):
        raise GaitscopeError(f"image size {image_size_px} px is not a plausible camera image")
    f = float(focal_px) if focal_px else (w / 2) / np.tan(np.radians(hfov_deg) / 2)
    (cx_m, cz_m), (x_min, x_max) = _path_centre(pose_world)
    half_path = 0.5 * (x_max - x_min)
    if distance_m is None:
        if view.startswith("sagittal"):
            fit = (half_path + 0.6) * f / (w / 2)
            distance_m = float(np.clip(fit, *SAGITTAL_DISTANCE_RANGE_M))
        else:
            distance_m = half_path + FRONTAL_NEAREST_M
    D = float(distance_m)
    if D <= 0.5:
        raise GaitscopeError(f"virtual-camera distance {D} m is too close; use at least 0.5 m")
    if view == "sagittal-left":
        centre, fwd = np.array([cx_m, camera_height_m, cz_m - D]), np.array([0.0, 0.0, 1.0])
    elif view == "sagittal-right":
        centre, fwd = np.array([cx_m, camera_height_m, cz_m + D]), np.array([0.0, 0.0, -1.0])
    elif view == "frontal-front":
        centre, fwd = np.array([cx_m + D, camera_height_m, cz_m]), np.array([-1.0, 0.0, 0.0])
    else:
        centre, fwd = np.array([cx_m - D, camera_height_m, cz_m]), np.array([1.0, 0.0, 0.0])
    right = np.cross(fwd, np.array([0.0, 1.0, 0.0]))
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    R = np.stack([right, down, fwd])
    K = np.array([[f, 0.0, w / 2.0], [0.0, f, h / 2.0], [0.0, 0.0, 1.0]])
    return Camera(K=K, R=R, t=-R @ centre, image_size_px=(w, h), view=view)


def _resample(pose: PoseSequence, t_new: np.ndarray) -> np.ndarray:
    """Linear interpolation of every coordinate at ``t_new``; NaN if a bracketing sample is NaN."""
    t = pose.t_s
    i = np.clip(np.searchsorted(t, t_new, side="right"), 1, len(t) - 1)
    t0, t1 = t[i - 1], t[i]
    w = ((t_new - t0) / (t1 - t0))[:, None, None]
    return (1 - w) * pose.xyz[i - 1] + w * pose.xyz[i]


def _base_scores(names: tuple[str, ...], view: str) -> np.ndarray:
    """Visibility-like scores: 0.9 for the side facing a sagittal camera, 0.6 for the far side."""
    out = np.full(len(names), 0.85)
    if view.startswith("sagittal"):
        near = "left" if view == "sagittal-left" else "right"
        for j, nm in enumerate(names):
            if nm.startswith(near + "_"):
                out[j] = 0.9
            elif nm.startswith(("left_", "right_")):
                out[j] = 0.6
            else:
                out[j] = 0.9
    return out


def project(
    pose_world: PoseSequence,
    *,
    view: str = "sagittal-left",
    rate_hz: float = 30.0,
    image_size_px: tuple[int, int] = (1280, 720),
    distance_m: float | None = None,
    hfov_deg: float = 60.0,
    focal_px: float | None = None,
    camera_height_m: float = 1.0,
    noise_px: float = 0.0,
    drop_fraction: float = 0.0,
    dropout_fraction: float = 0.0,
    clip_to_image: bool = True,
    seed: int = 0,
    start_s: float = 0.0,
) -> PoseSequence:
    """What a static camera at ``rate_hz`` would see of ``pose_world``.

    Parameters
    ----------
    pose_world
        World-frame keypoints (metres), e.g. the phantom or imported mocap.
    view, image_size_px, distance_m, hfov_deg, focal_px, camera_height_m
        The camera (see :func:`camera_matrices`).
    rate_hz
        Camera frame rate; camera frame ``k`` is at ``t_s = t0 + start_s + k / rate_hz`` with ``t0`` the
        first world sample, so times stay in the input's time base. Coordinates are linearly
        interpolated from the world samples.
    noise_px
        SD of Gaussian noise added to u and v (pixels).
    drop_fraction
        Fraction of camera frames removed entirely (``frame_index`` keeps the camera frame number).
    dropout_fraction
        Fraction of keypoint samples lost in short runs (3-8 frames): NaN with score 0.
    clip_to_image
        Keypoints outside the image are set to NaN with score 0 (the walker may leave the frame).
    seed
        Seed of noise, drops and dropouts.
    start_s
        Camera start relative to the first world sample (s).

    Returns
    -------
    PoseSequence
        ``frame="image"``: u, v in pixels (origin top-left, +y down), ``z`` = depth along the optical
        axis (m); ``score`` 0.9 on the side facing a sagittal camera, 0.6 on the far side, 0.85 in
        frontal views, 0 where missing. ``meta["camera"]`` holds K, R, t for back-projection.
    """
    if not 1.0 <= rate_hz <= 1000.0:
        raise GaitscopeError(f"virtual-camera rate {rate_hz} Hz is not plausible; use 1..1000 frames/s")
    if not (0.0 <= drop_fraction < 0.9 and 0.0 <= dropout_fraction < 0.9 and noise_px >= 0):
        raise GaitscopeError("virtual camera: drop_fraction and dropout_fraction must be in [0, 0.9), noise_px >= 0")
    if pose_world.n_frames < 2:
        raise GaitscopeError(f"{pose_world.source or 'pose'}: need at least two samples to film")
    cam = camera_matrices(
        pose_world,
        view=view,
        image_size_px=image_size_px,
        distance_m=distance_m,
        hfov_deg=hfov_deg,
        focal_px=focal_px,
        camera_height_m=camera_height_m,
    )
    rng = np.random.default_rng(seed)
    t0 = float(pose_world.t_s[0])
    span = float(pose_world.t_s[-1]) - t0 - start_s
    n_cam = int(np.floor(span * rate_hz + 1e-9)) + 1
    if n_cam < 2:
        raise GaitscopeError(f"{pose_world.source or 'pose'}: too short for a {rate_hz} frames/s camera starting at {start_s} s")
    k = np.arange(n_cam)
    t_cam = t0 + start_s + k / rate_hz
    world = _resample(pose_world, t_cam)
    img = cam.project(world)
    if noise_px > 0:
        img[..., :2] += rng.normal(0.0, noise_px, size=img[..., :2].shape)
    n_kp = len(pose_world.names)
    score = np.tile(_base_scores(pose_world.names, view), (n_cam, 1))
    score = np.clip(score + rng.uniform(-0.05, 0.05, size=score.shape), 0.0, 1.0)
    src_missing = ~np.isfinite(world).all(axis=2) | (_resample_scores(pose_world, t_cam) <= 0)
    missing = src_missing | ~np.isfinite(img[..., :2]).all(axis=2)
    if clip_to_image:
        w, h = cam.image_size_px
        u, v = img[..., 0], img[..., 1]
        with np.errstate(invalid="ignore"):
            missing |= (u < 0) | (u >= w) | (v < 0) | (v >= h)
    if dropout_fraction > 0:
        budget = int(round(dropout_fraction * n_cam * n_kp))
        lost = 0
        while lost < budget:
            j = int(rng.integers(n_kp))
            L = int(rng.integers(3, 9))
            s0 = int(rng.integers(0, max(n_cam - L, 1)))
            lost += int((~missing[s0 : s0 + L, j]).sum())
            missing[s0 : s0 + L, j] = True
    img[missing] = np.nan
    score[missing] = 0.0
    keep = np.ones(n_cam, dtype=bool)
    if drop_fraction > 0:
        n_drop = int(round(drop_fraction * n_cam))
        drop = rng.choice(np.arange(1, n_cam - 1), size=min(n_drop, max(n_cam - 2, 0)), replace=False)
        keep[drop] = False
    meta = {
        "synthetic_view": True,
        "virtual_camera": {
            "view": view,
            "rate_hz": rate_hz,
            "noise_px": noise_px,
            "drop_fraction": drop_fraction,
            "dropout_fraction": dropout_fraction,
            "seed": seed,
            "start_s": start_s,
            "distance_m": float(np.linalg.norm((cam.centre_m - np.r_[_path_centre(pose_world)[0][0], camera_height_m, _path_centre(pose_world)[0][1]]))),
            "camera_height_m": camera_height_m,
        },
        "camera": cam.as_dict(),
        "z_meaning": "depth along the optical axis, metres (virtual camera)",
        "world_meta": dict(pose_world.meta),
        "nominal_rate_hz": rate_hz,
        "backend": "virtual_camera",
    }
    return PoseSequence(
        xyz=img[keep],
        score=score[keep],
        names=pose_world.names,
        t_s=t_cam[keep],
        frame="image",
        frame_index=k[keep],
        image_size_px=cam.image_size_px,
        source=f"{pose_world.source or 'world keypoints'} via virtual camera ({view})",
        meta=meta,
    )


def _resample_scores(pose: PoseSequence, t_new: np.ndarray) -> np.ndarray:
    """Score of the nearest-in-time bracketing samples (the lower of the two)."""
    t = pose.t_s
    i = np.clip(np.searchsorted(t, t_new, side="right"), 1, len(t) - 1)
    return np.minimum(pose.score[i - 1], pose.score[i])
