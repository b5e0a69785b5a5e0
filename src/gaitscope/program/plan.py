"""Corrective plan: findings + ranked kinetic-chain contributors (+ intake) -> a short, ordered exercise plan
with the reason for each choice, plus footwear, orthotic, habit and referral advice.

Selection is greedy with diminishing returns: each exercise is worth the summed support of the chain nodes
it targets, and a node already covered by a chosen exercise counts half as much for the next one, so the
plan spreads over the main contributors instead of stacking five exercises on one. Exercises whose
contraindication flags apply are removed and listed with the reason. The plan is ordered release ->
mobility -> activation -> strengthening -> gait drills. Any red flag withholds the exercise plan and returns
an urgent medical-review message instead. Pure functions; no video or pose imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping

from gaitscope.chain import ChainResult, reason_chain
from gaitscope.knowledge.loader import CAUSAL_RE, FLOOR_POSITIONS, Exercise, Knowledge, load_knowledge
from gaitscope.types import Finding, GaitscopeError

if TYPE_CHECKING:
    from gaitscope.intake.safety import SafetyScreen

#: Weight of movement nodes (observed patterns) relative to impairment nodes when scoring exercises.
MOVEMENT_NODE_WEIGHT = 0.5
#: Value left to a node for each further exercise that targets it.
REPEAT_DISCOUNT = 0.5
URGENT_MESSAGE = (
    "See a doctor now: you reported {flags}. These can be signs of a condition that needs urgent medical "
    "assessment. The exercise plan is withheld until a clinician has reviewed you."
)


@dataclass(frozen=True)
class PlanItem:
    """One exercise of the plan, in the order to do it (``order`` 1 = first)."""

    order: int
    exercise_id: str
    name: str
    category: str
    dose: str
    why: str
    targets: tuple[str, ...]
    instructions: str
    progression: str
    regression: str
    contraindications: tuple[str, ...]
    source: str
    position: str = "standing"
    replaces: tuple[str, ...] = ()
    support: str = ""


#: Said on every standing exercise when a fall or poor balance was reported.
SUPPORT_NOTE = "Hold a kitchen counter or a sturdy chair while you do this, with someone nearby the first times."
#: Share of its score an answer-only chain node (no measured finding behind it) lends an exercise.
ANSWER_ONLY_WEIGHT = 0.5


@dataclass(frozen=True)
class AdviceItem:
    id: str
    category: str
    title: str
    text: str
    why: str
    source: str


@dataclass(frozen=True)
class Plan:
    """The corrective plan.

    ``withheld``: True when a red flag was reported (then ``exercises`` is empty and ``urgent_message``
    says what to do). ``excluded``: ``(exercise_id, reason)`` of relevant exercises removed by a
    contraindication. ``knowledge_stamp``: which knowledge produced the plan.
    """

    withheld: bool
    urgent_message: str
    exercises: tuple[PlanItem, ...]
    advice: tuple[AdviceItem, ...]
    excluded: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    knowledge_stamp: str
    falls_programme: tuple[PlanItem, ...] = ()
    falls_title: str = ""
    falls_intro: str = ""
    falls_source: str = ""


def _node_weights(chain: ChainResult, kb: Knowledge) -> dict[str, float]:
    w = {}
    for a in chain.active_nodes:
        answered = getattr(a, "basis", "measured") == "answered"  # possible (from the answers) only
        factor = ANSWER_ONLY_WEIGHT if answered else 1.0
        if a.kind == "impairment":
            w[a.node] = a.score * factor
        elif a.kind == "movement":
            w[a.node] = a.score * MOVEMENT_NODE_WEIGHT * factor
    return w


def _item(order: int, ex: Exercise, why: str, covered: list[str], conditions: set[str], support: bool,
          replaces: tuple[str, ...] = ()) -> PlanItem:
    """One plan item; ``conditions`` = the contraindication flags and the intake flags (without ``intake.``)
    that may hold back a progression (``progression_avoid_if``: osteoporosis, a fall, poor balance)."""
    progression = ex.progression
    held = [c for c in ex.progression_avoid_if if c in conditions]
    if held:
        progression = ex.safe_progression
    return PlanItem(
        order=order, exercise_id=ex.id, name=ex.name, category=ex.category, dose=ex.dose.text(), why=why,
        targets=tuple(covered), instructions=ex.instructions, progression=progression, regression=ex.regression,
        contraindications=ex.contraindications, source=ex.source, position=ex.position, replaces=replaces,
        support=SUPPORT_NOTE if support and (ex.position == "standing" or ex.programme == "falls") else "",
    )


def _code_label(code: str, kb: Knowledge) -> str:
    """Plain words for a finding code or intake flag (a pattern's own name where there is one)."""
    if code.startswith("intake."):
        return "your answer: " + code[len("intake."):].replace("_", " ")
    name = next((p.name for p in kb.patterns if p.code == code), None)
    if name:
        return name[0].lower() + name[1:]
    if code.startswith("posture_"):
        return "standing posture: " + code[len("posture_"):].replace("_", " ")
    return code.replace("_", " ")


def _why(ex: Exercise, covered: list[str], chain: ChainResult, kb: Knowledge) -> str:
    by_node = {a.node: a for a in chain.active_nodes}
    parts = []
    for n in covered:
        a = by_node[n]
        side = "" if not a.sides else f" ({' and '.join(a.sides)})"
        rank = next((c.rank for c in chain.contributors if c.node == n), None)
        if getattr(a, "basis", "measured") == "answered":
            tag = f", possible contributor #{rank} (from your answers)" if rank else ", possible (from your answers)"
        else:
            tag = f", likely contributor #{rank}" if rank else ""
        parts.append(f"{a.label}{side}{tag}")
    codes = []
    for n in covered:
        for c in by_node[n].findings:
            if c not in codes:
                codes.append(c)
    text = "Targets " + "; ".join(parts)
    if codes:
        text += " — from: " + ", ".join(_code_label(c, kb) for c in codes)
    return text + "."


def build_plan(
    findings: Iterable[Finding],
    chain: ChainResult | None = None,
    *,
    intake_flags: Iterable[str] = (),
    red_flags: Iterable[str] = (),
    contraindications: Iterable[str] = (),
    max_exercises: int = 5,
    knowledge: Knowledge | None = None,
    safety: "SafetyScreen | None" = None,
) -> Plan:
    """Choose and order the corrective exercises and the advice.

    Parameters
    ----------
    findings
        Pattern and posture findings (only ``present`` ones count).
    chain
        The kinetic-chain result for these findings (computed here when None).
    intake_flags
        Intake answers as flags (``"intake.long_sitting"`` or ``"long_sitting"``); flags that name a
        contraindication (``poor_balance``, ``pregnancy`` ...) also act as ``contraindications``.
    red_flags
        Red-flag answers (any non-empty value withholds the exercise plan), e.g. ``["saddle_numbness"]``.
    contraindications
        Contraindication flags from ``exercises.toml`` [contraindication_flags]. A flag that is also a
        chain node id (``plantar_heel_pain``) is raised as well when that node is active in ``chain``.
    max_exercises
        Upper bound on the number of exercises (1..8).
    safety
        The intake's safety screen (:func:`gaitscope.intake.safety.safety_screen`); when given it replaces
        ``intake_flags``, ``red_flags`` and ``contraindications``.

    Returns
    -------
    Plan
    """
    kb = knowledge or load_knowledge()
    if not 1 <= max_exercises <= 8:
        raise ValueError("max_exercises must be between 1 and 8")
    findings = list(findings)
    if safety is not None:
        intake_flags, red_flags, contraindications = safety.flags, [r.id for r in safety.red_flags], safety.contraindications
    reds = [r for r in red_flags if r]
    if reds:
        if safety is not None:
            words = "; ".join(f"{r.text.rstrip('?')} ({r.meaning})" if r.meaning else r.text for r in safety.red_flags)
        else:
            words = ", ".join(r.replace("intake.", "").replace("_", " ") for r in reds)
        return Plan(True, URGENT_MESSAGE.format(flags=words), (), (), (),
                    ("exercise plan withheld: red flag (the falls programme too)",), kb.stamp)
    flags = {f if f.startswith("intake.") else f"intake.{f}" for f in intake_flags}
    contra = set(contraindications) | {f[7:] for f in flags if f[7:] in kb.contraindication_flags}
    unknown = set(contraindications) - set(kb.contraindication_flags)
    if unknown:
        raise GaitscopeError(
            f"unknown contraindication flag(s) {sorted(unknown)}; use those listed in gaitscope/knowledge/exercises.toml "
            f"[contraindication_flags]: {', '.join(kb.contraindication_flags)}."
        )
    if chain is None:
        chain = reason_chain(findings, intake_flags=flags, knowledge=kb)
    weights = _node_weights(chain, kb)
    # a contraindication flag named like a chain node is raised when that node is active, found or inferred
    # (e.g. plantar_heel_pain: no barefoot walking while the heel-pain pattern or a painful heel is present)
    contra |= {a.node for a in chain.active_nodes if a.node in kb.contraindication_flags}

    # exclude contraindicated exercises that would have been relevant
    excluded: list[tuple[str, str]] = []
    excluded_ids: set[str] = set()
    pool: list[Exercise] = []

    def hits(ex: Exercise) -> list[str]:
        h = [c for c in ex.avoid_if if c in contra]
        if "floor_transfer_unsafe" in contra and ex.position in FLOOR_POSITIONS:
            h.append("floor_transfer_unsafe")
        return h

    for ex in kb.exercises:
        if ex.substitute_for or (ex.programme and not ex.targets):
            continue  # standing/chair versions join only in place of an excluded exercise; programmes apart
        relevant = any(weights.get(t, 0) > 0 for t in ex.targets)
        hit = hits(ex)
        if hit:
            excluded_ids.add(ex.id)
            if relevant:
                excluded.append((ex.id, "not advised with " + "; ".join(kb.contraindication_flags[c] for c in hit)))
            continue
        pool.append(ex)
    replaces: dict[str, tuple[str, ...]] = {}
    for ex in kb.exercises:  # a standing or chair version stands in for an excluded floor exercise
        instead = tuple(x for x in ex.substitute_for if x in excluded_ids)
        if instead and not hits(ex):
            pool.append(ex)
            replaces[ex.id] = instead

    # greedy selection with diminishing returns per node
    chosen: list[tuple[Exercise, float, list[str]]] = []
    coverage: dict[str, int] = {}
    while len(chosen) < max_exercises:
        best = None
        for ex in pool:
            if any(ex is c[0] for c in chosen):
                continue
            covered = [t for t in ex.targets if weights.get(t, 0) > 0]
            gain = sum(weights[t] * REPEAT_DISCOUNT ** coverage.get(t, 0) for t in covered)
            if gain > 1e-9 and (best is None or gain > best[1] + 1e-12):
                best = (ex, gain, covered)
        if best is None:
            break
        chosen.append(best)
        for t in best[2]:
            coverage[t] = coverage.get(t, 0) + 1
    # a plan for a gait finding ends with a gait drill when one is relevant
    if chosen and not any(c[0].category == "gait_drill" for c in chosen):
        drills = [(ex, sum(weights.get(t, 0) for t in ex.targets), [t for t in ex.targets if weights.get(t, 0) > 0])
                  for ex in pool if ex.category == "gait_drill"]
        drills = [d for d in drills if d[1] > 0]
        if drills:
            drill = max(drills, key=lambda d: d[1])
            if len(chosen) >= max_exercises:
                chosen.remove(min(chosen, key=lambda c: c[1]))
            chosen.append(drill)
    order = {c: i for i, c in enumerate(kb.exercise_categories)}
    chosen.sort(key=lambda c: (order[c[0].category], -c[1], c[0].id))
    falls = bool(safety.falls_programme) if safety is not None else bool(
        flags & {"intake.falls", "intake.poor_balance"})

    def why_of(ex: Exercise, covered: list[str]) -> str:
        text = _why(ex, covered, chain, kb)
        if ex.id in replaces:
            names = ", ".join(kb.exercise(x).name for x in replaces[ex.id])
            text += f" A standing or chair version in place of: {names} (not advised for you: see below)."
        return text

    conditions = contra | {f[len("intake."):] for f in flags}
    items = tuple(
        _item(i, ex, why_of(ex, covered), covered, conditions, falls, replaces.get(ex.id, ()))
        for i, (ex, _, covered) in enumerate(chosen, 1)
    )
    falls_items: tuple[PlanItem, ...] = ()
    prog = kb.programmes.get("falls")
    if falls and prog is not None:
        chosen_ids = {it.exercise_id for it in items}
        fx = [kb.exercise(x) for x in prog.exercises if x not in chosen_ids]
        fx = [ex for ex in fx if not hits(ex)]
        falls_items = tuple(_item(i, ex, "Balance-and-strength programme for falls: " + prog.title.lower() + ".", [],
                                  conditions, True) for i, ex in enumerate(fx, 1))

    # advice
    present_codes = {f.code for f in findings if f.status == "present"}
    active_nodes = {a.node for a in chain.active_nodes if a.direct} | {c.node for c in chain.contributors}
    advice: list[tuple[int, int, AdviceItem]] = []
    aorder = {c: i for i, c in enumerate(kb.advice_categories)}
    for k, a in enumerate(kb.advice):
        reasons = []
        for t in a.triggers:
            if t == "always" and items:
                reasons.append("given with every plan")
            elif t in present_codes:
                reasons.append(f"finding: {_code_label(t, kb)}")
            elif t.startswith("node:") and t[5:] in active_nodes:
                reasons.append(f"chain: {kb.nodes[t[5:]].label}")
            elif t in flags:
                reasons.append(_code_label(t, kb))
        if reasons:
            advice.append((aorder[a.category], k, AdviceItem(a.id, a.category, a.title, a.text, "; ".join(reasons), a.source)))
    advice.sort(key=lambda x: (x[0], x[1]))
    notes = []
    if not items:
        notes.append("No finding called for corrective exercise; keep walking regularly and re-test if symptoms change.")
    if safety is not None:
        notes.extend(safety.notes)
    plan = Plan(False, "", items, tuple(a for _, _, a in advice), tuple(excluded), tuple(notes), kb.stamp,
                falls_items, prog.title if falls_items else "", prog.intro if falls_items else "",
                prog.source if falls_items else "")
    for it in plan.exercises:
        if CAUSAL_RE.search(it.why):
            raise ValueError(f"causal wording in plan output: {it.why!r}")
    return plan


def _item_dict(it: PlanItem) -> dict[str, object]:
    return it.__dict__ | {"contraindications": list(it.contraindications), "targets": list(it.targets),
                          "replaces": list(it.replaces)}


def plan_to_dict(plan: Plan) -> Mapping[str, object]:
    """A JSON-ready dict of the plan (for findings.json / assessment.json)."""
    return {
        "withheld": plan.withheld,
        "urgent_message": plan.urgent_message,
        "exercises": [_item_dict(it) for it in plan.exercises],
        "falls_programme": [_item_dict(it) for it in plan.falls_programme],
        "falls_title": plan.falls_title,
        "falls_intro": plan.falls_intro,
        "falls_source": plan.falls_source,
        "advice": [a.__dict__ for a in plan.advice],
        "excluded": [{"exercise_id": e, "reason": r} for e, r in plan.excluded],
        "notes": list(plan.notes),
        "knowledge_stamp": plan.knowledge_stamp,
    }
