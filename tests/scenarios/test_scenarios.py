"""Clinical scenario suite: each persona (``personas/<id>/``: ``intake.yaml`` + ``persona.toml`` naming the input
and the expected report properties) runs the whole ``assess`` and checks what a careful physiotherapist would
expect to see. Every property is defined once below (``PROPERTIES``) and written out, with the source of
its rule, in ``docs/clinical-safety.md`` (Scenario suite).

Inputs: the phantom walker (a pattern filmed by the virtual camera from the side and/or from behind; made
once per input and shared) or the real clips in ``../shared/data/video`` (marked slow; skipped without the
data; the pose model's keypoints are cached under ``$GAITSCOPE_POSE_CACHE`` or
``/tmp/gaitscope_pose_cache/<clip stem>/`` and reused).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any, Callable

import pytest

from gaitscope.knowledge.loader import FLOOR_POSITIONS, load_knowledge
from gaitscope.pipeline import assess

HERE = Path(__file__).resolve().parent
PERSONAS = sorted(p for p in (HERE / "personas").iterdir() if (p / "persona.toml").is_file())
SHARED_VIDEO = HERE.parents[2] / "shared" / "data" / "video"
POSE_CACHE = Path(os.environ.get("GAITSCOPE_POSE_CACHE", "/tmp/gaitscope_pose_cache"))
KB = load_knowledge()
#: Exercises done lying on the back (avoided in pregnancy after the first trimester; exercises.toml).
SUPINE = {ex.id for ex in KB.exercises if "pregnancy" in ex.avoid_if}


def _persona(pdir: Path) -> dict[str, Any]:
    return tomllib.loads((pdir / "persona.toml").read_text(encoding="utf-8"))


def test_at_least_twelve_personas_each_documented():
    assert len(PERSONAS) >= 12
    doc = (HERE.parents[1] / "docs" / "clinical-safety.md").read_text(encoding="utf-8")
    for pdir in PERSONAS:
        p = _persona(pdir)
        assert f"`{pdir.name}`" in doc, f"persona {pdir.name} is not written up in docs/clinical-safety.md"
        for prop in p["expect"]:
            assert prop.split(":")[0] in PROPERTIES, f"{pdir.name}: unknown property {prop}"
    for name in PROPERTIES:
        assert f"`{name}`" in doc or f"`{name}:" in doc, f"property {name} is not documented in docs/clinical-safety.md"


# ----------------------------------------------------------------------------------------- inputs
@pytest.fixture(scope="module")
def phantom_inputs(tmp_path_factory):
    """Keypoint files of the phantom walker per (pattern, side, severity, views), made once."""
    made: dict[tuple, dict[str, Path]] = {}
    root = tmp_path_factory.mktemp("phantoms")

    def make(spec: dict[str, Any], height_m: float) -> dict[str, Path]:
        from gaitscope.capture.pose_csv import write_pose_csv
        from gaitscope.capture.virtual_camera import project
        from gaitscope.phantom.walker import simulate

        key = (spec.get("pattern", "none"), spec.get("side", "right"), spec.get("severity", "moderate"),
               tuple(spec.get("views", ["side"])), height_m)
        if key not in made:
            pattern = None if key[0] == "none" else key[0]
            walk = simulate(pattern=pattern, severity=key[2], side=key[1], height_m=height_m, duration_s=10.0, seed=1)
            d = root / f"p{len(made)}"
            d.mkdir()
            files = {}
            if "side" in key[3]:
                files["side_video"] = write_pose_csv(project(walk.pose, view="sagittal-left", rate_hz=30.0,
                                                             noise_px=1.0, seed=1), d / "pose_side.csv")
            if "back" in key[3]:
                files["back_video"] = write_pose_csv(project(walk.pose, view="frontal-back", rate_hz=30.0,
                                                             noise_px=1.0, seed=2), d / "pose_back.csv")
            made[key] = files
        return made[key]

    return make


def _video_input(spec: dict[str, Any], out: Path) -> dict[str, Path]:
    """A real clip, with its cached keypoints copied where ``assess`` looks for them."""
    if not SHARED_VIDEO.is_dir():
        pytest.skip("../shared/data not present (real gait videos)")
    video = SHARED_VIDEO / spec["side"]
    cache = POSE_CACHE / video.stem
    cache.mkdir(parents=True, exist_ok=True)
    from gaitscope.pipeline import _video_pose

    _video_pose(video, cache, backend="mediapipe", progress=False)  # reuses a valid cache, else refreshes it
    sub = out / "gait_side"
    sub.mkdir(parents=True, exist_ok=True)
    for f in cache.iterdir():
        if f.name.startswith("pose") and f.is_file():
            shutil.copy2(f, sub / f.name)
    return {"side_video": video}


# ----------------------------------------------------------------------------------------- running
def _run(pdir: Path, tmp_path: Path, phantom_inputs) -> dict[str, Any]:
    p = _persona(pdir)
    out = tmp_path / "out"
    spec = p["input"]
    inputs = phantom_inputs(spec, p["height_m"]) if spec["kind"] == "phantom" else _video_input(spec, out)
    intake = pdir / "intake.yaml" if (pdir / "intake.yaml").is_file() else None
    pdf = bool(p.get("pdf"))
    if pdf:
        from gaitscope.report import find_chromium

        if find_chromium() is None or shutil.which("pdftotext") is None:
            pdf = False
    res = assess(**inputs, intake=intake, height_m=p["height_m"], out_dir=out, overlay=False, pdf=pdf)
    pdf_text = None
    if pdf:
        pdf_text = subprocess.run(["pdftotext", "-layout", str(out / "report.pdf"), "-"], capture_output=True,
                                  text=True, timeout=60, check=True).stdout
    per_view = {}
    for sub in sorted(out.glob("gait_*")):
        for name in ("findings.json", "summary.json"):
            if (sub / name).is_file():
                per_view[f"{sub.name}/{name}"] = json.loads((sub / name).read_text(encoding="utf-8"))
    return {"doc": res.document, "html": (out / "report.html").read_text(encoding="utf-8"), "pdf": pdf_text,
            "per_view": per_view, "persona": p}


# ----------------------------------------------------------------------------------------- properties
def _items(doc: dict[str, Any]) -> list[dict[str, Any]]:
    plan = doc["plan"]
    return list(plan.get("exercises", [])) + list(plan.get("falls_programme", []))


def _never_all_clear_words(r: dict[str, Any]) -> None:
    line = r["doc"]["at_a_glance"]["plan_line"]
    assert "No corrective exercise needed" not in line and "No corrective exercise needed" not in r["html"]


def p_plan_given(r, _):
    plan = r["doc"]["plan"]
    assert not plan["withheld"] and (plan["exercises"] or plan["falls_programme"])


def p_not_withheld(r, _):
    assert not r["doc"]["plan"]["withheld"]


def p_no_exercise_anywhere(r, _):
    doc = r["doc"]
    assert doc["plan"]["withheld"] and doc["plan"]["exercises"] == [] and doc["plan"]["falls_programme"] == []
    for name, d in r["per_view"].items():  # per-view files hold patterns only
        text = json.dumps(d)
        assert "exercise_id" not in text and '"plan"' not in text.replace('"plan": []', ""), name
    assert "class='excard'" not in r["html"] and "id='falls-programme'" not in r["html"]
    names = [ex.name for ex in KB.exercises]
    for n in names:
        assert n not in r["html"], n
        if r["pdf"] is not None:
            assert " ".join(n.split()) not in " ".join(r["pdf"].split()), n
    if r["pdf"] is not None:
        assert "See a doctor now" in r["pdf"] and "withheld" in r["pdf"]


def p_red_flag(r, arg):
    doc = r["doc"]
    assert arg in [x["id"] for x in doc["red_flags"]]
    html = r["html"]
    assert "id='urgent'" in html and html.index("id='urgent'") < html.index("id='glance'")


def p_headline_withheld(r, _):
    assert r["doc"]["at_a_glance"]["plan_line"].startswith("Exercise plan withheld")


def p_no_floor_exercise(r, _):
    for it in _items(r["doc"]):
        assert it["position"] not in FLOOR_POSITIONS, it["exercise_id"]
        assert KB.exercise(it["exercise_id"]).position not in FLOOR_POSITIONS


def p_floor_exercise_allowed(r, _):
    assert "floor_transfer_unsafe" not in r["doc"]["contraindications"]
    assert not any("floor" in x["reason"] for x in r["doc"]["plan"]["excluded"])


def p_substitute_replaces_floor(r, _):
    subs = [it for it in r["doc"]["plan"]["exercises"] if it["replaces"]]
    assert subs, "no standing or chair version stood in for an excluded floor exercise"
    for it in subs:
        assert "standing or chair version" in it["why"]
        for x in it["replaces"]:
            assert KB.exercise(x).position in FLOOR_POSITIONS


def p_no_loaded_spine(r, _):
    for it in _items(r["doc"]):
        ex = KB.exercise(it["exercise_id"])
        assert it["exercise_id"] != "foam_rolling"
        if "osteoporosis" in ex.progression_avoid_if:
            assert it["progression"] == ex.safe_progression
        text = " ".join([it["progression"], it["instructions"]]).lower()
        assert "deadlift" not in text and "backpack" not in text and "hold a weight" not in text


def p_no_unsupervised_progression_after_fall(r, _):
    """A fall or poor balance: a progression that loads or narrows the base or removes the support (split squats:
    hand weights, the rear foot on a bench; marching without support; heel-to-toe walking with the eyes closed or
    backwards; a calf stretch on a step; barefoot walking on grass or sand) is swapped for its safe progression,
    which keeps a support and names a physiotherapist, in the JSON and in the HTML."""
    guarded = [it for it in _items(r["doc"])
               if {"falls", "poor_balance"} & set(KB.exercise(it["exercise_id"]).progression_avoid_if)]
    assert guarded, "no exercise with a falls-guarded progression in this plan: the property is not exercised"
    for it in guarded:
        ex = KB.exercise(it["exercise_id"])
        assert it["progression"] == ex.safe_progression, it["exercise_id"]
        assert ex.progression not in r["html"], f"{ex.id}: the unguarded progression is shown in the report"
    risky = ("without support", "eyes closed", "walk backwards", "on a step", "rear foot on a bench", "grass, sand",
             "hold weights")
    for it in _items(r["doc"]):
        if KB.exercise(it["exercise_id"]).programme:
            continue  # the falls programme reduces its support step by step, with the counter in reach
        text = it["progression"].lower()
        assert not any(w in text and "only" not in text for w in risky), (it["exercise_id"], it["progression"])


def p_falls_programme(r, _):
    plan = r["doc"]["plan"]
    assert len(plan["falls_programme"]) >= 4
    intro = plan["falls_intro"]
    assert "holding a kitchen counter" in intro and "physiotherapist" in intro and "someone nearby" in intro
    assert all(it["support"] for it in plan["falls_programme"])
    assert "id='falls-programme'" in r["html"]
    assert "Sherrington" in plan["falls_source"]


def p_balance_not_excluded_for_balance(r, _):
    for x in r["doc"]["plan"]["excluded"]:
        assert "balance" not in x["reason"] and "falls" not in x["reason"], x
    assert "poor_balance" not in r["doc"]["contraindications"]


def p_support_on_standing_exercises(r, _):
    standing = [it for it in r["doc"]["plan"]["exercises"] if it["position"] == "standing"]
    assert standing and all("counter" in it["support"] for it in standing)


def p_referral(r, arg):
    refs = {x["id"]: x for x in r["doc"]["safety"]["referrals"]}
    assert arg in refs
    assert "id='referrals'" in r["html"]


def p_advice(r, arg):
    assert arg in [a["id"] for a in r["doc"]["plan"]["advice"]]


def p_no_pregnancy_question_effect(r, _):
    assert "pregnancy" not in r["doc"]["contraindications"]
    assert not any("pregnan" in x["reason"] for x in r["doc"]["plan"]["excluded"])


def p_no_supine_exercise(r, _):
    assert "pregnancy" in r["doc"]["contraindications"]
    assert not SUPINE & {it["exercise_id"] for it in _items(r["doc"])}


def p_red_flags_checked(r, _):
    assert r["doc"]["red_flags_checked"] and "id='red-flags-unchecked'" not in r["html"]


def p_red_flags_not_checked(r, _):
    assert not r["doc"]["red_flags_checked"] and "id='red-flags-unchecked'" in r["html"]


def p_unsure_listed(r, _):
    unsure = r["doc"]["red_flags_unsure"]
    assert "Have you ever had cancer?" in unsure and "(you were not sure)" in r["html"]


def p_headline_not_all_clear(r, _):
    line = r["doc"]["at_a_glance"]["plan_line"]
    assert line.startswith(("Not an all-clear", "No plan:")) or r["doc"]["plan"]["exercises"], line
    if not r["doc"]["plan"]["exercises"]:
        assert line.startswith(("Not an all-clear", "No plan:")), line
    _never_all_clear_words(r)


def p_headline_says_safety_unchecked(r, _):
    g = r["doc"]["at_a_glance"]
    assert any("safety (red-flag) questions were not checked" in u for u in g["unchecked"])
    if not r["doc"]["plan"]["exercises"]:
        assert "safety (red-flag) questions were not checked" in g["plan_line"]


def p_headline_says_what_was_not_checked(r, _):
    g = r["doc"]["at_a_glance"]
    assert g["patterns_checked"] < 0.5 * g["patterns_total"], "the persona was meant to have little checked"
    assert f"only {g['patterns_checked']} of {g['patterns_total']} gait patterns could be checked" in g["plan_line"]
    assert "record what the report lists as missing" in g["plan_line"]


def p_headline_in_print(r, _):
    """The honest headline is what the printed page says (PDF text), not only the HTML."""
    if r["pdf"] is None:
        pytest.skip("no headless Chromium / pdftotext here to print the report")
    line = " ".join(r["doc"]["at_a_glance"]["plan_line"].split())
    text = " ".join(r["pdf"].split())
    assert line[:80] in text, line[:80]


def p_headline_all_clear_with_counts(r, _):
    g = r["doc"]["at_a_glance"]
    assert g["plan_line"].startswith(f"No pattern calling for corrective exercise was found in the "
                                     f"{g['patterns_checked']} of {g['patterns_total']}")
    assert g["patterns_checked"] >= 0.5 * g["patterns_total"] and not g["unchecked"]


def p_never_no_exercise_needed_when_little_checked(r, _):
    g = r["doc"]["at_a_glance"]
    _never_all_clear_words(r)
    if g["patterns_checked"] < 0.5 * g["patterns_total"] and not r["doc"]["plan"]["exercises"]:
        assert g["plan_line"].startswith(("Not an all-clear", "No plan:"))


def p_has_measured_contributor(r, _):
    assert any(c["basis"] in ("measured", "inferred") for c in r["doc"]["chain"]["contributors"])


def p_no_measured_contributor(r, _):
    cons = r["doc"]["chain"]["contributors"]
    assert cons and all(c["basis"] == "answered" for c in cons)


def p_answer_only_possible_and_ranked_below(r, _):
    cons = r["doc"]["chain"]["contributors"]
    answered = [c for c in cons if c["basis"] == "answered"]
    measured = [c for c in cons if c["basis"] != "answered"]
    assert answered, "no answer-only contributor to check"
    for c in answered:
        assert c["certainty"] == "possible (from your answers)" and c["reasoning"].startswith("Possible (from your answers")
    if measured:
        assert max(c["rank"] for c in measured) < min(c["rank"] for c in answered)
    assert "possible (from your answers)" in r["html"]
    assert "from your answers only (not measured)" in r["html"]  # the diagram legend
    for it in r["doc"]["plan"]["exercises"]:  # an exercise chosen for an answer says so
        for c in answered:
            if c["label"] in it["why"]:
                assert "possible contributor" in it["why"] or "possible (from your answers)" in it["why"]


PROPERTIES: dict[str, Callable[[dict[str, Any], str], None]] = {
    name[2:]: fn for name, fn in globals().items() if name.startswith("p_") and callable(fn)
}


def _always(r: dict[str, Any]) -> None:
    """Checked on every persona: one plan (per-view files hold patterns only); no causal wording."""
    for name, d in r["per_view"].items():
        if name.endswith("findings.json"):
            assert "plan" not in d and "chain" not in d, name
        else:
            assert "plan" not in d.get("findings", {}), name
    assert " causes " not in r["html"].lower()
    _no_praise_for_the_side_not_graded(r)


def _no_praise_for_the_side_not_graded(r: dict[str, Any]) -> None:
    """A value beyond 2 SD on the side that is not graded (``outside_not_graded``) is grey and says so, in every
    timing row of the side walk; nothing is called "better than average" (docs/report.md, "Norms and grading")."""
    import re

    from gaitscope.report.html import SPATIOTEMPORAL

    page = r["html"]
    assert "better than average" not in page.lower()
    for cell in re.findall(r"<td class='num'>.*?</td>", page):
        if "not-graded-word" in cell:
            assert 'class="dot none"' in cell and "dot green" not in cell, cell
    params = r["per_view"].get("gait_side/summary.json", {}).get("parameters", {})
    for key, label in SPATIOTEMPORAL:
        grades = [((params.get(key) or {}).get(side) or {}).get("grade") or {} for side in ("left", "right", "both")]
        if not any(g.get("grade") == "outside_not_graded" for g in grades):
            continue
        row = re.search(rf"<tr><td class='measure'>{re.escape(label)} <span.*?</tr>", page).group(0)
        for g in grades:
            if g.get("grade") == "outside_not_graded":
                assert f"{g['direction']}, not graded*" in row, row
        assert row.count("dot green") == sum(g.get("grade") == "within" for g in grades), row


@pytest.mark.parametrize(
    "pdir",
    [pytest.param(p, id=p.name, marks=[pytest.mark.slow] if _persona(p).get("slow") else []) for p in PERSONAS],
)
def test_persona(pdir, tmp_path, phantom_inputs):
    r = _run(pdir, tmp_path, phantom_inputs)
    _always(r)
    for prop in r["persona"]["expect"]:
        name, _, arg = prop.partition(":")
        PROPERTIES[name](r, arg)
