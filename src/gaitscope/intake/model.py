"""Intake answers, validated against the questions, and what they mean for the assessment:
flags for the kinetic chain, exercise contraindications, red flags, questionnaire bands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from gaitscope.intake.fileio import read_intake_file
from gaitscope.intake.questions import CONDITION_RE, IntakeKnowledge, Question, Questionnaire, load_intake_knowledge
from gaitscope.types import GaitscopeError

MAX_TEXT_CHARS = 500
MAX_ACTIVITIES = 5
#: Written answers that mean "don't know" to a safety question (stored as ``UNSURE``).
UNSURE = "unsure"
UNSURE_WORDS = ("unsure", "dont_know", "don't know", "dont know", "not sure", "d")


@dataclass(frozen=True)
class RedFlagHit:
    """A red flag answered "yes" (or computed, for age and new pain)."""

    id: str
    text: str
    meaning: str
    source: str


@dataclass(frozen=True)
class Intake:
    """Validated answers. ``answers``: question id -> value (None = not answered); ``red_flags``:
    red-flag id -> True/False/None; ``scores``: questionnaire id -> score; ``source``: the file."""

    answers: Mapping[str, Any] = field(default_factory=dict)
    red_flags: Mapping[str, bool | None] = field(default_factory=dict)
    scores: Mapping[str, float] = field(default_factory=dict)
    name: str | None = None
    source: str = ""
    ignored: tuple[str, ...] = ()  # answers to questions that do not apply to this person (kept out of the meaning)

    def get(self, key: str, default: Any = None) -> Any:
        v = self.answers.get(key)
        return default if v is None else v


def _bad(where: str, key: str, what: str) -> GaitscopeError:
    return GaitscopeError(f"{where}: {key}: {what}")


def _number(value: Any, lo: float, hi: float, where: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _bad(where, key, f"give a number from {lo:g} to {hi:g}")
    if not lo <= value <= hi:
        raise _bad(where, key, f"{value:g} is outside {lo:g}..{hi:g}")
    return float(value)


def _text(value: Any, where: str, key: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = f"{value:g}"
    if not isinstance(value, str):
        raise _bad(where, key, "give text")
    return value.strip()[:MAX_TEXT_CHARS]


def _yesno(value: Any, where: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise _bad(where, key, "answer yes or no")
    return value


def _yesno_unsure(value: Any, where: str, key: str) -> bool | str:
    """A safety question's answer: yes, no, or "don't know" (stored as ``UNSURE``)."""
    if isinstance(value, str) and value.strip().lower() in UNSURE_WORDS:
        return UNSURE
    if not isinstance(value, bool):
        raise _bad(where, key, "answer yes, no or dont_know")
    return value


def condition_holds(cond: str, answers: Mapping[str, Any]) -> bool | None:
    """Whether a condition "<question> <op> <value>" holds for the answers (None: that question is unanswered
    or answered "don't know")."""
    m = CONDITION_RE.match(cond.strip())
    if m is None:
        raise ValueError(f"bad condition {cond!r}")
    key, op, want = m.group(1), m.group(2), m.group(3).strip()
    v = answers.get(key)
    if v is None or v == UNSURE:
        return None
    if op == "has":
        return want in (v if isinstance(v, (list, tuple)) else [v])
    if isinstance(v, bool):
        w: Any = want.lower() in ("yes", "true")
    elif isinstance(v, (int, float)):
        w = float(want)
    else:
        w = want
    return {"==": v == w, "!=": v != w, "<": v < w, "<=": v <= w, ">": v > w, ">=": v >= w}[op]


def is_relevant(q: Question, answers: Mapping[str, Any]) -> bool:
    """Whether a question applies to this person (``ask_if``/``ask_if_any``); unknown answers count as holding,
    so a question is skipped only when the answers given rule it out (no pregnancy question for a man)."""
    if any(condition_holds(c, answers) is False for c in q.ask_if):
        return False
    if q.ask_if_any and all(condition_holds(c, answers) is False for c in q.ask_if_any):
        return False
    return True


