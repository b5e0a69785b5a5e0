"""``gaitscope intake``: ask the intake questions in the terminal and return the raw answers.

The questions come from ``knowledge/intake.toml``. Enter skips an ordinary question; a wrong answer is asked
again. Questions that do not apply (``ask_if``: no pregnancy question for a man or over 60) are not asked.
Safety questions (the red flags, falls, osteoporosis, the stenosis screen ...) cannot be skipped: they take
yes, no or "d" (don't know), and Enter asks again. A "yes" to a red flag is answered at once with what to do,
and so is a red flag computed from several answers (a possible fragility fracture). If the input ends before
the safety questions are answered, nothing is returned (a :class:`GaitscopeError`), so no intake file that
looks complete is written. ``ask`` and ``say`` are injectable so tests can answer the prompts.
"""

from __future__ import annotations

from typing import Any, Callable

from gaitscope.intake.fileio import _NUMBER
from gaitscope.intake.questions import IntakeKnowledge, Question, load_intake_knowledge
from gaitscope.types import GaitscopeError

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


#: What is said at once when a red flag is answered "yes" (or computed from the answers).
RED_FLAG_NOW = ("  STOP: {meaning}. Please see a doctor before starting any exercise: today (urgently, A&E or your "
                "emergency number) for numbness in the saddle area, bladder or bowel changes or worsening leg "
                "weakness; otherwise within days. The report will show this first and withhold the exercise plan.")
#: Typed answers meaning "don't know" to a safety question.
DONT_KNOW = ("d", "dk", "don't know", "dont know", "not sure", "unsure")
#: How often a safety question is asked again before the intake stops (an unattended or broken input).
SAFETY_MAX_TRIES = 20


def _ask_safety(q: Question, ask: Ask, say: Say) -> Any:
    """A safety question: yes / no / don't know; Enter does not skip it."""
    if q.type == "choice":
        say("  " + "  ".join(f"{i}) {c}" for i, c in enumerate(q.choices, 1)))
        hint = " [number, or d = don't know; this safety question needs an answer]"
    else:
        hint = " [y/n/d = don't know]"
    for _ in range(SAFETY_MAX_TRIES):
        text = ask(f"{q.text}{hint}: ")
        if getattr(ask, "ended", False):
            raise GaitscopeError("the intake ended before the safety questions were answered; nothing was written: "
                                 "run `gaitscope intake` again and answer each safety question (yes, no or d for don't know)")
        s = text.strip().lower()
        if q.type == "yesno":
            if s in DONT_KNOW:
                return "dont_know"
            if s in ("y", "yes"):
                return True
            if s in ("n", "no"):
                return False
        else:
            if s in DONT_KNOW and "not sure" in q.choices:
                return "not sure"
            ok, value = _parse(q, text)
            if ok and value is not None:
                return value
        say("  (a safety question: answer " + ("y, n or d (don't know)" if q.type == "yesno"
                                               else "with one of the numbers") + "; Enter does not skip it)")
    raise GaitscopeError(f"no answer to the safety question {q.text!r}; nothing was written: run `gaitscope intake` "
                         "again (answer d if you do not know)")


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
            wrapped.ended = True  # type: ignore[attr-defined]
            return ""

    wrapped.ended = False  # type: ignore[attr-defined]
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
    from gaitscope.intake.model import is_relevant, red_flags_present, validate_intake

    say("gaitscope intake: a few questions before the walking video. Press Enter to skip a question, except the "
        "safety questions (answer y, n or d for don't know).")
    if name is None:
        n = ask("Name (as it should appear on the report; Enter to leave it out): ").strip()
        name = n or None
    answers["name"] = name
    section = None
    for q in kb.questions:
        if q.section != section:
            section = q.section
            say(f"\n== {section}")
        so_far = {k: v for k, v in answers.items() if k != "name"}
        if not is_relevant(q, {k: (None if v == "dont_know" else v) for k, v in so_far.items()}):
            continue
        if q.type == "activities":
            answers[q.id] = _ask_activities(q, ask, say)
        elif q.safety:
            answers[q.id] = _ask_safety(q, ask, say)
        else:
            answers[q.id] = _ask_one(q, ask, say)
    say("\n== Safety questions (please answer each one: y, n or d for don't know)")
    for r in kb.red_flags:
        answers[r.id] = _ask_safety(Question(r.id, "red flags", r.text, "yesno", safety=True), ask, say)
        if answers[r.id] is True:
            say(RED_FLAG_NOW.format(meaning=r.meaning[0].upper() + r.meaning[1:]))
    try:  # red flags computed from several answers (e.g. a possible fragility fracture), said at once too
        now = validate_intake({k: v for k, v in answers.items() if v is not None}, source="your answers", knowledge=kb)
        for hit in red_flags_present(now, kb):
            if hit.id not in kb.red_flag_ids:
                say(RED_FLAG_NOW.format(meaning=hit.meaning[0].upper() + hit.meaning[1:]))
    except GaitscopeError:
        pass  # the file is validated again when it is read
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
