"""Registry of pose backends (one file per backend, ``_<name>.py``).

A backend is a small class with keyword-only settings, no work in ``__init__`` and one verb,
``estimate(rgb_frames) -> Iterator[FramePose]``, plus the attributes ``name``, ``version``,
``model`` and ``names`` (the gaitscope keypoint names of its columns). To add a backend, add a
file and one entry in :data:`BACKENDS`.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Protocol

import numpy as np

from gaitscope.pose._mediapipe import FramePose, MediaPipePose
from gaitscope.types import GaitscopeError


class PoseBackend(Protocol):
    """What the pose stage needs from a backend."""

    name: str
    model: str
    names: tuple[str, ...]

    @property
    def version(self) -> str: ...

    def estimate(self, rgb_frames: Iterable[np.ndarray]) -> Iterator[FramePose]: ...


BACKENDS: dict[str, type] = {"mediapipe": MediaPipePose}


def get_backend(name: str, **settings: Any) -> PoseBackend:
    """Instantiate the backend called ``name`` with keyword settings."""
    try:
        cls = BACKENDS[name]
    except KeyError:
        raise GaitscopeError(
            f"unknown pose backend {name!r}; choose one of: {', '.join(sorted(BACKENDS))}"
        ) from None
    return cls(**settings)
