"""One call from a cycle table to the reasoning outputs: patterns, kinetic chain and plan as a JSON-ready
document (the content of ``findings.json``). The pipeline calls this after the gait analysis.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Iterable, Mapping

import pandas as pd

from gaitscope.chain import ChainResult, reason_chain
from gaitscope.knowledge.loader import load_knowledge
from gaitscope.patterns import PatternContext, evaluate_patterns
from gaitscope.program.plan import Plan, build_plan, plan_to_dict
from gaitscope.types import Finding

FINDINGS_SCHEMA_VERSION = "1.0"
SCREENING_NOTE = (
    "Screening, not diagnosis: patterns are compared with published or conventional thresholds; the kinetic "
    "chain lists contributors associated with the findings, with the evidence level of each link."
)


def finding_to_dict(f: Finding) -> dict[str, Any]:
    """A finding as plain JSON types (evidence as a list of dicts)."""
    d = asdict(f)
    d["evidence"] = [dict(e) for e in d["evidence"]]
    return d


def chain_to_dict(chain: ChainResult) -> dict[str, Any]:
    """The chain result as plain JSON types."""
    return {
        "knowledge_stamp": chain.knowledge_stamp,
        "active_nodes": [asdict(a) | {"sides": list(a.sides), "findings": list(a.findings), "sentences": list(a.sentences)}
                         for a in chain.active_nodes],
        "active_edges": [list(e) for e in chain.active_edges],
        "contributors": [
            asdict(c) | {"findings": list(c.findings), "path": list(c.path), "steps": [asdict(s) | {"sources": list(s.sources)} for s in c.steps]}
            for c in chain.contributors
        ],
    }


def findings_document(
    cycles: pd.DataFrame | None,
    *,
    view: str,
    spatial_scale: str = "metres",
    not_assessable: Mapping[str, str] | None = None,
    min_cycles: int | None = None,
    relaxed_min_cycles: int | None = None,
    extra_findings: Iterable[Finding] = (),
    intake_flags: Iterable[str] = (),
    red_flags: Iterable[str] = (),
    contraindications: Iterable[str] = (),
    max_exercises: int = 5,
) -> dict[str, Any]:
    """Patterns, chain and plan for one recording, ready for ``json.dump``.

    Parameters
    ----------
    cycles
        cycles.csv of the gait analysis.
    view, spatial_scale, not_assessable, min_cycles, relaxed_min_cycles
        See :class:`gaitscope.patterns.PatternContext` (``view`` from the analysis: sagittal, frontal,
        oblique or 3d; other values are treated as oblique).
    extra_findings
        Further findings (e.g. posture findings, codes ``posture_*``) that feed the chain and the plan.
    intake_flags, red_flags, contraindications, max_exercises
        See :func:`gaitscope.program.build_plan`.

    Returns
    -------
    dict
        ``schema_version``, ``knowledge`` (stamp), ``note``, ``patterns`` (one per rule), ``chain``, ``plan``.
    """
    kb = load_knowledge()
    v = view if view in ("sagittal", "frontal", "oblique", "3d") else "oblique"
    ctx = PatternContext(view=v, spatial_scale=spatial_scale, min_cycles=min_cycles,
                         not_assessable=dict(not_assessable or {}), relaxed_min_cycles=relaxed_min_cycles)
    patterns = list(evaluate_patterns(cycles, ctx, knowledge=kb))
    allf = patterns + list(extra_findings)
    flags = list(intake_flags)
    chain = reason_chain(allf, intake_flags=flags, knowledge=kb)
    plan: Plan = build_plan(allf, chain, intake_flags=flags, red_flags=red_flags,
                            contraindications=contraindications, max_exercises=max_exercises, knowledge=kb)
    return {
        "schema_version": FINDINGS_SCHEMA_VERSION,
        "knowledge": kb.stamp,
        "note": SCREENING_NOTE,
        "view": v,
        "patterns": [finding_to_dict(f) for f in patterns],
        "other_findings": [finding_to_dict(f) for f in extra_findings],
        "chain": chain_to_dict(chain),
        "plan": plan_to_dict(plan),
    }