def validate_intake(raw: Mapping[str, Any], *, source: str = "intake", knowledge: IntakeKnowledge | None = None) -> Intake:
    """Check every answer against its question; unknown keys and out-of-range values are user errors.

    Raises
    ------
    GaitscopeError
        One sentence naming the file, the key and what to give instead.
    """
    kb = knowledge or load_intake_knowledge()
    allowed = set(kb.all_keys())
    for key in raw:
        if key not in allowed:
            raise GaitscopeError(
                f"{source}: {key!r} is not an intake question; write the file with `gaitscope intake` "
                "(docs/report.md lists the keys)"
            )
    answers: dict[str, Any] = {}
    for q in kb.questions:
        v = raw.get(q.id)
        if v is None or (isinstance(v, str) and not v.strip() and q.type != "text"):
            answers[q.id] = None
            continue
        if q.type == "yesno":
            answers[q.id] = _yesno_unsure(v, source, q.id) if q.safety else _yesno(v, source, q.id)
        elif q.type == "number":
            answers[q.id] = _number(v, q.min, q.max, source, q.id)
        elif q.type == "choice":
            if isinstance(v, bool) and "yes" in q.choices and "no" in q.choices:
                v = "yes" if v else "no"  # `floor_transfer: yes` in a hand-written file
            s = _text(v, source, q.id)
            if s not in q.choices:
                raise _bad(source, q.id, f"choose one of: {', '.join(q.choices)}")
            answers[q.id] = s
        elif q.type == "multi":
            items = v if isinstance(v, list) else [v]
            out = []
            for it in items:
                s = _text(it, source, q.id)
                if s not in q.choices:
                    raise _bad(source, q.id, f"{s[:40]!r} is not a choice; choose from: {', '.join(q.choices)}")
                if s not in out:
                    out.append(s)
            if q.exclusive and q.exclusive in out and len(out) > 1:
                raise _bad(source, q.id, f"{q.exclusive!r} cannot be combined with other choices; keep one or the other")
            answers[q.id] = out
        elif q.type == "activities":
            items = v if isinstance(v, list) else [v]
            if len(items) > MAX_ACTIVITIES:
                raise _bad(source, q.id, f"give at most {MAX_ACTIVITIES} activities")
            out = []
            for it in items:
                if not isinstance(it, dict) or "activity" not in it or "score" not in it:
                    raise _bad(source, q.id, "write each activity as '- activity name: score (0-10)'")
                out.append({"activity": _text(it["activity"], source, q.id),
                            "score": _number(it["score"], q.min, q.max, source, q.id)})
            answers[q.id] = out
        else:
            answers[q.id] = _text(v, source, q.id) or None
    ignored = []
    for q in kb.questions:  # a question that does not apply (the pregnancy question at 72) has no effect
        if answers.get(q.id) is not None and not is_relevant(q, answers):
            ignored.append(q.id)
    for qid in ignored:
        answers[qid] = None
    reds = {r.id: (None if raw.get(r.id) is None else _yesno_unsure(raw[r.id], source, r.id)) for r in kb.red_flags}
    scores: dict[str, float] = {}
    for qn in kb.questionnaires:
        if raw.get(qn.id) is not None:
            scores[qn.id] = _number(raw[qn.id], qn.min, qn.max, source, qn.id)
        if qn.subscore_id and raw.get(qn.subscore_id) is not None:
            scores[qn.subscore_id] = _number(raw[qn.subscore_id], 0, qn.subscore_max or qn.max, source, qn.subscore_id)
            if qn.id in scores and scores[qn.subscore_id] > scores[qn.id]:
                raise _bad(source, qn.subscore_id, f"the subscore cannot exceed the total {qn.id}")
    name = raw.get("name")
    return Intake(answers=answers, red_flags=reds, scores=scores,
                  name=None if name is None else _text(name, source, "name"), source=source, ignored=tuple(ignored))


def load_intake(path: str | Path) -> Intake:
    """Read and validate an intake file (see :mod:`gaitscope.intake.fileio` for the format)."""
    return validate_intake(read_intake_file(path), source=str(path))


