"""The safety screen: what the intake answers mean for the exercise pathway (``docs/clinical-safety.md``).

One :class:`SafetyScreen` per assessment, built from the validated :class:`~gaitscope.intake.Intake` (or
from raw flags, for ``analyze`` and tests). It holds the red flags (answered, and computed from several
answers together), which safety questions were left unanswered or answered "don't know", the chain flags,
the exercise contraindications, the non-urgent referrals (a falls assessment, a check for spinal stenosis)
and whether a balance-and-strength falls programme is due. The reasoning pass reads only this object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from gaitscope.intake.model import (
    UNSURE,
    Intake,
    RedFlagHit,
    intake_contraindications,
    intake_flags,
    is_relevant,
    red_flags_present,
)
from gaitscope.intake.questions import IntakeKnowledge, load_intake_knowledge


#: Age from which a reported fall or poor balance makes floor exercises unsafe unless the person said they can
#: get down to the floor and up again (expert opinion informed by Fleming & Brayne 2008, docs/clinical-safety.md).
FLOOR_RISK_AGE_YEARS = 65

@dataclass(frozen=True)
class Referral:
    """A non-urgent "see a professional" message: ``id``, the sentence for the person, and its source."""

    id: str
    text: str
    source: str


@dataclass(frozen=True)
class SafetyScreen:
    """What the intake says about safety.

    ``intake_given``: an intake was read at all. ``red_flags``: red flags present (a "yes" or a computed
    combination); any of them stops the exercise pathway everywhere. ``unanswered`` / ``unsure``: texts of
    the safety questions left empty / answered "don't know". ``flags``: chain flags (``intake.<flag>``).
    ``contraindications``: exercise contraindication flags. ``referrals``: non-urgent referrals.
    ``falls_programme``: falls or poor balance were reported (the balance-and-strength programme is due).
    """

    intake_given: bool = False
    red_flags: tuple[RedFlagHit, ...] = ()
    unanswered: tuple[str, ...] = ()
    unsure: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    contraindications: tuple[str, ...] = ()
    referrals: tuple[Referral, ...] = ()
    falls_programme: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def red_flags_checked(self) -> bool:
        """Every safety question was answered yes or no (none empty, none "don't know")."""
        return self.intake_given and not self.unanswered and not self.unsure

    @property
    def stops_exercise(self) -> bool:
        return bool(self.red_flags)

    def to_dict(self) -> dict[str, Any]:
        return {
            "intake_given": self.intake_given,
            "red_flags": [r.__dict__ for r in self.red_flags],
            "red_flags_checked": self.red_flags_checked,
            "unanswered": list(self.unanswered),
            "unsure": list(self.unsure),
            "flags": list(self.flags),
            "contraindications": list(self.contraindications),
            "referrals": [r.__dict__ for r in self.referrals],
            "falls_programme": self.falls_programme,
            "notes": list(self.notes),
        }


def screen_from_flags(
    *, intake_flags: Iterable[str] = (), red_flags: Iterable[str] = (), contraindications: Iterable[str] = ()
) -> SafetyScreen:
    """A screen from raw flags (no intake file): for ``analyze`` alone and for tests of the plan."""
    kb = load_intake_knowledge()
    by_id = {r.id: r for r in kb.red_flags}
    hits = []
    for r in red_flags:
        if not r:
            continue
        rid = r.removeprefix("intake.")
        q = by_id.get(rid)
        hits.append(RedFlagHit(rid, q.text if q else rid.replace("_", " "), q.meaning if q else "", q.source if q else ""))
    flags = tuple(dict.fromkeys(f if f.startswith("intake.") else f"intake.{f}" for f in intake_flags))
    falls = any(f in ("intake.falls", "intake.poor_balance") for f in flags)
    return SafetyScreen(intake_given=False, red_flags=tuple(hits), flags=flags,
                        contraindications=tuple(dict.fromkeys(contraindications)), falls_programme=falls)


FALLS_REFERRAL = Referral(
    "falls_assessment",
    "You reported a fall or feeling unsteady: ask your doctor or a falls service for a falls risk assessment "
    "(balance, strength, medicines, eyesight, home hazards). Start the balance exercises with a physiotherapist "
    "or a falls-prevention class if you can, and always with a support within reach.",
    "NICE 2013, guideline CG161: Falls in older people (multifactorial falls risk assessment after a fall); "
    "Sherrington et al. 2019, Cochrane Database Syst Rev CD012424",
)
STENOSIS_REFERRAL = Referral(
    "spinal_stenosis_check",
    "Leg symptoms that come on with walking or standing and ease when you sit or bend forward can come from a "
    "narrowing of the spinal canal (lumbar spinal stenosis, neurogenic claudication). Ask your doctor or "
    "physiotherapist to check; see a doctor straight away if the legs get weaker or numb, or bladder or bowel "
    "control changes.",
    "Katz et al. 1995, Arthritis Rheum 38(9):1236; Genevay et al. 2018, Spine J 18(6):941 (N-CLASS); "
    "NICE 2016, guideline NG59",
)
UNSURE_REFERRAL = Referral(
    "unsure_safety_questions",
    "You were not sure about some safety questions (listed above): ask a doctor or physiotherapist about them "
    "before you start the exercises.",
    "Finucane et al. 2020, J Orthop Sports Phys Ther 50(7):350 (red-flag screening is done by a clinician)",
)


def safety_screen(intake: Intake | None, knowledge: IntakeKnowledge | None = None) -> SafetyScreen:
    """The safety screen of an intake (an empty, unchecked screen when there is none).

    Rules (``docs/clinical-safety.md``, each with its source): red flags and combined red flags stop the
    exercise pathway; a fall or poor balance starts the balance-and-strength falls programme (done with
    support) and a falls-assessment referral, and never removes the balance drills; someone who cannot (or is
    not sure they can) get down to the floor and up again, or who reports a fall or poor balance at 65 or over
    or with osteoporosis without saying they can, gets standing or chair versions of floor exercises; the
    stenosis screen question gives a referral for a check.
    """
    kb = knowledge or load_intake_knowledge()
    if intake is None:
        return SafetyScreen()
    reds = tuple(red_flags_present(intake, kb))
    unanswered = [r.text for r in kb.red_flags if intake.red_flags.get(r.id) is None]
    unsure = [r.text for r in kb.red_flags if intake.red_flags.get(r.id) == UNSURE]
    for q in kb.questions:  # the other safety questions (falls, osteoporosis ...) that apply to this person
        if q.safety and is_relevant(q, intake.answers):
            v = intake.answers.get(q.id)
            if v == UNSURE or v == "not sure":
                unsure.append(q.text)
            elif v is None:
                unanswered.append(q.text)
    flags = tuple(intake_flags(intake, kb))
    contra = list(intake_contraindications(intake, kb))
    falls = any(f in ("intake.falls", "intake.poor_balance") for f in flags)
    notes = []
    age = intake.answers.get("age_years")
    osteo = intake.answers.get("osteoporosis") is True
    if (falls and (osteo or (isinstance(age, (int, float)) and age >= FLOOR_RISK_AGE_YEARS))
            and intake.answers.get("floor_transfer") != "yes" and "floor_transfer_unsafe" not in contra):
        contra.append("floor_transfer_unsafe")
        notes.append("a fall or poor balance was reported " + ("with osteoporosis" if osteo else f"at {age:g}")
                     + " and getting down to the floor safely was not confirmed: floor and kneeling exercises are "
                     "replaced by standing or chair versions")
    referrals = []
    if falls:
        referrals.append(FALLS_REFERRAL)
    if "intake.neurogenic_claudication" in flags:
        referrals.append(STENOSIS_REFERRAL)
    if unsure:
        referrals.append(UNSURE_REFERRAL)
    return SafetyScreen(intake_given=True, red_flags=reds, unanswered=tuple(unanswered), unsure=tuple(unsure),
                        flags=flags, contraindications=tuple(dict.fromkeys(contra)), referrals=tuple(referrals),
                        falls_programme=falls, notes=tuple(notes))


__all__ = ["Referral", "SafetyScreen", "safety_screen", "screen_from_flags"]
