"""Signal stage: cleaning (gaps, outliers, zero-lag filter, left/right swaps), scale, view,
walking passes and gait mode. Entry point: :func:`prepare_walk`."""

from gaitscope.signal.prepare import (
    PreparedWalk,
    PrepareSettings,
    WalkingPass,
    estimate_height,
    prepare_walk,
)

__all__ = [
    "PreparedWalk",
    "PrepareSettings",
    "WalkingPass",
    "estimate_height",
    "prepare_walk",
]
