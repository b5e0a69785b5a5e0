"""program stage: Findings and kinetic-chain contributors -> an ordered corrective plan and advice.

The exercise library and the advice live in ``gaitscope/knowledge/exercises.toml`` and ``advice.toml``.
"""

from gaitscope.program.document import (
    FINDINGS_SCHEMA_VERSION,
    chain_to_dict,
    evaluate_recording,
    finding_to_dict,
    findings_document,
    patterns_document,
)
from gaitscope.program.plan import AdviceItem, Plan, PlanItem, build_plan, plan_to_dict

__all__ = [
    "FINDINGS_SCHEMA_VERSION",
    "AdviceItem",
    "Plan",
    "PlanItem",
    "build_plan",
    "chain_to_dict",
    "finding_to_dict",
    "evaluate_recording",
    "findings_document",
    "patterns_document",
    "plan_to_dict",
]
