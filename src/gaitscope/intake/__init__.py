"""intake stage: the questions a clinician asks (``knowledge/intake.toml``), the intake file, red flags,
flags for the kinetic chain and exercise contraindications, licensed-questionnaire scores with their bands.
"""

from gaitscope.intake.ask import ask_intake, comments_for
from gaitscope.intake.fileio import dump_simple_yaml, parse_simple_yaml, read_intake_file, write_intake_file
from gaitscope.intake.model import (
    Intake,
    RedFlagHit,
    intake_contraindications,
    intake_flags,
    intake_to_dict,
    load_intake,
    questionnaire_results,
    red_flags_present,
    validate_intake,
)
from gaitscope.intake.questions import IntakeKnowledge, load_intake_knowledge

__all__ = [
    "Intake",
    "IntakeKnowledge",
    "RedFlagHit",
    "ask_intake",
    "comments_for",
    "dump_simple_yaml",
    "intake_contraindications",
    "intake_flags",
    "intake_to_dict",
    "load_intake",
    "load_intake_knowledge",
    "parse_simple_yaml",
    "questionnaire_results",
    "read_intake_file",
    "red_flags_present",
    "validate_intake",
    "write_intake_file",
]
