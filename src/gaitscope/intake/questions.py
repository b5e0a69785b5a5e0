"""The intake questions, red flags and questionnaire bands (``knowledge/intake.toml``), loaded and validated.

Pure data: no terminal, no files of the user's. :func:`load_intake_knowledge` is cached.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

INTAKE_FILE = "intake.toml"
QUESTION_TYPES = ("yesno", "number", "choice", "multi", "text", "activities")


@dataclass(frozen=True)
class Question:
    """One intake question. ``flag``: intake flag set by "yes" (or by ``flag_at_least`` for numbers);
    ``choice_flags``: flags set by listed choices (``multi``); ``contraindication``: exercise
    contraindication set by "yes"."""

    id: str
    section: str
    text: str
    type: str
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    flag: str = ""
    flag_at_least: float | None = None
    choice_flags: tuple[tuple[str, str], ...] = ()
    contraindication: str = ""
    source: str = ""
    exclusive: str = ""  # a ``multi`` choice that cannot be combined with others ("none")
    ask_if: tuple[str, ...] = ()  # relevance: all must hold (an unanswered one counts as holding)
    ask_if_any: tuple[str, ...] = ()  # relevance: at least one must hold
    safety: bool = False  # must be answered in the terminal (yes / no / don't know); Enter does not skip it
    choice_contraindications: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CombinedRedFlag:
    """A red flag computed from several answers: raised when every condition of one ``any_of`` group holds."""

    id: str
    text: str
    meaning: str
    any_of: tuple[tuple[str, ...], ...]
    source: str


#: A relevance or red-flag condition: "<question id> <operator> <value>".
CONDITION_RE = re.compile(r"^([a-z_][a-z0-9_]*)\s+(==|!=|<=|>=|<|>|has)\s+(.+)$")


@dataclass(frozen=True)
class RedFlag:
    """A red-flag question: "yes" means see a doctor now."""

    id: str
    text: str
    meaning: str
    source: str


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    label: str


@dataclass(frozen=True)
class Questionnaire:
    """A licensed questionnaire whose score (not text) gaitscope accepts and shows against its bands."""

    id: str
    name: str
    unit: str
    min: float
    max: float
    bands: tuple[Band, ...]
    change: str
    source: str
    licence: str
    subscore_id: str = ""
    subscore_name: str = ""
    subscore_max: float | None = None
    high_risk_subscore_at_least: float | None = None


@dataclass(frozen=True)
class IntakeKnowledge:
    version: str
    questions: tuple[Question, ...]
    red_flags: tuple[RedFlag, ...]
    questionnaires: tuple[Questionnaire, ...]
    new_pain_age_years: float
    new_pain_max_weeks: float
    new_pain_source: str
    combined_red_flags: tuple[CombinedRedFlag, ...] = ()

    @property
    def red_flag_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.red_flags)

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def all_keys(self) -> tuple[str, ...]:
        """Every key an intake file may hold."""
        keys = ["name", *self.question_ids, *(r.id for r in self.red_flags)]
        for qn in self.questionnaires:
            keys.append(qn.id)
            if qn.subscore_id:
                keys.append(qn.subscore_id)
        return tuple(keys)


class IntakeKnowledgeError(ValueError):
    """The packaged intake.toml is inconsistent (a developer error, not a user error)."""


def _need(d: dict, key: str, where: str) -> Any:
    if key not in d or d[key] in ("", None):
        raise IntakeKnowledgeError(f"{INTAKE_FILE}: {where} lacks {key!r}")
    return d[key]


def _check_condition(cond: Any, where: str) -> None:
    if not isinstance(cond, str) or not CONDITION_RE.match(cond.strip()):
        raise IntakeKnowledgeError(f"{INTAKE_FILE}: {where}: condition {cond!r} is not '<question> <op> <value>'")


def parse_intake_knowledge(data: dict[str, Any]) -> IntakeKnowledge:
    """Validate the parsed TOML and build :class:`IntakeKnowledge`."""
    meta = _need(data, "meta", "the file")
    questions = []
    seen: set[str] = set()
    for q in data.get("question", []):
        qid = _need(q, "id", "a question")
        if qid in seen:
            raise IntakeKnowledgeError(f"{INTAKE_FILE}: duplicate id {qid!r}")
        seen.add(qid)
        qtype = _need(q, "type", qid)
        if qtype not in QUESTION_TYPES:
            raise IntakeKnowledgeError(f"{INTAKE_FILE}: question {qid} has unknown type {qtype!r}")
        if qtype in ("choice", "multi") and not q.get("choices"):
            raise IntakeKnowledgeError(f"{INTAKE_FILE}: question {qid} needs choices")
        cf = q.get("choice_flags", {})
        for c in cf:
            if c not in q.get("choices", []):
                raise IntakeKnowledgeError(f"{INTAKE_FILE}: question {qid} choice_flags names unknown choice {c!r}")
        if q.get("exclusive") and (qtype != "multi" or q["exclusive"] not in q.get("choices", [])):
            raise IntakeKnowledgeError(f"{INTAKE_FILE}: question {qid} exclusive must be one of its multi choices")
        if qtype == "number" and ("min" not in q or "max" not in q):
            raise IntakeKnowledgeError(f"{INTAKE_FILE}: number question {qid} needs min and max")
        cc = q.get("choice_contraindications", {})
        for c in cc:
            if c not in q.get("choices", []):
                raise IntakeKnowledgeError(f"{INTAKE_FILE}: question {qid} choice_contraindications names unknown choice {c!r}")
        for cond in (*q.get("ask_if", ()), *q.get("ask_if_any", ())):
            _check_condition(cond, qid)
        questions.append(Question(
            ask_if=tuple(q.get("ask_if", ())), ask_if_any=tuple(q.get("ask_if_any", ())), safety=bool(q.get("safety", False)),
            choice_contraindications=tuple(cc.items()),
            id=qid, section=_need(q, "section", qid), text=_need(q, "text", qid), type=qtype,
            choices=tuple(q.get("choices", ())), min=q.get("min"), max=q.get("max"), flag=q.get("flag", ""),
            flag_at_least=q.get("flag_at_least"), choice_flags=tuple(cf.items()),
            contraindication=q.get("contraindication", ""), source=q.get("source", ""),
            exclusive=q.get("exclusive", ""),
        ))
    reds = []
    for r in data.get("red_flag", []):
        rid = _need(r, "id", "a red flag")
        if rid in seen:
            raise IntakeKnowledgeError(f"{INTAKE_FILE}: duplicate id {rid!r}")
        seen.add(rid)
        reds.append(RedFlag(rid, _need(r, "text", rid), _need(r, "meaning", rid), _need(r, "source", rid)))
    qns = []
    for qn in data.get("questionnaire", []):
        qid = _need(qn, "id", "a questionnaire")
        bands = tuple(Band(float(b["low"]), float(b["high"]), b["label"]) for b in qn.get("bands", []))
        for a, b in zip(bands, bands[1:]):
            if b.low <= a.high - 1e-9 or b.low > a.high + 1.0 + 1e-9:
                raise IntakeKnowledgeError(f"{INTAKE_FILE}: {qid} bands overlap or leave a gap")
        sub = qn.get("subscore", {})
        qns.append(Questionnaire(
            id=qid, name=_need(qn, "name", qid), unit=_need(qn, "unit", qid), min=float(qn["min"]),
            max=float(qn["max"]), bands=bands, change=qn.get("change", ""), source=_need(qn, "source", qid),
            licence=_need(qn, "licence", qid), subscore_id=sub.get("id", ""), subscore_name=sub.get("name", ""),
            subscore_max=sub.get("max"), high_risk_subscore_at_least=qn.get("high_risk_subscore_at_least"),
        ))
    combined = []
    for c in data.get("combined_red_flag", []):
        cid = _need(c, "id", "a combined red flag")
        groups = tuple(tuple(g) for g in _need(c, "any_of", cid))
        for g in groups:
            for cond in g:
                _check_condition(cond, cid)
        combined.append(CombinedRedFlag(cid, _need(c, "text", cid), _need(c, "meaning", cid), groups,
                                        _need(c, "source", cid)))
    known = {q.id for q in questions}
    for q in questions:
        for cond in (*q.ask_if, *q.ask_if_any):
            if CONDITION_RE.match(cond).group(1) not in known:
                raise IntakeKnowledgeError(f"{INTAKE_FILE}: {q.id}: condition {cond!r} names an unknown question")
    for c in combined:
        for g in c.any_of:
            for cond in g:
                if CONDITION_RE.match(cond).group(1) not in known:
                    raise IntakeKnowledgeError(f"{INTAKE_FILE}: {c.id}: condition {cond!r} names an unknown question")
    return IntakeKnowledge(
        combined_red_flags=tuple(combined),
        version=str(_need(meta, "version", "[meta]")), questions=tuple(questions), red_flags=tuple(reds),
        questionnaires=tuple(qns), new_pain_age_years=float(_need(meta, "new_pain_age_years", "[meta]")),
        new_pain_max_weeks=float(_need(meta, "new_pain_max_weeks", "[meta]")),
        new_pain_source=str(_need(meta, "new_pain_source", "[meta]")),
    )


@lru_cache(maxsize=1)
def load_intake_knowledge() -> IntakeKnowledge:
    """The package's intake questions (``gaitscope/knowledge/intake.toml``), validated."""
    text = resources.files("gaitscope.knowledge").joinpath(INTAKE_FILE).read_text(encoding="utf-8")
    return parse_intake_knowledge(tomllib.loads(text))
