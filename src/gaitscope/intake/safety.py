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
    Intake,
    RedFlagHit,
    intake_contraindications,
    intake_flags,
    red_flags_present,
)
from gaitscope.intake.questions import IntakeKnowledge, load_intake_knowledge


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


def safety_screen(intake: Intake | None, knowledge: IntakeKnowledge | None = None) -> SafetyScreen:
    """The safety screen of an intake (an empty, unchecked screen when there is none)."""
    kb = knowledge or load_intake_knowledge()
    if intake is None:
        return SafetyScreen()
    reds = tuple(red_flags_present(intake, kb))
    unanswered = tuple(r.text for r in kb.red_flags if intake.red_flags.get(r.id) is None)
    unsure = tuple(r.text for r in kb.red_flags if intake.red_flags.get(r.id) == "unsure")
    flags = tuple(intake_flags(intake, kb))
    contra = tuple(dict.fromkeys(intake_contraindications(intake, kb)))
    falls = any(f in ("intake.falls", "intake.poor_balance") for f in flags)
    return SafetyScreen(intake_given=True, red_flags=reds, unanswered=unanswered, unsure=unsure, flags=flags,
                        contraindications=contra, falls_programme=falls)


__all__ = ["Referral", "SafetyScreen", "safety_screen", "screen_from_flags"]