def intake_flags(intake: Intake, knowledge: IntakeKnowledge | None = None) -> list[str]:
    """Chain/advice flags (``intake.<flag>``) set by the answers, in question order."""
    kb = knowledge or load_intake_knowledge()
    flags: list[str] = []

    def add(f: str) -> None:
        if f and f"intake.{f}" not in flags:
            flags.append(f"intake.{f}")

    for q in kb.questions:
        v = intake.answers.get(q.id)
        if v is None or not is_relevant(q, intake.answers):
            continue
        if q.type == "yesno" and v is True:
            add(q.flag)
        elif q.type == "number" and q.flag and q.flag_at_least is not None and v >= q.flag_at_least:
            add(q.flag)
        elif q.type == "multi":
            cf = dict(q.choice_flags)
            for c in v:
                add(cf.get(c, ""))
    return flags


def intake_contraindications(intake: Intake, knowledge: IntakeKnowledge | None = None) -> list[str]:
    """Exercise contraindication flags (``exercises.toml``) set by "yes" answers."""
    kb = knowledge or load_intake_knowledge()
    out = [q.contraindication for q in kb.questions
           if q.contraindication and intake.answers.get(q.id) is True and is_relevant(q, intake.answers)]
    for q in kb.questions:
        c = dict(q.choice_contraindications).get(intake.answers.get(q.id)) if q.choice_contraindications else None
        if c and is_relevant(q, intake.answers):
            out.append(c)
    return list(dict.fromkeys(out))


def red_flags_present(intake: Intake, knowledge: IntakeKnowledge | None = None) -> list[RedFlagHit]:
    """Red flags answered yes, plus age >= 50 with pain that began less than 6 weeks ago."""
    kb = knowledge or load_intake_knowledge()
    hits = [RedFlagHit(r.id, r.text, r.meaning, r.source) for r in kb.red_flags if intake.red_flags.get(r.id) is True]
    relevant = {q.id: is_relevant(q, intake.answers) for q in kb.questions}
    answers = {k: (v if relevant.get(k, True) else None) for k, v in intake.answers.items()}
    for c in kb.combined_red_flags:
        if any(all(condition_holds(cond, answers) is True for cond in group) for group in c.any_of):
            hits.append(RedFlagHit(c.id, c.text, c.meaning, c.source))
    age = intake.answers.get("age_years")
    weeks = intake.answers.get("pain_duration_weeks")
    if age is not None and weeks is not None and age >= kb.new_pain_age_years and 0 < weeks < kb.new_pain_max_weeks:
        hits.append(RedFlagHit(
            "age_over_50_new_pain",
            f"Age {age:g} with pain that began {weeks:g} week(s) ago",
            f"new pain from the age of {kb.new_pain_age_years:g} needs a check for a serious cause",
            kb.new_pain_source,
        ))
    return hits


def questionnaire_results(intake: Intake, knowledge: IntakeKnowledge | None = None) -> list[dict[str, Any]]:
    """Each entered questionnaire score with its published band (or none), the important change and source."""
    kb = knowledge or load_intake_knowledge()
    out = []
    for qn in kb.questionnaires:
        if qn.id not in intake.scores:
            continue
        score = intake.scores[qn.id]
        sub = intake.scores.get(qn.subscore_id) if qn.subscore_id else None
        out.append({
            "id": qn.id, "name": qn.name, "score": score, "unit": qn.unit, "min": qn.min, "max": qn.max,
            "subscore": sub, "subscore_name": qn.subscore_name or None,
            "band": band_for(qn, score, sub), "change": qn.change, "source": qn.source, "licence": qn.licence,
        })
    return out


def band_for(qn: Questionnaire, score: float, subscore: float | None = None) -> str | None:
    """The published band of a score (None when the questionnaire has no bands)."""
    if qn.high_risk_subscore_at_least is not None and qn.bands and score >= qn.bands[-1].low and subscore is not None:
        return "high risk" if subscore >= qn.high_risk_subscore_at_least else "medium risk"
    for b in qn.bands:
        if b.low <= score <= b.high or (b.low <= score < b.high + 1):
            return b.label
    return None


def intake_to_dict(intake: Intake) -> dict[str, Any]:
    """JSON-ready answers (for assessment.json)."""
    return {"source": intake.source, "name": intake.name, "answers": dict(intake.answers),
            "ignored_not_applicable": list(intake.ignored),
            "red_flags": dict(intake.red_flags), "scores": dict(intake.scores)}
