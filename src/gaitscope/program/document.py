"""A recording's patterns as a JSON-ready document (the content of ``findings.json``).

:func:`evaluate_recording` evaluates the pattern rules on one cycle table; :func:`patterns_document` writes
them (with the chain and the plan only when the reasoning pass, :mod:`gaitscope.reasoning`, was run for this
recording alone); :func:`findings_document` does both on raw intake flags.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Iterable, Mapping

import pandas as pd

from gaitscope.chain import ChainResult
from gaitscope.knowledge.loader import load_knowledge
from gaitscope.patterns import PatternContext, evaluate_patterns
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


def evaluate_recording(
    cycles: pd.DataFrame | None,
    *,
    view: str,
    spatial_scale: str = "metres",
    not_assessable: Mapping[str, str] | None = None,
    min_cycles: int | None = None,
    relaxed_min_cycles: int | None = None,
    not_comparable: Mapping[str, str] | None = None,
) -> tuple[Finding, ...]:
    """The pattern findings of one recording (``view``: sagittal, frontal, oblique or 3d; others: oblique).
    ``not_comparable``: metrics whose sides must not be compared (the far leg, ``gaitscope.quality``)."""
    kb = load_knowledge()
    v = view if view in ("sagittal", "frontal", "oblique", "3d") else "oblique"
    ctx = PatternContext(view=v, spatial_scale=spatial_scale, min_cycles=min_cycles,
                         not_assessable=dict(not_assessable or {}), relaxed_min_cycles=relaxed_min_cycles,
                         not_comparable=dict(not_comparable or {}))
    return tuple(evaluate_patterns(cycles, ctx, knowledge=kb))


def patterns_document(patterns: Iterable[Finding], *, view: str, extra_findings: Iterable[Finding] = (),
                      reasoning: Any = None) -> dict[str, Any]:
    """``findings.json`` of one recording: its patterns, and the chain and plan only when ``reasoning``
    (:class:`gaitscope.reasoning.Reasoning`) is given (``analyze`` alone; inside ``assess`` the chain and
    the plan live in ``assessment.json`` only)."""
    kb = load_knowledge()
    v = view if view in ("sagittal", "frontal", "oblique", "3d") else "oblique"
    doc: dict[str, Any] = {
        "schema_version": FINDINGS_SCHEMA_VERSION,
        "knowledge": kb.stamp,
        "note": SCREENING_NOTE,
        "view": v,
        "patterns": [finding_to_dict(f) for f in patterns],
        "other_findings": [finding_to_dict(f) for f in extra_findings],
    }
    if reasoning is None:
        doc["reasoning"] = ("patterns only: the kinetic chain and the plan are built once from every view and the "
                            "intake, in assessment.json")
    else:
        doc["chain"] = reasoning.chain_dict()
        doc["plan"] = reasoning.plan_dict()
        doc["at_a_glance"] = reasoning.at_a_glance
        doc["safety"] = reasoning.safety.to_dict()
    return doc


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
    """Patterns, chain and plan for one recording, ready for ``json.dump`` (the reasoning pass,
    :func:`gaitscope.reasoning.reason_screen`, on this one recording and raw intake flags).

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
    from gaitscope.intake.safety import screen_from_flags
    from gaitscope.reasoning import reason_screen

    patterns = evaluate_recording(cycles, view=view, spatial_scale=spatial_scale, not_assessable=not_assessable,
                                  min_cycles=min_cycles, relaxed_min_cycles=relaxed_min_cycles)
    extra = tuple(extra_findings)
    screen = screen_from_flags(intake_flags=intake_flags, red_flags=red_flags, contraindications=contraindications)
    r = reason_screen([patterns], screen, posture_findings=extra, max_exercises=max_exercises)
    return patterns_document(patterns, view=view, extra_findings=extra, reasoning=r)
