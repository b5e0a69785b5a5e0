"""Knowledge-base integrity: metrics, thresholds, rules, chain, exercises, advice, and their validation."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from gaitscope.knowledge.loader import (
    CAUSAL_RE,
    EVIDENCE_LEVELS,
    FILES,
    KnowledgeError,
    canonical_metrics,
    load_knowledge,
)

KB = load_knowledge()
REPO = Path(__file__).resolve().parents[1]

#: The canonical metric names of the issue-3 contract (cycles.csv columns + the frontal ones of issue 4).
CONTRACT = """side pass start end t_start_s stride_time_s step_time_s stance_pct swing_pct double_support_pct
single_support_pct step_length_m stride_length_m cadence_spm speed_mps step_length_rel stride_length_rel
speed_rel_per_s knee_flex_ic_deg knee_flex_loading_max_deg knee_flex_swing_max_deg knee_flex_swing_range_deg
knee_flex_stance_min_deg hip_flex_ic_deg hip_ext_stance_max_deg hip_flex_swing_max_deg ankle_dorsi_ic_deg
ankle_plantar_pushoff_max_deg ankle_dorsi_swing_max_deg ankle_dorsi_midstance_min_deg foot_angle_ic_deg foot_contact toe_clearance_swing_min_m
toe_clearance_swing_min_rel trunk_lean_fwd_mean_deg pelvic_drop_stance_max_deg pelvic_obliquity_mean_deg pelvic_obliquity_persistent_deg
trunk_lean_lat_stance_max_deg knee_fppa_stance_max_deg step_width_m arm_swing_amplitude_deg heel_eversion_deg
foot_progression_deg circumduction_m""".split()
UNIT_SUFFIX = {"_deg": "deg", "_s": "s", "_m": "m", "_mps": "m/s", "_spm": "steps/min", "_pct": "% of gait cycle"}


def _texts() -> dict[str, str]:
    return {n: resources.files("gaitscope.knowledge").joinpath(n).read_text(encoding="utf-8") for n in FILES}


def _write(tmp_path: Path, texts: dict[str, str]) -> Path:
    for n, t in texts.items():
        (tmp_path / n).write_text(t, encoding="utf-8")
    return tmp_path


# ------------------------------------------------------------------ metrics
def test_canonical_metrics_are_exactly_the_contract():
    assert set(canonical_metrics()) == set(CONTRACT)


def test_metric_units_match_their_name_suffix():
    for name, m in KB.metrics.items():
        for suf, unit in UNIT_SUFFIX.items():
            if name.endswith(suf) and not name.endswith("_rel_per_s"):
                assert m.unit == unit, (name, m.unit)
        if name.endswith("_rel"):
            assert m.unit == "body heights"


def test_analysis_cycle_columns_are_canonical():
    cycles = pytest.importorskip("gaitscope.metrics.cycles")
    assert set(cycles.CYCLE_COLUMNS) <= set(KB.metrics), set(cycles.CYCLE_COLUMNS) - set(KB.metrics)


# ------------------------------------------------------------------ thresholds and rules
def test_every_threshold_has_unit_source_views_and_errors():
    for t in KB.thresholds.values():
        assert t.unit and len(t.source) > 20, t.id
        assert re.search(r"(19|20)\d\d|convention", t.source), t.id  # a year, or an explicit convention
        assert t.views and all(v in t.error_by_view for v in t.views)
        for v in t.views:  # a flag must exceed the measurement error of the view it came from
            assert abs(t.value - t.normal_ref) > t.error_by_view[v], (t.id, v)
        assert "doi" not in t.source.lower()  # no DOIs typed from memory


def test_every_rule_uses_canonical_metrics_and_existing_thresholds():
    assert len(KB.patterns) >= 14
    for p in KB.patterns:
        for m in p.metrics:
            assert m in KB.metrics, (p.code, m)
        for c in [c for g in p.groups for c in g.conditions] + list(p.supporting):
            assert c.threshold in KB.thresholds
            assert KB.thresholds[c.threshold].metric == c.metric
            if c.threshold_rel:
                assert KB.thresholds[c.threshold_rel].metric.endswith("_rel")


def test_required_patterns_exist():
    codes = {p.code for p in KB.patterns}
    assert {"antalgic", "trendelenburg", "trendelenburg_compensated", "steppage", "stiff_knee", "crouch",
            "reduced_heel_strike", "overpronation_indicators", "knee_valgus", "leg_length_difference_signs",
            "reduced_arm_swing", "asymmetric_arm_swing", "excessive_forward_trunk_lean", "short_shuffling_steps",
            "high_variability"} <= codes


def test_normative_derived_thresholds_match_schwartz_2008():
    normative = pytest.importorskip("gaitscope.knowledge.normative")

    def band(var, lo, hi, pick):
        pct, mean, sd = normative.kinematic_norm_curve(var, "Free")
        m = (pct >= lo) & (pct <= hi)
        i = [j for j in range(len(pct)) if m[j]][int(pick(mean[m]))]
        return mean[i], sd[i]

    import numpy as np

    checks = [  # (threshold id, variable, window %, argmin/argmax, sign of the 2 SD step)
        ("knee_stance_min_crouch", "knee_flex_deg", 10, 50, np.argmin, +1),
        ("knee_swing_max_stiff", "knee_flex_deg", 60, 100, np.argmax, -1),
        ("knee_swing_max_high", "knee_flex_deg", 60, 100, np.argmax, +1),
        ("hip_flex_swing_high", "hip_flex_deg", 70, 100, np.argmax, +1),
        ("ankle_dorsi_swing_drop", "ankle_dorsi_deg", 70, 100, np.argmax, -1),
        ("ankle_dorsi_ic_plantar", "ankle_dorsi_deg", 0, 0, np.argmax, -1),
    ]
    for tid, var, lo, hi, pick, sign in checks:
        mean, sd = band(var, lo, hi, pick)
        t = KB.thresholds[tid]
        assert t.normal_ref == pytest.approx(mean, abs=0.15), tid
        two_sd = mean + sign * 2 * sd
        # the cut-off is mean +- 2 SD, rounded (crouch: rounded up to the 20 deg convention)
        assert abs(t.value - two_sd) <= (2.5 if tid == "knee_stance_min_crouch" else 0.6), (tid, t.value, two_sd)
        assert (t.value - two_sd) * sign >= -0.6, tid  # never inside the 2 SD band
    # swing knee range (stiff-knee supporting sign): range of the normal mean curve over 60-100 %, cut-off
    # mean - 2 SD with the SD of a range taken as the two extremes' SDs added in quadrature
    pct, mean, sd = normative.kinematic_norm_curve("knee_flex_deg", "Free")
    sw = pct >= 60
    i_max, i_min = np.argmax(np.where(sw, mean, -np.inf)), np.argmin(np.where(sw, mean, np.inf))
    t = KB.thresholds["knee_swing_range_low"]
    assert t.normal_ref == pytest.approx(mean[i_max] - mean[i_min], abs=0.15)
    assert t.value == pytest.approx(mean[i_max] - mean[i_min] - 2 * np.hypot(sd[i_max], sd[i_min]), abs=0.6)
    pct, mean, sd = normative.kinematic_norm_curve("pelvis_obliquity_deg", "Free")
    assert KB.thresholds["pelvic_drop_stance_high"].normal_ref == pytest.approx(mean[pct <= 30].max(), abs=0.1)


def test_short_step_cut_off_is_the_lowest_adult_normal_bound():
    st = pytest.importorskip("gaitscope.knowledge.spatiotemporal_norms")
    df = st.load_spatiotemporal_norms()
    adult = df[(df["age_min_years"] >= 18) & (df["pace"] == "normal") & (df["parameter"] == "step_length_m")]
    assert KB.thresholds["step_length_short"].value == pytest.approx(adult["low"].min())


# ------------------------------------------------------------------ chain
def test_every_edge_has_mechanism_evidence_and_source():
    assert len(KB.edges) >= 30
    for e in KB.edges:
        assert e.evidence in EVIDENCE_LEVELS
        assert len(e.mechanism.split()) >= 8 and e.mechanism.endswith(".")
        assert e.sources and all(re.search(r"(19|20)\d\d", s) for s in e.sources), (e.source, e.target)


def test_every_node_leads_to_the_outcome_and_every_pattern_activates_existing_nodes():
    out = {}
    for e in KB.edges:
        out.setdefault(e.source, set()).add(e.target)
    for n in KB.nodes:
        if n == KB.outcome_node:
            continue
        seen, stack = set(), [n]
        while stack:
            x = stack.pop()
            for y in out.get(x, ()):
                if y not in seen:
                    seen.add(y)
                    stack.append(y)
        assert KB.outcome_node in seen, f"{n} has no path to {KB.outcome_node}"
    for p in KB.patterns:
        acts = [a for a in KB.activations if a.finding == p.code]
        assert acts and all(a.node in KB.nodes for a in acts), p.code


def test_required_nodes_exist():
    assert {"overpronation", "heel_pain_gait", "reduced_ankle_dorsiflexion", "knee_valgus", "weak_hip_abductors",
            "tight_hip_flexors", "weak_glutes", "pelvic_drop", "anterior_pelvic_tilt", "ql_overload",
            "lumbar_side_bending_load", "lumbar_compression_load", "leg_length_difference", "low_back_pain"} <= set(KB.nodes)


def test_posture_activation_codes_exist_in_the_posture_module():
    findings = pytest.importorskip("gaitscope.posture.findings")
    for a in KB.activations:
        if a.finding.startswith("posture_"):
            assert a.finding in findings.FINDING_CODES, a.finding


# ------------------------------------------------------------------ exercises and advice
def test_exercises_complete():
    ids = {e.id for e in KB.exercises}
    assert {"glute_bridges", "side_lying_leg_lifts", "lateral_band_walks", "clamshells", "dead_bugs", "bird_dogs",
            "planks", "wall_hip_flexor_stretch", "hamstring_stretch", "calf_stretch", "plantar_fascia_stretch",
            "foam_rolling", "hip_hinges", "split_squats", "marching_in_place", "high_knee_walking",
            "heel_to_toe_walking", "mirror_walking", "mindful_barefoot_walking"} <= ids
    for e in KB.exercises:
        assert all(t in KB.nodes for t in e.targets), e.id
        assert e.dose.sets >= 1 and (e.dose.reps or e.dose.hold_s) and 1 <= e.dose.per_week <= 7
        assert e.progression and e.instructions and e.source
        assert e.contraindications, f"{e.id}: every exercise states its contraindications (issue 4)"
        assert all(f in KB.contraindication_flags for f in e.avoid_if)
    # every impairment a finding can activate is addressed: targeted by an exercise or by node-triggered advice
    targeted = {t for e in KB.exercises for t in e.targets}
    advised = {t[5:] for a in KB.advice for t in a.triggers if t.startswith("node:")}
    for a in KB.activations:
        if KB.nodes[a.node].kind == "impairment":
            assert a.node in targeted | advised, a.node


def test_advice_triggers_and_sources():
    for a in KB.advice:
        assert a.triggers and a.source and a.text


# ------------------------------------------------------------------ wording, stamp, validation
def test_no_causal_wording_in_any_knowledge_file():
    for name, text in _texts().items():
        assert not CAUSAL_RE.search(text), name
    assert CAUSAL_RE.search("weak hips cause pain") and CAUSAL_RE.search("Caused by") and not CAUSAL_RE.search("because")


def test_stamp_changes_with_content(tmp_path):
    texts = _texts()
    same = load_knowledge(_write(tmp_path, texts))
    assert same.stamp == KB.stamp and KB.version in KB.stamp
    texts["advice.toml"] = texts["advice.toml"] + "\n# reviewed\n"
    other = load_knowledge(_write(tmp_path, texts))  # directory loads are not cached: edits are seen
    assert other.stamp != KB.stamp


@pytest.mark.parametrize(
    "file,old,new,match",
    [
        ("thresholds.csv", "knee_stance_min_crouch,knee_flex_stance_min_deg,mean,deg,>,20,", "knee_stance_min_crouch,knee_flex_stance_min_deg,mean,deg,>,10,", "measurement error"),
        ("patterns.toml", 'metric = "knee_flex_stance_min_deg", threshold = "knee_stance_min_crouch"', 'metric = "knee_bend_deg", threshold = "knee_stance_min_crouch"', "not a canonical metric"),
        ("exercises.toml", 'targets = ["weak_glutes", "anterior_pelvic_tilt", "lumbar_compression_load"]', 'targets = ["weak_glutes", "sore_back"]', "not a chain node"),
        ("chain.toml", "Gluteus medius weakness is more common", "Gluteus medius weakness causes pain and is more common", "causation"),
        ("chain.toml", 'evidence = "moderate"\nsources = ["Hardcastle', 'evidence = "very strong"\nsources = ["Hardcastle', "evidence"),
        ("thresholds.csv", "speed_slow,", "speed_slow,", "needs a source"),
        ("patterns.toml", 'threshold = "knee_stance_min_crouch" }]', 'threshold = "no_such_row" }]', "not a row of thresholds.csv"),
    ],
)
def test_loader_refuses_broken_knowledge(tmp_path, file, old, new, match):
    texts = _texts()
    assert old in texts[file], old
    texts[file] = texts[file].replace(old, new, 1)
    if match == "needs a source":  # empty the quoted source field of the speed_slow row
        texts[file] = re.sub(r'^(speed_slow,[^"]*)"[^"]*"', r'\1""', texts[file], flags=re.M)
    with pytest.raises(KnowledgeError, match=match):
        load_knowledge(_write(tmp_path, texts))


def test_docs_describe_every_rule_and_node():
    doc = REPO / "docs" / "knowledge.md"
    if not doc.is_file():
        pytest.fail("docs/knowledge.md is missing")
    text = doc.read_text()
    for p in KB.patterns:
        assert f"`{p.code}`" in text, p.code
    for n in KB.nodes:
        assert f"`{n}`" in text, n


def test_docs_tables_match_the_files():
    from gaitscope.knowledge.tables import markdown_tables

    text = (REPO / "docs" / "knowledge.md").read_text()
    assert markdown_tables() in text, "regenerate with: python -m gaitscope.knowledge.tables"
