"""Corrective plan: selection, order, count, contraindications, red flags, advice."""

from __future__ import annotations

import json

import pytest

from gaitscope.chain import reason_chain
from gaitscope.knowledge.loader import CAUSAL_RE, load_knowledge
from gaitscope.program import build_plan, plan_to_dict
from gaitscope.types import Evidence, Finding, GaitscopeError

KB = load_knowledge()
ORDER = {c: i for i, c in enumerate(KB.exercise_categories)}
ABDUCTOR_EXERCISES = {"side_lying_leg_lifts", "clamshells", "lateral_band_walks", "side_planks"}


def _f(code, side="left", severity=2, value=10.0, metric="x", unit="deg"):
    sides = ("left", "right") if side == "both" else (side,)
    return Finding(code, "present", side, severity, tuple(Evidence(metric, value, unit, ">", 0, "t", s) for s in sides))


TRENDELENBURG = _f("trendelenburg", "left", 2, 10.5, "pelvic_drop_stance_max_deg")
HEEL = _f("reduced_heel_strike", "right", 2, 0.2, "foot_contact", "fraction of strides")


def test_category_order_is_release_mobility_activation_strengthening_gait():
    categories = list(ORDER)
    assert categories == ["release", "mobility", "activation", "strengthening", "balance", "gait_drill"]
    for fs, flags in ([[TRENDELENBURG, HEEL], ["long_sitting"]], [[_f("knee_valgus"), _f("excessive_forward_trunk_lean", None)], []],
                      [[_f("overpronation_indicators", "both")], ["heel_pain_history", "long_sitting"]]):
        plan = build_plan(fs, intake_flags=flags)
        ranks = [ORDER[it.category] for it in plan.exercises]
        assert ranks == sorted(ranks), [it.exercise_id for it in plan.exercises]
        assert [it.order for it in plan.exercises] == list(range(1, len(plan.exercises) + 1))


def test_trendelenburg_plan_trains_the_hip_abductors_and_says_why():
    plan = build_plan([TRENDELENBURG])
    ids = [it.exercise_id for it in plan.exercises]
    assert 1 <= len(ids) <= 5
    assert ABDUCTOR_EXERCISES & set(ids)
    first_abd = next(it for it in plan.exercises if it.exercise_id in ABDUCTOR_EXERCISES)
    assert "weak hip abductors" in first_abd.why and "(left)" in first_abd.why and "trendelenburg" in first_abd.why
    assert plan.exercises[-1].category == "gait_drill"  # a gait finding ends with a gait drill
    assert plan.exercises[-1].exercise_id == "mirror_walking"  # feedback on the pelvic drop
    assert any(a.id == "stand_evenly" for a in plan.advice)


@pytest.mark.parametrize("max_n", [1, 2, 3, 4, 6])
def test_max_count_is_respected(max_n):
    fs = [TRENDELENBURG, HEEL, _f("knee_valgus", "right"), _f("excessive_forward_trunk_lean", None),
          _f("overpronation_indicators", "both")]
    plan = build_plan(fs, intake_flags=["long_sitting"], max_exercises=max_n)
    assert len(plan.exercises) == max_n
    assert len({it.exercise_id for it in plan.exercises}) == max_n


def test_contraindications_remove_exercises_and_say_so():
    plan = build_plan([TRENDELENBURG], contraindications=["hip_replacement"])
    ids = {it.exercise_id for it in plan.exercises}
    assert not ids & {"clamshells", "side_lying_leg_lifts"}
    assert "lateral_band_walks" in ids  # abductor work without the precaution
    excluded = dict(plan.excluded)
    assert "side_lying_leg_lifts" in excluded and "hip replacement" in excluded["side_lying_leg_lifts"]
    for it in plan.exercises:
        assert "hip_replacement" not in KB.exercise(it.exercise_id).avoid_if


def test_intake_flags_act_as_contraindications():
    fs = [_f("overpronation_indicators", "both"), _f("short_shuffling_steps", None, 2, 0.3, "step_length_m", "m")]
    plain = build_plan(fs, max_exercises=6)
    careful = build_plan(fs, intake_flags=["peripheral_neuropathy", "poor_balance"], max_exercises=6)
    for it in careful.exercises:
        assert not set(KB.exercise(it.exercise_id).avoid_if) & {"peripheral_neuropathy", "poor_balance"}
    assert {"mindful_barefoot_walking", "high_knee_walking", "heel_to_toe_walking"} & {
        it.exercise_id for it in plain.exercises} | {e for e, _ in careful.excluded}


