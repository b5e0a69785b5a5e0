"""The one reasoning pass: findings of every view + posture + the intake -> kinetic chain, plan, headline.

Per-view analyses (``analyze``'s ``findings.json`` and ``summary.json`` of each view inside ``assess``) hold
measurements and patterns only. :func:`reason` is the single place where the chain and the plan are built,
once, from all views together with the intake's safety screen. ``analyze`` run alone calls it with its one
view and no intake; ``assess`` calls it with every view, the posture findings and the intake. Nothing here
reads JSON back: it takes :class:`~gaitscope.types.Finding` objects.

Pure functions; no video or pose imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from gaitscope.chain import ChainResult, reason_chain
from gaitscope.intake.model import Intake
from gaitscope.intake.safety import SafetyScreen, safety_screen
from gaitscope.knowledge.loader import Knowledge, compare, load_knowledge
from gaitscope.program.plan import Plan, build_plan
from gaitscope.types import Evidence, Finding

#: Below this share of gait patterns checked, the headline says the screen is incomplete (never an all-clear).
MIN_CHECKED_SHARE = 0.5


@dataclass(frozen=True)
class Reasoning:
    """The result of the reasoning pass.

    ``gait_findings``: one finding per gait pattern, merged over the views; ``posture_findings``: the
    standing-posture findings; ``chain``/``plan``: built once from both plus ``safety``;
    ``at_a_glance``: the headline (top findings, contributors, the plan in one line, what was not checked).
    """

    gait_findings: tuple[Finding, ...]
    posture_findings: tuple[Finding, ...]
    safety: SafetyScreen
    chain: ChainResult
    plan: Plan
    at_a_glance: dict[str, Any]

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.gait_findings + self.posture_findings

    def chain_dict(self) -> dict[str, Any]:
        from gaitscope.program.document import chain_to_dict

        return chain_to_dict(self.chain)

    def plan_dict(self) -> dict[str, Any]:
        from gaitscope.program.plan import plan_to_dict

        return dict(plan_to_dict(self.plan))


def merge_findings(per_view: Iterable[Sequence[Finding]]) -> list[Finding]:
    """One finding per pattern code over several views: present (most severe) > absent > not_assessable."""
    order: list[str] = []
    by: dict[str, list[Finding]] = {}
    for findings in per_view:
        for f in findings:
            if f.code not in by:
                order.append(f.code)
            by.setdefault(f.code, []).append(f)
    out = []
    for code in order:
        fs = by[code]
        present = [f for f in fs if f.status == "present"]
        absent = [f for f in fs if f.status == "absent"]
        if present:
            out.append(max(present, key=lambda f: f.severity))
        elif absent:
            out.append(absent[0])
        else:
            out.append(fs[0])
    return out


def evidence_met(ev: Evidence | Mapping[str, Any]) -> bool | None:
    """Whether an evidence value passes its threshold (:func:`gaitscope.knowledge.loader.compare`)."""
    get = ev.get if isinstance(ev, Mapping) else (lambda k: getattr(ev, k))
    return compare(get("value"), get("comparison"), get("threshold"))


def finding_title(code: str, kb: Knowledge | None = None) -> str:
    """The pattern's plain name (patterns.toml), or the standing-posture code in words."""
    from gaitscope.posture.findings import FINDING_CODES

    kb = kb or load_knowledge()
    try:
        return kb.pattern(code).name
    except KeyError:
        text = FINDING_CODES.get(code, code.replace("_", " "))
        return "Standing posture: " + text.split(";")[0]


def finding_description(code: str, kb: Knowledge | None = None) -> str:
    """The pattern's plain description (patterns.toml), or the posture code's meaning."""
    from gaitscope.posture.findings import FINDING_CODES

    kb = kb or load_knowledge()
    try:
        return kb.pattern(code).description
    except KeyError:
        return FINDING_CODES.get(code, "").split(";")[0].capitalize()


def _checked(findings: Sequence[Finding]) -> tuple[int, int, list[str]]:
    """(gait patterns checked, gait patterns in total, plain names of those not checked)."""
    gait = [f for f in findings if not f.code.startswith("posture_")]
    kb = load_knowledge()
    not_checked = [finding_title(f.code, kb) for f in gait if f.status == "not_assessable"]
    return len(gait) - len(not_checked), len(gait), not_checked


