"""``gaitscope intake``: ask the intake questions in the terminal and return the raw answers.

The questions come from ``knowledge/intake.toml``. Enter skips a question; a wrong answer is asked again.
``ask`` and ``say`` are injectable so tests can answer the prompts.
"""

from __future__ import annotations

from typing import Any, Callable

from gaitscope.intake.fileio import _NUMBER
from gaitscope.intake.questions import IntakeKnowledge, Question, load_intake_knowledge

Ask = Callable[[str], str]
Say = Callable[[str], None]
MAX_TRIES = 5


def _parse(q: Question, text: str) -> tuple[bool, Any]:
    """(ok, value) for the typed answer ``text`` ('' = skipped)."""
    s = text.strip()
    if not s:
        return True, None
    if q.type == "yesno":
        if s.lower() in ("y", "yes"):
            return True, True
        if s.lower() in ("n", "no"):
            return True, False
        return False, "answer y or n"
    if q.type == "number":
        if not _NUMBER.match(s):
            return False, f"give a number from {q.min:g} to {q.max:g}"
        v = float(s)
        if not q.min <= v <= q.max:
            return False, f"give a number from {q.min:g} to {q.max:g}"
        return True, int(v) if v.is_integer() else v
    if q.type in ("choice", "multi"):
        picks = [p.strip() for p in s.split(",") if p.strip()]
        out = []
        for p in picks:
            if p.isdigit() and 1 <= int(p) <= len(q.choices):
                out.append(q.choices[int(p) - 1])
            elif p in q.choices:
                out.append(p)
            else:
                return False, f"{p!r} is not one of the numbers 1-{len(q.choices)}"
        if q.type == "choice":
            return (True, out[0]) if len(out) == 1 else (False, "choose one number")
        if q.exclusive and q.exclusive in out and len(set(out)) > 1:
            return False, f"{q.exclusive!r} cannot be combined with other choices"
        return True, out
    return True, s


def _ask_one(q: Question, ask: Ask, say: Say) -> Any:
    hint = " [y/n]" if q.type == "yesno" else (f" [{q.min:g}-{q.max:g}]" if q.type == "number" else "")
    if q.type in ("choice", "multi"):
        say("  " + "  ".join(f"{i}) {c}" for i, c in enumerate(q.choices, 1)))
        hint = " [number" + ("s, comma-separated]" if q.type == "multi" else "]")
    for _ in range(MAX_TRIES):
        ok, value = _parse(q, ask(f"{q.text}{hint}: "))
        if ok:
            return value
        say(f"  ({value}; or press Enter to skip)")
    return None


def _ask_activities(q: Question, ask: Ask, say: Say) -> list[dict[str, Any]]:
    say(f"{q.text} (Enter on an empty name to finish)")
    out = []
    for i in range(1, 4):
        name = ask(f"  activity {i}: ").strip()
        if not name:
            break
        v = _ask_one(Question(q.id, q.section, "  how well can you do it now (0 = cannot, 10 = as before)", "number",
                              min=q.min, max=q.max), ask, say)
        if v is not None:
            out.append({"activity": name, "score": v})
    return out


def _eof_as_empty(ask: Ask) -> Ask:
    """End of input (Ctrl-D, a closed pipe) skips the remaining questions instead of failing."""

    def wrapped(prompt: str) -> str:
        try:
            return ask(prompt)
        except EOFError:
            return ""

    return wrapped


def ask_intake(
    *, ask: Ask = input, say: Say = print, knowledge: IntakeKnowledge | None = None, name: str | None = None
) -> dict[str, Any]:
    """Ask every question (sections in file order, the safety questions last) and return raw answers.

    The result is what :func:`gaitscope.intake.validate_intake` accepts and
    :func:`gaitscope.intake.write_intake_file` writes.
    """
    kb = knowledge or load_intake_knowledge()
    ask = _eof_as_empty(ask)
    answers: dict[str, Any] = {}
    say("gaitscope intake: a few questions before the walking video. Press Enter to skip any question.")
    if name is None:
        n = ask("Name (as it should appear on the report; Enter to leave it out): ").strip()
        name = n or None
    answers["name"] = name
    section = None
    for q in kb.questions:
        if q.section != section:
            section = q.section
            say(f"\n== {section}")
        answers[q.id] = _ask_activities(q, ask, say) if q.type == "activities" else _ask_one(q, ask, say)
    say("\n== Safety questions (please answer each one)")
    for r in kb.red_flags:
        answers[r.id] = _ask_one(Question(r.id, "red flags", r.text, "yesno"), ask, say)
    say("\n== Questionnaire scores (only if a clinic gave you these questionnaires; otherwise press Enter)")
    for qn in kb.questionnaires:
        answers[qn.id] = _ask_one(Question(qn.id, "scores", f"{qn.name} score", "number", min=qn.min, max=qn.max), ask, say)
        if qn.subscore_id and answers[qn.id] is not None:
            answers[qn.subscore_id] = _ask_one(
                Question(qn.subscore_id, "scores", f"  {qn.subscore_name}", "number", min=0, max=qn.subscore_max or qn.max),
                ask, say)
    return {k: v for k, v in answers.items() if v is not None}


def comments_for(knowledge: IntakeKnowledge | None = None) -> dict[str, str]:
    """The question text for each key, written as a comment above it in the file."""
    kb = knowledge or load_intake_knowledge()
    c = {q.id: q.text for q in kb.questions}
    c.update({r.id: "safety: " + r.text for r in kb.red_flags})
    c.update({qn.id: f"{qn.name} score ({qn.min:g}-{qn.max:g}), only if a clinic administered it" for qn in kb.questionnaires})
    c["name"] = "name on the report"
    return c
