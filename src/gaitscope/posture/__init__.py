"""Static posture screen from photos (front, side, back) or a still-standing second of video.

Measures (degrees, and centimetres with the person's height) with stated errors, findings in the
:class:`~gaitscope.types.Finding` form for the kinetic chain, a Kendall posture type where the
landmarks support it, and annotated images. See ``docs/posture.md``.
"""

from gaitscope.posture.findings import FINDING_CODES, posture_findings
from gaitscope.posture.keypoints import StillKeypoints, still_from_arrays
from gaitscope.posture.measures import MEASURE_DOCS, PostureMeasure, measure_frontal, measure_sagittal
from gaitscope.posture.run import (
    PostureResult,
    ViewResult,
    assess_keypoints,
    assess_posture,
    measure_view,
    still_from_pose,
)

__all__ = [
    "FINDING_CODES",
    "MEASURE_DOCS",
    "PostureMeasure",
    "PostureResult",
    "StillKeypoints",
    "ViewResult",
    "assess_keypoints",
    "assess_posture",
    "measure_frontal",
    "measure_sagittal",
    "measure_view",
    "posture_findings",
    "still_from_arrays",
    "still_from_pose",
]