def at_a_glance(findings: Sequence[Finding], chain: Mapping[str, Any], plan: Mapping[str, Any],
                safety: SafetyScreen | None = None, *, assessment: bool = True) -> dict[str, Any]:
    """The headline: top findings, top contributors, the plan in one line and what could not be checked.

    Honest by construction: when few gait patterns could be checked, or no intake (so no red flag) was
    checked, the line says so and what to record; it never reads as an all-clear.
    """
    kb = load_knowledge()
    safety = safety or SafetyScreen()
    present = [f for f in findings if f.status == "present"]
    gait_first = sorted(enumerate(present), key=lambda t: (-t[1].severity, t[1].code.startswith("posture_"), t[0]))
    top = []
    for _, f in gait_first[:3]:
        own = [e for e in f.evidence if f.side in (None, "both") or e.side in (None, f.side)]
        ev = next((e for e in own if evidence_met(e)), own[0] if own else None)  # key evidence: a threshold passed
        top.append({
            "code": f.code, "title": finding_title(f.code, kb), "description": finding_description(f.code, kb),
            "side": f.side, "severity": f.severity,
            "evidence": None if ev is None else {"metric": ev.metric, "value": ev.value, "unit": ev.unit,
                                                 "comparison": ev.comparison, "threshold": ev.threshold, "source": ev.source,
                                                 "error": ev.error},
        })
    contributors = [{"rank": c["rank"], "label": c["label"], "side": c["side"], "evidence": c["evidence"],
                     "basis": c.get("basis", "measured"), "certainty": c.get("certainty", "")}
                    for c in chain.get("contributors", [])[:3]]
    n_checked, n_total, not_checked = _checked(findings)
    unchecked: list[str] = []  # what could not be checked, each with what to do about it
    if n_total and n_checked < MIN_CHECKED_SHARE * n_total:
        unchecked.append(f"only {n_checked} of {n_total} gait patterns could be checked with these recordings "
                         "(record what the report lists as missing)")
    if not safety.intake_given:
        unchecked.append("no intake was given, so the safety (red-flag) questions were not checked (answer them "
                         "with `gaitscope intake` before starting any exercise)")
    elif safety.unanswered or safety.unsure:
        unchecked.append(f"{len(safety.unanswered) + len(safety.unsure)} safety question(s) were not answered "
                         "yes or no (go through them with a clinician before starting)")
    if plan.get("withheld"):
        line = "Exercise plan withheld: see a doctor first (see the box above)."
    elif plan.get("exercises"):
        names = [e["name"] for e in plan["exercises"]]
        line = (f"{len(names)} exercises in this order (dose on each card): " + ", ".join(names)
                + "; re-test in 6 to 8 weeks.")
        if plan.get("falls_programme"):
            line += " Plus the balance-and-strength programme for falls, with support."
        cons = chain.get("contributors", [])
        if cons and all(c.get("basis") == "answered" for c in cons):
            line += " These exercises follow from your answers only, not from a measured finding."
        if unchecked:
            line += " Not a complete screen: " + "; ".join(unchecked) + "."
    elif plan.get("falls_programme"):
        line = "The balance-and-strength programme for falls, done with support (see the plan); re-test in 6 to 8 weeks."
        if unchecked:
            line += " Not a complete screen: " + "; ".join(unchecked) + "."
    elif not any(f.status != "not_assessable" for f in findings):
        line = ("No plan: nothing could be checked with these recordings; record what the report lists as missing "
                "and assess again.")
    elif unchecked:
        line = ("Not an all-clear: " + "; ".join(unchecked) + ". No exercise is suggested from what was checked; "
                "assess again once that is done.")
    else:
        line = (f"No pattern calling for corrective exercise was found in the {n_checked} of {n_total} gait patterns "
                "checked: keep walking daily and re-test if symptoms change.")
    return {"top_findings": top, "contributors": contributors, "plan_line": line,
            "patterns_checked": n_checked, "patterns_total": n_total, "not_checked": not_checked,
            "unchecked": unchecked}


def reason_screen(
    gait_findings: Iterable[Sequence[Finding]] | Sequence[Finding],
    safety: SafetyScreen,
    *,
    posture_findings: Sequence[Finding] = (),
    knowledge: Knowledge | None = None,
    max_exercises: int = 5,
) -> Reasoning:
    """The reasoning pass from findings and an already built safety screen (see :func:`reason`)."""
    from gaitscope.program.document import chain_to_dict
    from gaitscope.program.plan import plan_to_dict

    kb = knowledge or load_knowledge()
    views = list(gait_findings)
    if views and isinstance(views[0], Finding):
        views = [views]  # one view given as a flat list
    gait = tuple(merge_findings(views))
    posture = tuple(posture_findings)
    allf = list(gait + posture)
    chain = reason_chain(allf, intake_flags=safety.flags, knowledge=kb)
    plan = build_plan(allf, chain, safety=safety, max_exercises=max_exercises, knowledge=kb)
    glance = at_a_glance(allf, chain_to_dict(chain), dict(plan_to_dict(plan)), safety)
    return Reasoning(gait_findings=gait, posture_findings=posture, safety=safety, chain=chain, plan=plan,
                     at_a_glance=glance)


def reason(
    gait_findings: Iterable[Sequence[Finding]] | Sequence[Finding],
    *,
    posture_findings: Sequence[Finding] = (),
    intake: Intake | None = None,
    knowledge: Knowledge | None = None,
    max_exercises: int = 5,
) -> Reasoning:
    """Build the kinetic chain and the plan once, from every view's findings, the posture and the intake.

    Parameters
    ----------
    gait_findings
        The pattern findings of each analysed walk (one sequence per view), or one view's findings.
    posture_findings
        Standing-posture findings (codes ``posture_*``).
    intake
        The validated intake (None: no intake; red flags are then unchecked and the headline says so).
    """
    return reason_screen(gait_findings, safety_screen(intake), posture_findings=posture_findings,
                         knowledge=knowledge, max_exercises=max_exercises)


__all__ = ["MIN_CHECKED_SHARE", "Reasoning", "at_a_glance", "evidence_met", "finding_description", "finding_title",
           "merge_findings", "reason", "reason_screen"]
