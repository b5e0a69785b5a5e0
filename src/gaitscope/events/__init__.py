"""Events stage: initial contact (IC) and final contact (FC) of each foot.

Entry point: :func:`detect_events` (foot-velocity method, see ``docs/events.md``).
"""

from gaitscope.events.foot_velocity import (
    EVENT_COLUMNS,
    FootVelocityEventDetector,
    detect_events,
    drop_implausible,
    empty_events,
    validate_events,
)

__all__ = [
    "EVENT_COLUMNS",
    "FootVelocityEventDetector",
    "detect_events",
    "drop_implausible",
    "empty_events",
    "validate_events",
]