def test_unknown_contraindication_is_a_clear_error():
    with pytest.raises(GaitscopeError, match="exercises.toml"):
        build_plan([TRENDELENBURG], contraindications=["broken_leg"])


def test_red_flag_withholds_the_plan():
    plan = build_plan([TRENDELENBURG, HEEL], red_flags=["saddle_numbness", "new_bladder_dysfunction"])
    assert plan.withheld and plan.exercises == () and plan.advice == ()
    assert "doctor" in plan.urgent_message and "saddle numbness" in plan.urgent_message
    assert json.loads(json.dumps(plan_to_dict(plan)))["withheld"] is True


def test_heel_pain_plan_and_advice():
    plan = build_plan([HEEL], intake_flags=["heel_pain_history"])
    ids = [it.exercise_id for it in plan.exercises]
    assert "plantar_fascia_stretch" in ids  # DiGiovanni et al. 2003
    advice = {a.id: a for a in plan.advice}
    assert "heel_cushioning" in advice and "reduced heel strike" in advice["heel_cushioning"].why


def test_neurological_patterns_bring_a_referral_first():
    plan = build_plan([_f("stiff_knee", "right", 2, 35.0), HEEL])
    assert plan.advice[0].id == "neurological_review" and plan.advice[0].category == "referral"


def test_habit_advice_follows_intake():
    plan = build_plan([], intake_flags=["one_shoulder_bag", "crosses_same_leg"])
    ids = {a.id for a in plan.advice}
    assert {"bag_switch", "leg_crossing"} <= ids


def test_no_findings_no_exercises():
    plan = build_plan([Finding("crouch", "absent"), Finding("trendelenburg", "not_assessable", reason="sagittal view")])
    assert plan.exercises == () and plan.notes and not plan.withheld
    assert all(a.id not in ("pain_guide", "retest") for a in plan.advice)


def test_plan_uses_given_chain_and_outputs_no_causal_wording():
    fs = [TRENDELENBURG, HEEL, _f("knee_valgus", "right"), _f("leg_length_difference_signs", "left", 1, -4.5)]
    chain = reason_chain(fs, intake_flags=["long_sitting"])
    plan = build_plan(fs, chain, intake_flags=["long_sitting"])
    d = plan_to_dict(plan)
    text = json.dumps(d)
    assert not CAUSAL_RE.search(text)
    assert d["knowledge_stamp"] == KB.stamp
    for it in plan.exercises:
        assert it.targets and set(it.targets) <= set(KB.exercise(it.exercise_id).targets)
        assert it.dose and it.why.startswith("Targets ")


def test_findings_document_is_json_and_complete():
    import pandas as pd

    from gaitscope.program import findings_document

    rows = [{"side": s, "pelvic_drop_stance_max_deg": v, "pelvic_obliquity_persistent_deg": 2.0, "stance_pct": 61.0,
             "single_support_pct": 39.0, "knee_flex_stance_min_deg": 6.0} for s, v in (("left", 9.5), ("right", 4.0))
            for _ in range(4)]
    doc = findings_document(pd.DataFrame(rows), view="frontal", intake_flags=["long_sitting"])
    text = json.dumps(doc)
    assert not CAUSAL_RE.search(text)
    back = json.loads(text)
    assert back["knowledge"] == KB.stamp and len(back["patterns"]) == len(KB.patterns)
    tr = next(p for p in back["patterns"] if p["code"] == "trendelenburg")
    assert tr["status"] == "present" and tr["side"] == "left" and tr["evidence"][0]["value"] == 9.5
    assert back["chain"]["contributors"][0]["node"] == "weak_hip_abductors"
    assert back["plan"]["exercises"] and not back["plan"]["withheld"]
    crouch = next(p for p in back["patterns"] if p["code"] == "crouch")
    assert crouch["status"] == "not_assessable" and "frontal" in crouch["reason"]  # knee angles need a side view
    red = findings_document(pd.DataFrame(rows), view="frontal", red_flags=["fever"])
    assert red["plan"]["withheld"] and red["plan"]["exercises"] == []


