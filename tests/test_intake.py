"""Intake: the questions file, the strict intake-file format, red flags, flags for the chain, questionnaire bands."""

from __future__ import annotations

import json
import tomllib
from importlib import resources

import pytest

from gaitscope.intake import (
    ask_intake,
    comments_for,
    dump_simple_yaml,
    intake_contraindications,
    intake_flags,
    load_intake,
    load_intake_knowledge,
    parse_simple_yaml,
    questionnaire_results,
    red_flags_present,
    validate_intake,
    write_intake_file,
)
from gaitscope.types import GaitscopeError


def _knowledge_toml(name: str) -> dict:
    return tomllib.loads(resources.files("gaitscope.knowledge").joinpath(name).read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------------- the data file
def test_every_intake_flag_is_used_by_the_chain_or_the_advice():
    chain = _knowledge_toml("chain.toml")
    advice = _knowledge_toml("advice.toml")
    used = {a["finding"] for a in chain["activation"]} | {t for a in advice["advice"] for t in a["triggers"]}
    kb = load_intake_knowledge()
    flags = {q.flag for q in kb.questions if q.flag} | {f for q in kb.questions for _, f in q.choice_flags}
    assert flags, "the intake sets no flag"
    for f in flags:
        assert f"intake.{f}" in used, f"intake flag {f} feeds neither chain.toml nor advice.toml"
    # the two named links: heel pain history -> heel-pain gait node; one-sided habits -> asymmetry nodes
    acts = {(a["finding"], a["node"]) for a in chain["activation"]}
    assert ("intake.heel_pain_history", "plantar_heel_pain") in acts
    assert ("intake.favours_one_leg", "gait_asymmetry") in acts


def test_contraindications_exist_in_the_exercise_library():
    known = set(_knowledge_toml("exercises.toml")["contraindication_flags"])
    for q in load_intake_knowledge().questions:
        if q.contraindication:
            assert q.contraindication in known, q.id
        for _, c in q.choice_contraindications:
            assert c in known, q.id


def test_red_flags_and_questionnaires_have_sources():
    kb = load_intake_knowledge()
    ids = {r.id for r in kb.red_flags}
    # the list: cauda equina signs, fever, weight loss, cancer, trauma, night pain (+ computed age rule)
    assert {"saddle_numbness", "bladder_bowel_change", "leg_weakness_progressive", "fever", "unexplained_weight_loss",
            "cancer_history", "major_trauma", "night_pain"} <= ids
    for r in kb.red_flags:
        assert r.source and any(ch.isdigit() for ch in r.source), r.id
    assert {q.id for q in kb.questionnaires} == {"oswestry", "start_back", "roland_morris"}
    for q in kb.questionnaires:
        assert "not included" in q.licence and q.source


# ----------------------------------------------------------------------------------- file format
def test_yaml_subset_round_trip_with_awkward_text():
    raw = {
        "name": "O'Brien: \"Ann\" # 1 <b>",
        "age_years": 61,
        "height_m": 1.62,
        "pain_regions": ["lower back", "heel right"],
        "functional_activities": [{"activity": "stairs: up", "score": 4}, {"activity": "walking", "score": 6.5}],
        "notes": "yes",  # text that looks like a boolean must stay text
        "surgery": "[left knee] 2019",
        "one_shoulder_bag": True,
        "saddle_numbness": False,
        "pain_worse_with": [],
    }
    text = dump_simple_yaml(raw, comments_for())
    assert parse_simple_yaml(text) == raw


def test_yaml_subset_reads_a_hand_written_file(tmp_path):
    p = tmp_path / "intake.yaml"
    p.write_text(
        "# my answers\n"
        "age_years: 48   # years\n"
        "sex: female\n"
        "heel_pain_history: yes\n"
        "pain_regions:\n"
        "  - lower back\n"
        "  - 'heel left'\n"
        "functional_activities:\n"
        "  - running: 3\n"
        "oswestry: 22\n",
        encoding="utf-8",
    )
    ik = load_intake(p)
    assert ik.answers["age_years"] == 48 and ik.answers["sex"] == "female"
    assert ik.answers["pain_regions"] == ["lower back", "heel left"]
    assert ik.answers["functional_activities"] == [{"activity": "running", "score": 3.0}]
    assert intake_flags(ik) == ["intake.low_back_pain", "intake.heel_pain_history"]


@pytest.mark.parametrize(
    "text, words",
    [
        ("pain:\n  where: back\n", "list item"),            # nested mapping
        ("age_years: {a: 1}\n", "not a simple value"),       # flow mapping
        ("age_years:\t50\n", "tabs"),
        ("Age: 50\n", "lower-case key"),
        ("age_years: 50\nage_years: 51\n", "twice"),
        ("notes: \"unterminated\n", "double-quoted"),
    ],
)
def test_yaml_subset_refuses_what_it_does_not_support(tmp_path, text, words):
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(GaitscopeError) as err:
        load_intake(p)
    assert "bad.yaml line" in str(err.value) and words in str(err.value)


@pytest.mark.parametrize(
    "raw, words",
    [
        ({"age": 50}, "not an intake question"),
        ({"age_years": 500}, "outside 5..110"),
        ({"pain_now": "a lot"}, "give a number"),
        ({"saddle_numbness": "maybe"}, "yes, no or dont_know"),
        ({"pain_regions": ["elbow"]}, "not a choice"),
        ({"start_back": 3, "start_back_psychosocial": 4}, "cannot exceed"),
        ({"pain_regions": ["none", "upper back"]}, "cannot be combined"),
        ({"pain_worse_with": ["walking", "nothing in particular"]}, "cannot be combined"),
    ],
)
def test_bad_answers_are_user_errors_naming_the_key(raw, words):
    with pytest.raises(GaitscopeError) as err:
        validate_intake(raw, source="x.yaml")
    assert str(err.value).startswith("x.yaml: ") and words in str(err.value)


def test_json_intake_and_missing_file(tmp_path):
    p = tmp_path / "i.json"
    p.write_text(json.dumps({"favours_one_leg": True, "sitting_hours_per_day": 9}), encoding="utf-8")
    ik = load_intake(p)
    # 9 h >= the 7 h cut-off of the long_sitting flag (Chau et al. 2013, cited in intake.toml)
    assert intake_flags(ik) == ["intake.long_sitting", "intake.favours_one_leg"]
    with pytest.raises(GaitscopeError, match="gaitscope intake"):
        load_intake(tmp_path / "nope.yaml")


# ----------------------------------------------------------------------------------- meaning
def test_red_flags_including_age_over_50_with_new_pain():
    assert red_flags_present(validate_intake({"age_years": 40, "pain_duration_weeks": 2})) == []
    # Finucane 2020 / Downie 2013: new pain from age 50 (new = under 6 weeks, intake.toml meta)
    hits = red_flags_present(validate_intake({"age_years": 55, "pain_duration_weeks": 3}))
    assert [h.id for h in hits] == ["age_over_50_new_pain"]
    assert red_flags_present(validate_intake({"age_years": 55, "pain_duration_weeks": 30})) == []
    hits = red_flags_present(validate_intake({"saddle_numbness": True, "night_pain": False}))
    assert [h.id for h in hits] == ["saddle_numbness"] and "cauda equina" in hits[0].meaning


def test_contraindications_from_answers():
    # a fall is not a contraindication: balance training is the treatment (Sherrington et al. 2019)
    ik = validate_intake({"pregnancy": True, "falls": True, "osteoporosis": False})
    assert intake_contraindications(ik) == ["pregnancy"]
    # the pregnancy question does not apply to a man or over 60: an answer to it has no effect
    at_72 = validate_intake({"pregnancy": True, "age_years": 72})
    assert intake_contraindications(at_72) == [] and at_72.ignored == ("pregnancy",)
    assert at_72.answers["pregnancy"] is None  # not shown as "answered yes" in the report either
    assert intake_contraindications(validate_intake({"pregnancy": True, "sex": "male"})) == []
    ik = validate_intake({"floor_transfer": "not sure", "age_years": 70})
    assert intake_contraindications(ik) == ["floor_transfer_unsafe"]


@pytest.mark.parametrize(
    "scores, band",
    [
        # Fairbank & Pynsent 2000: 0-20 minimal, 21-40 moderate, 41-60 severe, 61-80 crippled, 81-100 bed-bound
        ({"oswestry": 20}, "minimal disability"),
        ({"oswestry": 21}, "moderate disability"),
        ({"oswestry": 44}, "severe disability"),
        ({"oswestry": 90}, "bed-bound, or the answers overstate the symptoms"),
        # Hill et al. 2008: total <= 3 low; >= 4 medium unless the psychosocial subscore is >= 4 (high)
        ({"start_back": 3}, "low risk"),
        ({"start_back": 6, "start_back_psychosocial": 3}, "medium risk"),
        ({"start_back": 6, "start_back_psychosocial": 4}, "high risk"),
        # no validated severity bands for the RMDQ
        ({"roland_morris": 12}, None),
    ],
)
def test_questionnaire_bands(scores, band):
    res = questionnaire_results(validate_intake(scores))
    assert len(res) == 1 and res[0]["band"] == band


def test_terminal_intake_answers_prompts_and_writes_a_readable_file(tmp_path):
    kb = load_intake_knowledge()
    answers = {"Name": "Ann <i>", "How old": "63", "Sex": "1", "Where does it hurt": "4, 18",
               "Pain right now": "eleven", "heel pain": "y", "Numbness or tingling around the back": "n",
               "activity 1": "stairs", "how well": "4", "activity 2": ""}
    asked = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        for key, value in answers.items():
            if key in prompt:
                if key == "Pain right now" and asked.count(prompt) > 1:
                    return "2"  # the wrong answer is asked again
                return value
        return "n" if "[y/n/d" in prompt else ("1" if "safety question needs" in prompt else "")

    raw = ask_intake(ask=ask, say=lambda s: None, knowledge=kb)
    assert raw["name"] == "Ann <i>" and raw["age_years"] == 63 and raw["sex"] == "female"
    assert raw["pain_regions"] == ["lower back", "heel right"] and raw["pain_now"] == 2
    assert raw["functional_activities"] == [{"activity": "stairs", "score": 4}]
    assert raw["saddle_numbness"] is False and raw["heel_pain_history"] is True
    p = write_intake_file(raw, tmp_path / "intake.yaml", comments_for())
    ik = load_intake(p)
    assert ik.name == "Ann <i>" and "intake.heel_pain_history" in intake_flags(ik)


def test_terminal_intake_asks_again_when_none_is_combined_with_a_region():
    kb = load_intake_knowledge()
    tries = []

    def ask(prompt: str) -> str:
        if "Where does it hurt" in prompt:
            tries.append(prompt)
            return "1, 3" if len(tries) == 1 else "3"   # 1 = none, 3 = upper back (intake.toml order)
        return "d" if "[y/n/d" in prompt else ("3" if "safety question needs" in prompt else "")

    said = []
    raw = ask_intake(ask=ask, say=said.append, knowledge=kb, name="x")
    assert raw["pain_regions"] == ["upper back"] and len(tries) == 2
    assert any("cannot be combined" in s for s in said)


def test_terminal_safety_questions_cannot_be_skipped_and_a_red_flag_is_answered_at_once():
    # Enter does not skip a safety question (it is asked again); "d" (don't know) is accepted; a "yes" to a
    # red flag gets the urgent message at once, before the next question
    kb = load_intake_knowledge()
    seen: dict[str, int] = {}
    said: list[str] = []

    def ask(prompt: str) -> str:
        seen[prompt] = seen.get(prompt, 0) + 1
        said.append("ASK " + prompt)
        if "Numbness or tingling around the back passage" in prompt:
            return "" if seen[prompt] == 1 else "y"
        if "Have you ever had cancer" in prompt:
            return "d"
        return "n" if "[y/n/d" in prompt else ("1" if "safety question needs" in prompt else "")

    raw = ask_intake(ask=ask, say=said.append, knowledge=kb, name="x")
    saddle = next(p for p in seen if "Numbness or tingling around the back passage" in p)
    assert seen[saddle] == 2 and raw["saddle_numbness"] is True
    i = max(k for k, s in enumerate(said) if s.startswith("ASK ") and "back passage" in s)
    assert said[i + 1].strip().startswith("STOP: Possible cauda equina"), said[i:i + 2]
    assert raw["cancer_history"] == "dont_know"
    ik = validate_intake(raw)
    assert ik.red_flags["cancer_history"] == "unsure"
    from gaitscope.intake.safety import safety_screen

    screen = safety_screen(ik)
    assert not screen.red_flags_checked and "Have you ever had cancer?" in screen.unsure


def test_terminal_intake_skips_questions_that_do_not_apply():
    kb = load_intake_knowledge()
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        if prompt.startswith("How old"):
            return "72"
        if prompt.startswith("Sex"):
            return "1"
        return "n" if "[y/n/d" in prompt else ("1" if "safety question needs" in prompt else "")

    ask_intake(ask=ask, say=lambda s: None, knowledge=kb, name="x")
    assert not any("pregnant" in p for p in asked)  # no pregnancy question at 72 (nor for a man)
    assert any("get down to the floor" in p for p in asked)  # the floor question from 60
    assert any("when you sit down or bend forward" in p for p in asked)  # the stenosis screen


def test_fragility_fracture_is_a_combined_red_flag():
    # Finucane 2020; Downie 2013: osteoporosis or older age with a fall and new or sudden back pain
    base = {"falls": True, "pain_regions": ["lower back"], "back_pain_sudden_onset": True}
    assert [h.id for h in red_flags_present(validate_intake(base | {"osteoporosis": True}))] == ["possible_fragility_fracture"]
    assert [h.id for h in red_flags_present(validate_intake(base | {"age_years": 74}))] == ["possible_fragility_fracture"]
    # no fall, no osteoporosis, younger: no fracture flag; a long-standing pain after a fall at 74 either
    assert red_flags_present(validate_intake(base | {"age_years": 45})) == []
    old_pain = {"falls": True, "pain_regions": ["lower back"], "back_pain_sudden_onset": False, "age_years": 74,
                "pain_duration_weeks": 52}
    assert red_flags_present(validate_intake(old_pain)) == []
