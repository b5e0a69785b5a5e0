"""The phantom: a synthetic walker (and stander) with known truth. Plainly synthetic data.

``simulate(...)`` gives a :class:`PhantomWalk` (world keypoints, events, angles, spatiotemporal
truth); ``standing(...)`` gives quiet standing with set postural asymmetries. See docs/phantom.md.
"""

from gaitscope.phantom.patterns import PATTERNS, SEVERITIES
from gaitscope.phantom.standing import standing
from gaitscope.phantom.walker import ANGLE_COLUMNS, PhantomWalk, simulate

__all__ = ["ANGLE_COLUMNS", "PATTERNS", "SEVERITIES", "PhantomWalk", "simulate", "standing"]
