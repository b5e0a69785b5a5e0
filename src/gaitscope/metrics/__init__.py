"""Metrics stage: sagittal angles, strides, spatiotemporal parameters, symmetry and the summary.

Entry points (see ``docs/outputs.md`` for the tables they make):
:func:`compute_angles` (``angles.csv``), :func:`compute_cycles` (``cycles.csv``) and
:func:`summarize` (``summary.json``). The maths lives in pure functions in
:mod:`.kinematics`, :mod:`.spatiotemporal` and :mod:`.symmetry`.
"""

from gaitscope.metrics.agreement import compare_angle_tables, offset_removed_agreement, within_cycles
from gaitscope.metrics.cycles import CYCLE_COLUMNS, KINEMATIC_COLUMNS, compute_angles, compute_cycles
from gaitscope.metrics.kinematics import ANGLE_COLUMNS, sagittal_angles, time_normalise
from gaitscope.metrics.summary import SCHEMA_VERSION, summarize

__all__ = [
    "ANGLE_COLUMNS",
    "CYCLE_COLUMNS",
    "KINEMATIC_COLUMNS",
    "SCHEMA_VERSION",
    "compare_angle_tables",
    "compute_angles",
    "compute_cycles",
    "offset_removed_agreement",
    "sagittal_angles",
    "summarize",
    "time_normalise",
    "within_cycles",
]
