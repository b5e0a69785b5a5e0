"""program stage: Findings and kinetic-chain contributors -> an ordered corrective plan and advice.

The exercise library and the advice live in ``gaitscope/knowledge/exercises.toml`` and ``advice.toml``.
"""

from gaitscope.program.plan import AdviceItem, Plan, PlanItem, build_plan, plan_to_dict

__all__ = ["AdviceItem", "Plan", "PlanItem", "build_plan", "plan_to_dict"]
