"""The short form of ``findings.json`` that ``summary.json`` carries under ``"findings"``.

Every flag keeps its evidence (metric, value, threshold, unit, source); contributors keep the reasoning
sentence with its evidence level. Wording: "associated with", never "causes" (the knowledge files are
checked for causal words on load).
"""

from __future__ import annotations

from typing import Any, Iterable

from gaitscope.knowledge.loader import load_knowledge


def _ev(e: dict[str, Any]) -> dict[str, Any]:
    return {k: e.get(k) for k in ("metric", "side", "for_side", "value", "unit", "comparison", "threshold", "source", "note")}


def summary_findings(doc: dict[str, Any], *, caveats: Iterable[str] = (), max_contributors: int = 5) -> dict[str, Any]:
    """Compact findings for ``summary.json``.

    Parameters
    ----------
    doc
        Output of :func:`gaitscope.program.findings_document`.
    caveats
        Sentences about the reliability of this recording's findings (view, stride count ...).
    max_contributors
        How many ranked kinetic-chain contributors to keep.

    Returns
    -------
    dict
        ``note``, ``caveats``, ``present`` (code, name, side, severity 1..3, evidence), ``absent`` (codes),
        ``not_assessable`` (code, reason), ``contributors`` (node, sides, score, evidence level, reasoning),
        ``plan`` (exercise ids in order with why), ``advice`` (ids).
    """
    kb = load_knowledge()
    names = {p.code: p.name for p in kb.patterns}
    present, absent, na = [], [], []
    for f in doc["patterns"]:
        if f["status"] == "present":
            present.append({
                "code": f["code"],
                "name": names.get(f["code"], f["code"]),
                "side": f["side"],
                "severity": int(f["severity"]),
                "severity_word": ("", "mild", "moderate", "severe")[int(f["severity"])],
                "evidence": [_ev(e) for e in f["evidence"]],
            })
        elif f["status"] == "absent":
            absent.append(f["code"])
        else:
            na.append({"code": f["code"], "reason": f["reason"]})
    contributors = []
    for c in (doc.get("chain") or {}).get("contributors", [])[:max_contributors]:
        item = {k: c.get(k) for k in ("rank", "node", "label", "side", "score", "evidence", "findings", "reasoning")
                if k in c}
        contributors.append(item)
    plan = doc.get("plan", {})
    exercises = []
    for it in plan.get("exercises", []):
        exercises.append({k: it.get(k) for k in ("order", "exercise_id", "name", "dose", "why") if k in it})
    advice = [a.get("advice_id", a.get("id")) for a in plan.get("advice", [])]
    out = {
        "schema_version": doc["schema_version"],
        "note": doc["note"],
        "caveats": list(caveats),
        "present": present,
        "absent": absent,
        "not_assessable": na,
        "contributors": contributors,
        "plan": exercises,
        "advice": advice,
    }
    if "chain" not in doc:  # a view inside `assess`: the chain and the plan are in assessment.json only
        del out["contributors"], out["plan"], out["advice"]
        out["reasoning"] = doc.get("reasoning", "")
    return out


def findings_lines(short: dict[str, Any]) -> list[str]:
    """Terminal lines for the short findings (``summary["findings"]``): each present pattern with its first
    piece of evidence, the top contributors, and the caveats."""
    lines = []
    for f in short.get("present", []):
        side = f" ({f['side']})" if f.get("side") else ""
        ev = f["evidence"][0] if f["evidence"] else None
        why = (f": {ev['metric']} {ev['value']:.3g} {ev['unit']} {ev['comparison']} {ev['threshold']:g}"
               if ev else "")
        lines.append(f"  pattern {f['code']}{side}, {f['severity_word']}{why}")
    if not short.get("present"):
        lines.append("  no gait pattern found among the assessable rules")
    n_na = len(short.get("not_assessable", []))
    if n_na:
        lines.append(f"  {n_na} rule(s) not assessable from this input (reasons in findings.json)")
    for c in short.get("contributors", [])[:3]:
        if c.get("reasoning"):
            lines.append(f"  contributor: {c['reasoning']}")
    for c in short.get("caveats", []):
        lines.append(f"  caveat: {c}")
    return lines