def test_no_barefoot_walking_next_to_the_heel_pain_pattern():
    # seen on the reduced-heel-strike phantom: the co-occurring antalgic finding (asymmetric loading) used to
    # bring mindful barefoot walking into a plan that also advises cushioned shoes for the painful heel
    antalgic = _f("antalgic", "right", 1, 1.08, "stance_pct", "ratio")
    plan = build_plan([HEEL, antalgic], max_exercises=8)
    assert "mindful_barefoot_walking" not in {it.exercise_id for it in plan.exercises}
    assert "painful heel" in dict(plan.excluded)["mindful_barefoot_walking"]
    assert "heel_cushioning" in {a.id for a in plan.advice}
    # a reported heel-pain history excludes it too; with overpronation alone (no heel sign) it stays available
    flat = _f("overpronation_indicators", "both")
    assert "mindful_barefoot_walking" in {e for e, _ in build_plan([flat], intake_flags=["heel_pain_history"]).excluded}
    assert "mindful_barefoot_walking" in {it.exercise_id for it in build_plan([flat], max_exercises=8).exercises}


@pytest.mark.parametrize("flag", ["falls", "poor_balance"])
def test_split_squats_progression_waits_for_a_professional_after_a_fall_or_with_poor_balance(flag):
    """Split squats progress to hand weights and the rear foot on a bench (loaded, narrow base): after a fall or
    with poor balance that progression is swapped for the safe one (NICE CG161: strength and balance training
    prescribed and monitored by a trained professional); the exercise itself stays (Sherrington 2019)."""
    squats = KB.exercise("split_squats")
    assert flag in squats.progression_avoid_if
    fs = [_f("knee_valgus", "right")]
    plain = {it.exercise_id: it for it in build_plan(fs, max_exercises=6).exercises}
    assert plain["split_squats"].progression == squats.progression == "Hold weights; rear foot on a bench."
    careful = {it.exercise_id: it for it in build_plan(fs, intake_flags=[flag], max_exercises=6).exercises}
    assert "split_squats" in careful  # not removed: poor balance is not a contraindication
    assert careful["split_squats"].progression == squats.safe_progression
    assert "counter" in careful["split_squats"].progression and "physiotherapist" in careful["split_squats"].progression
    assert "rear foot on a bench" not in careful["split_squats"].progression


#: Progressions that remove the support, close the eyes, walk backwards, raise or unsettle the base or add
#: hand-held load: after a fall or with poor balance they wait for a professional (docs/clinical-safety.md).
RISKY_FOR_FALLERS = ("without support", "eyes closed", "backwards", "on a step", "bench", "grass", "hold weights")


def test_every_risky_corrective_progression_is_guarded_for_falls_and_poor_balance():
    """A corrective exercise whose progression reads as risky for a faller lists falls and poor balance in
    progression_avoid_if, and its safe progression keeps a support and names a physiotherapist; the falls
    programme's own progressions (support reduced step by step) are excluded: it is done with support."""
    risky = [ex for ex in KB.exercises if not ex.programme
             and any(w in ex.progression.lower() for w in RISKY_FOR_FALLERS)]
    assert {ex.id for ex in risky} >= {"split_squats", "marching_in_place", "heel_to_toe_walking", "calf_stretch",
                                       "mindful_barefoot_walking"}
    for ex in risky:
        assert {"falls", "poor_balance"} <= set(ex.progression_avoid_if), ex.id
        assert "physiotherapist" in ex.safe_progression, ex.id
        safe = ex.safe_progression.lower()
        assert "counter" in safe or "wall" in safe or "even surface" in safe, ex.id


def test_progression_flags_are_intake_flags_and_never_remove_an_exercise():
    import tomllib
    from importlib import resources

    from gaitscope.intake import load_intake_knowledge

    raw = tomllib.loads(resources.files("gaitscope.knowledge").joinpath("exercises.toml").read_text(encoding="utf-8"))
    pflags = set(raw["progression_flags"])
    assert pflags == {"falls", "poor_balance"}
    intake_flags = {q.flag for q in load_intake_knowledge().questions if getattr(q, "flag", None)}
    assert pflags <= intake_flags
    for ex in KB.exercises:
        assert not pflags & set(ex.avoid_if), ex.id


def test_unknown_progression_flag_is_refused():
    from gaitscope.knowledge.loader import FILES, KnowledgeError, _read_texts, parse_knowledge

    texts = _read_texts(None)
    texts["exercises.toml"] = texts["exercises.toml"].replace('progression_avoid_if = ["falls", "poor_balance"]',
                                                              'progression_avoid_if = ["dizzy"]')
    assert set(texts) == set(FILES)
    with pytest.raises(KnowledgeError, match="progression_avoid_if flag 'dizzy'"):
        parse_knowledge(texts)
