"""The report: one self-contained HTML file (no network: CSS inline, images as data URIs, no script).

Reads an :class:`~gaitscope.report.assessment.Assessment` only. Every text from the person (name, intake
answers) or from a file is HTML-escaped. Sections: 1 at a glance, 2 gait, 3 posture, 4 kinetic chain,
5 plan, 6 when to seek help, method, accuracy and limitations.
"""

from __future__ import annotations

import math
import re
import tomllib
from functools import lru_cache
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

from gaitscope.report.assessment import Assessment

#: Spatiotemporal rows (summary parameter, label); relative-scale twins are used when metres are absent.
SPATIOTEMPORAL = (
    ("speed_mps", "Walking speed"), ("cadence_spm", "Cadence (steps per minute)"), ("step_length_m", "Step length"),
    ("stride_length_m", "Stride length"), ("stride_time_s", "Stride time"), ("step_time_s", "Step time"),
    ("stance_pct", "Stance (foot on the ground)"), ("swing_pct", "Swing"),
    ("double_support_pct", "Double support (both feet down)"), ("single_support_pct", "Single-leg support"),
)
KINEMATIC = (
    ("knee_flex_ic_deg", "Knee bend when the foot lands"), ("knee_flex_loading_max_deg", "Knee bend in loading"),
    ("knee_flex_swing_max_deg", "Peak knee bend in swing"), ("knee_flex_stance_min_deg", "Least knee bend in stance"),
    ("hip_flex_ic_deg", "Hip flexion when the foot lands"), ("hip_ext_stance_max_deg", "Peak hip extension in stance"),
    ("ankle_dorsi_ic_deg", "Ankle angle when the foot lands"),
    ("ankle_plantar_pushoff_max_deg", "Ankle push-off (plantarflexion)"),
    ("foot_angle_ic_deg", "Foot angle at landing (+ heel first)"), ("toe_clearance_swing_min_m", "Toe clearance in swing"),
    ("trunk_lean_fwd_mean_deg", "Forward trunk lean"),
    ("ankle_dorsi_midstance_min_deg", "Ankle in mid-stance (- = rising on the toes: vaulting)"),
)
LEVEL_WORDS = {"strong": "strong evidence", "moderate": "moderate evidence", "limited": "limited evidence",
               "expert_opinion": "expert opinion"}
SIDE_CLASS = {"left": "left-c", "right": "right-c"}


#: An absolute file path inside a text (a message naming the input file): the client sees its name only.
_ABS_PATH = re.compile(r"(?<![\w/.:~-])(?:~|[A-Za-z]:)?[/\\](?:[^\s/\\:;,'\"<>()]+[/\\])+([^\s/\\:;,'\"<>()]+)")


def client_text(text: str) -> str:
    """``text`` with every absolute path replaced by the file's name (``/home/x/walk.mp4`` -> ``walk.mp4``)."""
    return _ABS_PATH.sub(lambda m: m.group(1), text)


def e(value: Any) -> str:
    """HTML-escape anything (None -> empty); absolute paths are shortened to the file's name."""
    return "" if value is None else escape(client_text(str(value)), quote=True)


@lru_cache(maxsize=1)
def report_knowledge() -> dict[str, Any]:
    """``knowledge/report.toml``: traffic-light rule, accuracy figures, limitations, when to seek help."""
    text = resources.files("gaitscope.knowledge").joinpath("report.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    data = {**data, **data.get("texts", {})}
    for key in ("traffic_light", "accuracy", "limitations", "seek_help", "seek_help_source"):
        if key not in data:
            raise ValueError(f"gaitscope/knowledge/report.toml lacks {key!r}")
    return data


def _css() -> str:
    return resources.files("gaitscope.report").joinpath("templates/report.css").read_text(encoding="utf-8")


def _fmt(v: Any, digits: int = 2, small: bool = False) -> str:
    """A number for the page; ``small``: values under 0.1 get 3 decimals (metres: 0.024 m, not "0.02")."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)) and digits == 0:
        return f"{v:.0f}"
    if isinstance(v, (int, float)):
        a = abs(v)
        d = 0 if a >= 100 else (1 if a >= 10 else digits)
        if small and 0 < a < 0.1:
            d = 3
        return f"{v:.{d}f}"
    return e(v)


def traffic_light(value: float | None, normal: Mapping[str, Any] | None, metric: str | None = None,
                  band: Mapping[str, Any] | None = None) -> str:
    """Direction-aware light (``gaitscope.patterns.grading``): ``green`` inside mean +- 2 SD of the reference,
    ``amber`` beyond 2 SD on the clinically worse side, ``red`` beyond 3 SD there; ``none`` (grey) beyond 2 SD
    on the side that is not graded (neither a warning nor praise), and without a value, a range, a grading
    direction for ``metric``, or for a reference not meant for the person (``adult_norm`` false)."""
    from gaitscope.patterns.grading import grade_value, grading_band

    if metric is None:
        return "none"
    band = band or grading_band(metric, normal)  # ``band``: the entry's own ``grading`` from summary.json
    g = grade_value(value, band)["grade"]
    if g in ("none", "outside_not_graded"):
        return "none"
    if band.get("via_cadence"):  # step or stride time: the light of the cadence it implies
        value, band = band["via_cadence"]["factor"] / value, band["via_cadence"]["band"]
    if g == "within":
        return "green"
    far = band["mean"] - 3 * band["sd"] if value < band["mean"] else band["mean"] + 3 * band["sd"]
    return "red" if (value < far if value < band["mean"] else value > far) else "amber"


def _dot(colour: str, title: str = "") -> str:
    return f'<span class="dot {colour}" title="{e(title or colour)}"></span>'


def _side(side: Any) -> str:
    if side in SIDE_CLASS:
        return f'<span class="{SIDE_CLASS[side]}">{e(side)}</span>'
    return e(side) if side else ""


def _sev(n: int) -> str:
    words = {1: "mild", 2: "moderate", 3: "severe"}
    return f'<span class="sev sev{n}">{words.get(n, "")}</span>' if n in words else ""


#: Plain words for metrics that appear in tables and evidence (others: the name without its unit suffix).
METRIC_WORDS = {
    "pelvic_drop_stance_max_deg": "Pelvic drop of the other side in single-leg stance (max)",
    "pelvic_obliquity_mean_deg": "Pelvic obliquity through the stride (mean; + this side higher)",
    "pelvic_obliquity_persistent_deg": "Pelvis height of this side, 80th percentile over the stride (- = lower most of the stride)",
    "trunk_lean_lat_stance_max_deg": "Sideways trunk lean over the stance leg (max)",
    "knee_fppa_stance_max_deg": "Knee inward angle in stance (frontal-plane projection, max; + valgus)",
    "step_width_m": "Step width", "step_width_rel": "Step width",
    "heel_eversion_deg": "Heel eversion from behind (rearfoot; + everted)",
    "circumduction_m": "Swing foot swinging outward (circumduction)",
    "ankle_dorsi_midstance_min_deg": "Ankle in mid-stance (rising on the toes = vaulting)",
    "arm_swing_amplitude_deg": "Arm swing (peak to peak)",
    "foot_progression_deg": "Foot progression (toe-out)",
    "foot_contact": "Heel-first contacts (share of strides)",
    "single_support_pct": "Single-leg support", "stance_pct": "Stance", "step_time_s": "Step time",
    "stride_time_s": "Stride time", "step_length_m": "Step length", "foot_angle_ic_deg": "Foot angle at landing",
}
#: Plain names of the posture measures (zero and sign: gaitscope.posture.measures.MEASURE_DOCS).
POSTURE_WORDS = {
    "head_tilt": "Head tilt", "shoulder_height_difference": "Shoulder height difference",
    "pelvic_obliquity": "Hip (pelvic) height difference", "knee_height_difference": "Knee height difference",
    "trunk_shift": "Sideways shift of the shoulders over the pelvis", "weight_shift": "Weight shift over the feet",
    "knee_frontal_alignment": "Knee alignment (valgus / varus)", "foot_turn_out": "Foot turn-out",
    "cva": "Craniovertebral angle (forward head)", "head_forward": "Ear ahead of the shoulder",
    "shoulder_ahead_of_plumb": "Shoulder ahead of the plumb line", "hip_ahead_of_plumb": "Hip ahead of the plumb line",
    "trunk_lean": "Trunk lean (forward +)", "knee_sagittal": "Knee bend (+) or hyperextension (-)",
}
_SUFFIXES = ("_rel_per_s", "_mps", "_spm", "_pct", "_deg", "_rel", "_s", "_m")


def _metric_words(metric: str) -> str:
    if metric in METRIC_WORDS:
        return METRIC_WORDS[metric]
    base = metric
    for suf in _SUFFIXES:
        if base.endswith(suf):
            base = base[: -len(suf)]
            break
    words = base.replace("_", " ")
    return words[:1].upper() + words[1:]


def _readable(ev: Mapping[str, Any]) -> Mapping[str, Any]:
    """Shares shown as percentages (``fraction of strides`` -> ``% of strides``)."""
    if str(ev.get("unit", "")).startswith("fraction"):
        scale = lambda v: round(v * 100) if isinstance(v, (int, float)) else v  # noqa: E731  (whole percents)
        return {**ev, "value": scale(ev.get("value")), "threshold": scale(ev.get("threshold")),
                "error": scale(ev.get("error")), "unit": "%" + str(ev["unit"])[len("fraction"):]}
    if ev.get("unit") == "ratio":  # a left/right ratio: say so (the note says which side is on top)
        return {**ev, "unit": "(ratio of the sides)"}
    return ev


def threshold_met(ev: Mapping[str, Any]) -> bool | None:
    """Whether the evidence's value passes its threshold (``value comparison threshold``); None if unknown."""
    from gaitscope.knowledge.loader import COMPARISONS, compare

    v, t, c = ev.get("value"), ev.get("threshold"), ev.get("comparison")
    if isinstance(v, bool) or isinstance(t, bool) or c not in COMPARISONS:
        return None
    return compare(v, str(c), t)


def _error_words(ev: Mapping[str, Any]) -> str:
    """``error 5 deg`` (the measurement error of the evidence's value, written out), or ``error not known``."""
    err = ev.get("error")
    if not isinstance(err, (int, float)) or isinstance(err, bool):
        return "error not known"
    unit = ev.get("unit", "")
    return f"error {_fmt(err, small=unit == 'm')}{'' if unit == '(ratio of the sides)' else ' ' + e(unit)}"


def _met_cell(ev: Mapping[str, Any]) -> str:
    met = threshold_met(ev)
    if met is None:
        return "<td class='met'>–</td>"
    return "<td class='met yes'>yes</td>" if met else "<td class='met no'>no</td>"


def _evidence_table(evidence: Iterable[Mapping[str, Any]]) -> str:
    rows = []
    for raw in evidence:
        ev = _readable(raw)  # shown in percents and words; met judged on the stored values
        rows.append(
            f"<tr><td>{e(_metric_words(ev.get('metric', '')))}{' – ' + _side(ev.get('side')) if ev.get('side') else ''}</td>"
            f"<td class='num'>{_fmt(ev.get('value'), small=ev.get('unit') == 'm')} {e(ev.get('unit', ''))}</td>"
            f"<td class='num err'>{_error_words(ev)}</td>"
            f"<td class='num'>{e(ev.get('comparison', ''))} {_fmt(ev.get('threshold'))}</td>{_met_cell(raw)}"
            f"<td class='small'>{e(ev.get('source', ''))}{('<br>' + e(ev.get('note'))) if ev.get('note') else ''}</td></tr>")
    if not rows:
        return ""
    return ("<table class='evidence'><tr><th>metric</th><th class='num'>value</th>"
            "<th class='num'>measurement error</th><th class='num'>threshold</th>"
            "<th title='does the value pass the threshold?'>met</th><th>source</th></tr>" + "".join(rows) + "</table>")


# ---------------------------------------------------------------------------------------- sections
def _header(doc: Mapping[str, Any]) -> str:
    c = doc.get("client", {})
    who = e(c.get("name")) if c.get("name") else "Client (no name given)"
    bits = []
    if c.get("age_years") is not None:
        bits.append(f"{c['age_years']:.0f} years")
    if c.get("sex"):
        bits.append(str(c["sex"]))
    if c.get("height_m") is not None:
        bits.append(f"height {c['height_m']:.2f} m")
    date = e(str(doc.get("created_utc", ""))[:10])
    return (f"<header class='top'><h1>Gait and posture screen</h1><div class='who'><strong>{who}</strong>"
            f"{' · ' + e(', '.join(bits)) if bits else ''}</div>"
            f"<div class='meta'>{date} · gaitscope {e(doc.get('gaitscope_version'))} · screening, not diagnosis</div></header>")


def _urgent(doc: Mapping[str, Any]) -> str:
    reds = doc.get("red_flags") or []
    if not reds:
        if doc.get("intake") is None:
            return ("<div class='box missing' id='red-flags-unchecked'><strong>Safety questions not answered.</strong> "
                    "Red flags (signs that need a doctor first) could not be checked; answer the intake "
                    "(<code>gaitscope intake</code>) before starting the exercises.</div>")
        if not doc.get("red_flags_checked"):
            items = "".join(f"<li>{e(t)}</li>" for t in doc.get("red_flags_unanswered", []))
            items += "".join(f"<li>{e(t)} <em>(you were not sure)</em></li>" for t in doc.get("red_flags_unsure", []))
            return ("<div class='box missing' id='red-flags-unchecked'><strong>Some safety questions were not "
                    "answered.</strong> Please answer them (with a clinician if unsure) before starting the "
                    f"exercises; a yes to any of them means seeing a doctor first:<ul>{items}</ul></div>")
        return ""
    items = "".join(f"<li><strong>{e(r['text'])}</strong> – {e(r['meaning'])}<br><span class='small'>{e(r['source'])}</span></li>"
                    for r in reds)
    return ("<section class='box urgent' id='urgent'><h2>See a doctor now</h2>"
            "<p>Your answers include a sign (below) that needs a doctor's assessment before any exercise. "
            "Please contact your doctor today (or emergency services if you have numbness around the back passage "
            "or genitals, or new loss of bladder or bowel control). <strong>The exercise plan is withheld</strong> "
            "until a clinician has reviewed you.</p><ul>" + items + "</ul></section>")


def _missing(doc: Mapping[str, Any]) -> str:
    miss = doc.get("missing") or []
    if not miss:
        return ""
    names = {"side_video": "Side-on walking video", "frontal_video": "Walking video from the front or back",
             "photos": "Standing posture photos", "intake": "Intake questions"}
    items = []
    for m in miss:
        status = {"missing": "not given", "failed": "could not be analysed", "partial": "only partly assessed"}.get(
            m.get("status"), "incomplete")
        msg = f" – {e(m['message'])}" if m.get("message") else ""
        items.append(f"<li><strong>{e(names.get(m['what'], m['what']))}</strong>: {status}{msg}. "
                     f"<em>Next time:</em> {e(m.get('record_next_time'))}</li>")
    return ("<div class='box missing' id='missing'><strong>Not assessed this time</strong> – these parts of the "
            "report are left out:<ul>" + "".join(items) + "</ul></div>")


def _glance(doc: Mapping[str, Any]) -> str:
    g = doc.get("at_a_glance", {})
    tops = []
    for f in g.get("top_findings", []):
        ev = _readable(f.get("evidence") or {})
        evs = (f" <span class='small glance-ev'>({e(_metric_words(ev.get('metric', '')))} {_fmt(ev.get('value'))} "
               f"{e(ev.get('unit', ''))}, {_error_words(ev)}; threshold {e(ev.get('comparison', ''))} "
               f"{_fmt(ev.get('threshold'))})</span>") if ev else ""
        side = f" – {_side(f['side'])}" if f.get("side") else ""
        desc = f"<br><span class='desc'>{e(f['description'])}</span>" if f.get("description") else ""
        tops.append(f"<li><strong>{e(f['title'])}</strong>{side} {_sev(f.get('severity', 0))}{desc}{evs}</li>")
    checked = [f for f in list(doc.get("patterns") or []) + list(doc.get("posture_findings") or [])
               if f.get("status") != "not_assessable"]
    if tops:
        top_html = "<ol>" + "".join(tops) + "</ol>"
    elif checked:
        n_all = len(doc.get("patterns") or []) + len(doc.get("posture_findings") or [])
        top_html = ("<p>No gait or posture pattern beyond the thresholds among those that could be checked"
                    + (f" (only {len(checked)} of {n_all}: sections 2 and 3 say why)" if len(checked) < n_all else "")
                    + ".</p>")
    else:
        top_html = ("<p><strong>No pattern could be checked</strong> with these recordings (sections 2 and 3 say "
                    "why), so this is not a normal result: see what to record next time.</p>")
    cons = []
    for c in g.get("contributors", []):
        side = f" – {_side(c['side'])}" if c.get("side") else ""
        lvl = c.get("evidence") or ""
        maybe = (" <em class='answered'>possible (from your answers)</em>" if c.get("basis") == "answered" else "")
        cons.append(f"<li>{e(c['label'])}{side}{maybe} <span class='ev {e(lvl)}'>{e(LEVEL_WORDS.get(lvl, 'no path to the back'))}</span></li>")
    con_html = "<ol>" + "".join(cons) + "</ol>" if cons else "<p>None identified.</p>"
    if cons and not tops:
        con_html += ("<p class='small'><strong>From your answers only:</strong> no movement finding supports these; "
                     "they are possibilities for a clinician to check, not findings.</p>")
    you = _you_told_us(doc)
    return ("<section id='glance'><h2><span class='num'>1</span>At a glance</h2><div class='glance'>"
            f"<div class='card'><h3>Most important findings</h3>{top_html}</div>"
            f"<div class='card'><h3>Likely upstream contributors</h3>{con_html}"
            "<p class='small'>Associated with the findings along the kinetic chain (section 4); not proven causes.</p></div>"
            f"<div class='card plan-line'><strong>Your plan in one line:</strong> {e(g.get('plan_line'))}</div>"
            f"</div>{you}</section>")


def _you_told_us(doc: Mapping[str, Any]) -> str:
    ik = doc.get("intake")
    if not ik:
        return ""
    a = ik.get("answers", {})
    rows = []
    if a.get("pain_regions"):
        rows.append(("Where it hurts", ", ".join(a["pain_regions"])))
    if a.get("pain_now") is not None or a.get("pain_worst") is not None:
        rows.append(("Pain (0-10)", f"now {_fmt(a.get('pain_now'), 0)}, worst last week {_fmt(a.get('pain_worst'), 0)}"))
    if a.get("pain_duration_weeks") is not None:
        rows.append(("For how long", f"{_fmt(a['pain_duration_weeks'], 0)} weeks"))
    if a.get("pain_worse_with"):
        rows.append(("Worse with", ", ".join(a["pain_worse_with"])))
    for act in a.get("functional_activities") or []:
        rows.append(("Hard activity (0-10)", f"{act['activity']}: {_fmt(act['score'], 0)}"))
    yes = [k.replace("_", " ") for k, v in a.items() if v is True]  # every yes/no question answered yes
    if yes:
        rows.append(("Answered yes", ", ".join(yes)))
    if a.get("sitting_hours_per_day") is not None:
        rows.append(("Sitting per day", f"{_fmt(a['sitting_hours_per_day'], 0)} hours"))
    if a.get("sleeping_position"):
        rows.append(("Sleeping position", a["sleeping_position"]))
    flags = [f.removeprefix("intake.").replace("_", " ") for f in doc.get("intake_flags", [])]
    if flags:
        rows.append(("Answers used in the reasoning", ", ".join(flags)))
    for key, label in (("surgery", "Operations"), ("footwear", "Footwear"), ("notes", "Notes")):
        if a.get(key):
            rows.append((label, a[key]))
    qrows = []
    for q in doc.get("questionnaires", []):
        sub = f"; {e(q['subscore_name'])} {_fmt(q['subscore'], 0)}" if q.get("subscore") is not None else ""
        band = e(q["band"]) if q.get("band") else "no published severity bands (higher = more disability)"
        qrows.append(f"<tr><td>{e(q['name'])}</td><td class='num'>{_fmt(q['score'], 0)} {e(q['unit'])} "
                     f"(of {_fmt(q['max'], 0)}){sub}</td><td>{band}{('<br><span class=small>' + e(q['change']) + '</span>') if q.get('change') else ''}</td>"
                     f"<td class='small'>{e(q['source'])}</td></tr>")
    body = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
    qt = ("<table><tr><th>Questionnaire</th><th class='num'>score</th><th>published band</th><th>source</th></tr>"
          + "".join(qrows) + "</table>") if qrows else ""
    if not body and not qt:
        return ""
    return f"<h3>What you told us</h3><table class='intake'>{body}</table>{qt}"


def _param_rows(params: Mapping[str, Any], keys: Iterable[tuple[str, str]], amber_sd: float = 0.0) -> str:
    """The parameter table: per side the mean (SD), its grade with direction, the symmetry index, the
    measurement error and the reference range. Laid out to fit 1000 px of text width: the unit sits under
    the measure's name, words that qualify a number wrap under it, and what every row shares (the kind of
    input behind the error, "mean, 1 SD either side") is said once in the header."""
    rows = []
    sources: list[str] = []
    inputs: set[str] = set()
    ungraded: dict[str, tuple[str, str, list[tuple[str, float, str]]]] = {}  # metric -> (label, unit, sides)
    for key, label in keys:
        p = params.get(key)
        if p is None and key.endswith("_m"):
            key = key[:-2] + "_rel"
            p = params.get(key)
        if not isinstance(p, Mapping):
            continue
        normal = p.get("normal_range") if isinstance(p.get("normal_range"), Mapping) else None
        unit = str(p.get("unit") or "")
        cells = []
        for side in ("left", "right", "both"):
            d = p.get(side) or {}
            m = d.get("mean")
            if m is None:
                cells.append("<td class='num'>–</td>")
                continue
            metres = key.endswith("_m")
            sd = f" <span class='small'>(SD {_fmt(d.get('sd'), small=metres)})</span>" if d.get("sd") is not None else ""
            if d.get("quality") == "far":
                cells.append(f"<td class='num far' title='{e(d.get('quality_reason'))}'>{_fmt(m, small=metres)}{sd}"
                             "<span class='small note one'>far leg, not graded</span></td>")
                continue
            light = traffic_light(m, normal, key, band=p.get("grading"))
            g = d.get("grade") or {}
            word, dot_title = "", ""
            if g.get("grade") == "outside":
                word = (f"<span class='small note one grade-word'>{'lower' if g.get('direction') == 'lower' else 'higher'}"
                        " than 2 SD</span>")
            elif g.get("grade") == "outside_not_graded":
                ungraded.setdefault(key, (label, unit, []))[2].append((side, m, g.get("direction")))
                dot_title = NOT_GRADED_TITLE
                word = (f"<span class='small note one not-graded-word' title='{e(NOT_GRADED_TITLE)}'>"
                        f"{'lower' if g.get('direction') == 'lower' else 'higher'}, not graded*</span>")
            cells.append(f"<td class='num'>{_dot(light, dot_title)}{_fmt(m, small=metres)}{sd}{word}</td>")
        sym = p.get("symmetry") or {}
        si = sym.get("symmetry_index_pct")
        if si is not None:
            si_cell = _fmt(si, 1)
        elif p.get("symmetry_not_computed"):
            si_cell = f"<span class='small' title='{e(p['symmetry_not_computed'])}'>not compared</span>"
        else:
            si_cell = "–"
        err = p.get("error") or {}
        if err.get("value") is not None:
            inputs.add("video" if err.get("input") == "video" else "lab markers")
            err_cell = (f"<span class='unit'>error {_fmt(err.get('value'), small=key.endswith('_m'))}</span> "
                        f"{e(unit)}")
        else:
            err_cell = "<span class='small'>error not measured</span>"
        if normal and normal.get("source") and normal["source"] not in sources:
            sources.append(normal["source"])
        mark = f"<sup>{sources.index(normal['source']) + 1}</sup>" if normal and normal.get("source") else ""
        grading = p.get("grading") or {}
        if normal and normal.get("adult_norm") is False:
            rng = (f"no adult norm<span class='small note'>children: {_fmt(normal['low'])} – "
                   f"{_fmt(normal['high'])}{mark}</span>")
        elif normal:
            # one short line under the range: the limit in the clinically worse direction only
            how = ""
            if grading.get("limit_low") is not None and grading.get("limit_high") is not None:
                how = f"graded below {_fmt(grading['limit_low'])} or above {_fmt(grading['limit_high'])}"
            elif grading.get("limit_low") is not None:
                how = f"graded only below {_fmt(grading['limit_low'])}"
            elif grading.get("limit_high") is not None:
                how = f"graded only above {_fmt(grading['limit_high'])}"
            else:
                how = "not graded (no worse side)"
            rng = (f"{_fmt(normal['low'])} – {_fmt(normal['high'])}{mark}"
                   f"<span class='small note'>{e(how)}</span>")
        else:
            rng = "<span class='small'>no norm</span>"
        rows.append(f"<tr><td class='measure'>{e(label)} <span class='small unit'>{e(unit)}</span></td>{''.join(cells)}"
                    f"<td class='num'>{si_cell}</td><td class='num err'>{err_cell}</td><td class='ref'>{rng}</td></tr>")
    if not rows:
        return ""
    kind = " or ".join(sorted(inputs))
    return ("<table class='params'><tr><th>measure <span class='small'>(unit)</span></th>"
            "<th class='num left-c'>left</th><th class='num right-c'>right</th><th class='num'>both</th>"
            "<th class='num wrap'>symmetry index %</th>"
            f"<th class='num wrap'>measurement error{(' <span class=small>(' + e(kind) + ')</span>') if kind else ''}</th>"
            "<th class='wrap'>reference range <span class='small'>(mean, 1 SD either side)</span></th></tr>"
            + "".join(rows) + "</table>"
            + "".join(f"<div class='small'><sup>{i}</sup> {e(src)}</div>" for i, src in enumerate(sources, 1))
            + "".join(f"<p class='small not-graded'>* {e(_not_graded_note(params[k], *v))}</p>" for k, v in ungraded.items()))


#: The tooltip of a value beyond 2 SD on the side that is not graded (grey dot, no praise word).
NOT_GRADED_TITLE = ("more than 2 SD from the reference mean, on the side our sources do not grade: not a warning, "
                    "and no source calls it better (see the note under the table)")


def _not_graded_note(p: Mapping[str, Any], label: str, unit: str, sides: list[tuple[str, float, str]]) -> str:
    """The sentence under a parameter table for values beyond 2 SD on the side that is not graded: where they lie,
    why they are not graded (the grading source), and, when the metric's measurement error is at least
    ``error_note_sd_fraction`` of the reference SD (``knowledge/report.toml``), that they may be measurement error."""
    from gaitscope.patterns.grading import GRADE_SD, load_grading, ungraded_limit

    band = p.get("grading") or {}
    metres = unit == "m"
    parts = []
    for direction in ("lower", "higher"):
        at = [f"{side} {_fmt(m, small=metres)}" for side, m, d in sides if d == direction]
        if not at:
            continue
        limit = ungraded_limit(band) if band else None
        where = f" ({'below' if direction == 'lower' else 'above'} {_fmt(limit, small=metres)} {unit})" if limit is not None else ""
        parts.append(f"{', '.join(at)} {unit}: {direction} than the reference mean by more than {GRADE_SD:g} SD"
                     f"{where}")
    graded = {"low": "lower", "high": "higher"}.get(str(band.get("worse")), "")
    source = str(band.get("source") or "knowledge/grading.csv")
    if source.startswith("as "):  # "as speed_mps": the row it refers to
        source = load_grading().get(source[3:].strip(), {}).get("source", source)
    text = (f"{label}, {'; '.join(parts)}. Not graded in this direction: only {graded} values are graded "
            f"({source}). A value this far out on the other side is unusual, and our sources give no basis to call "
            "it better.")
    err = p.get("error") or {}
    frac = float(report_knowledge()["traffic_light"]["error_note_sd_fraction"])
    sd = band.get("sd")
    if isinstance(err.get("value"), (int, float)) and isinstance(sd, (int, float)) and err["value"] >= frac * sd:
        what = err.get("what") or "typical error of one stride's value"
        text += (f" The measurement error ({what}: {_fmt(err['value'], small=metres)} "
                 f"{err.get('unit') or unit}) is at least {'half' if frac == 0.5 else f'{frac:g} times'} the reference SD ({_fmt(sd, small=metres)}), so the "
                 "value may reflect measurement error.")
    return text


def _not_measurable(summary: Mapping[str, Any]) -> str:
    na = [d for d in summary.get("not_assessable") or [] if isinstance(d, Mapping)]
    if not na:
        return ""
    items = "".join(f"<li><strong>{e(', '.join(_metric_words(w.strip()) for w in str(d.get('what', '')).split(',')))}</strong>: "
                    f"{e(d.get('reason'))}</li>" for d in na)
    return f"<details class='small'><summary>Not measurable from this recording ({len(na)})</summary><ul>{items}</ul></details>"


def _overlay_link(doc: Mapping[str, Any], role: str) -> str:
    """A link to the overlay video beside the report (same folder: the link survives moving the folder)."""
    name = (doc.get("files") or {}).get(f"overlay_{role}")
    if not name:
        return ""
    name = Path(str(name)).name
    return (f"<p class='overlay'>Watch the walk with the tracked skeleton and each gait event named as it happens "
            f"(the foot that lands or lifts off, in its side's colour): <a href='{e(name)}'>{e(name)}</a> "
            "(in this report's folder).</p>")


def _stills_html(a: Assessment, view: str) -> str:
    from gaitscope.report.svg import still_svg

    figs = []
    for st in sorted(a.stills, key=lambda st: st.t_s):
        if st.view != view:
            continue
        svg = still_svg(st.keypoints, st.image_size_px, image=st.image, label=st.label)
        src = "video frame" if st.image is not None else "keypoints on a blank canvas"
        figs.append(f"<figure class='still'>{svg}<figcaption>{e(st.label)}<br>t = {st.t_s:.2f} s "
                    f"(frame {st.frame}; {src})</figcaption></figure>")
    return "<div class='stills'>" + "".join(figs) + "</div>" if figs else ""


def _finding_block(f: Mapping[str, Any], title: str) -> str:
    status = f.get("status")
    head = {"present": "present", "absent": "not seen", "not_assessable": "not assessable"}.get(status, status)
    side = f" – {_side(f['side'])}" if f.get("side") else ""
    reason = f"<p class='small'>{e(f.get('reason'))}</p>" if f.get("reason") else ""
    evidence = list(f.get("evidence", []))
    if status == "present" and f.get("side") in ("left", "right"):  # the finding's side; the rest is in assessment.json
        own = [ev for ev in evidence if ev.get("for_side", ev.get("side")) in (None, f["side"])]
        if own and len(own) < len(evidence):
            reason += f"<p class='small'>Evidence of the {e(f['side'])} side shown; the other side's values are in assessment.json.</p>"
            evidence = own
    return (f"<div class='finding {e(status)}'><h4>{e(title)}{side} · {e(head)} {_sev(f.get('severity', 0)) if status == 'present' else ''}</h4>"
            f"{reason}{_evidence_table(evidence)}</div>")


def _pattern_titles() -> dict[str, str]:
    from gaitscope.knowledge.loader import load_knowledge

    return {p.code: p.name for p in load_knowledge().patterns}


def _timing_legend() -> str:
    return (f"<p class='legend'>{_dot('green')}within 2 SD of the reference mean "
            f"{_dot('amber')}more than 2 SD away on the worse side {_dot('red')}more than 3 SD away on the "
            f"worse side {_dot('none')}not graded (no norm for this person, the far leg, or more than 2 SD away on "
            "the side our sources do not grade: unusual, not better; see the note under the table). "
            f"{e(report_knowledge()['traffic_light']['rule'])}. Values are means over strides with the "
            "stride-to-stride standard deviation (SD) in brackets; the measurement error is that of one "
            "stride's value. Symmetry index = |left − right| / mean × 100. A grey value marked \"far leg\" is "
            "from the leg farther from the camera in a side-on video, partly hidden behind the near leg: an "
            "estimate, not graded and not compared with the other side.</p>")


def _gait(a: Assessment, amber_sd: float) -> str:
    from gaitscope.report.figures import angle_curves_uri

    doc = a.document
    g = doc.get("gait", {})
    side, fr = g.get("side", {}), g.get("frontal", {})
    out = ["<section id='gait' class='major'><h2><span class='num'>2</span>Gait</h2>"]
    if side.get("status") == "analysed":
        s = side["summary"]
        n = s.get("n_cycles", {})
        scale = "metres (from your height)" if s.get("spatial_scale") == "metres" else "relative to body height (no height given)"
        out.append(f"<p>Side-on walk: view <strong>{e(s.get('view'))}</strong>, {e(s.get('n_passes_usable'))} usable "
                   f"pass(es), <span class='left-c'>{e(n.get('left'))} left</span> and <span class='right-c'>{e(n.get('right'))} right</span> strides; "
                   f"lengths in {e(scale)}. Normal ranges: {e((s.get('reference') or {}).get('spatiotemporal_group', ''))}.</p>")
        out.append("<h3>The walk at key moments</h3>" + _stills_html(a, "side") + _overlay_link(doc, "side"))
        out.append("<h3>Timing and distance</h3>")
        out.append(_param_rows(s.get("parameters", {}), SPATIOTEMPORAL, amber_sd))
        out.append(_timing_legend())
        ref = s.get("reference") or {}
        if ref.get("age_note"):
            out.append(f"<p class='small'><strong>{e(ref['age_note'])}.</strong></p>")
        st = {sd: (s.get("parameters", {}).get("stance_pct", {}).get(sd) or {}).get("mean") for sd in ("left", "right")}
        uri = angle_curves_uri(s.get("curves", {}), {k: v for k, v in st.items() if v is not None})
        if uri:
            src = ((s.get("curves", {}).get("knee_flex_deg") or {}).get("normal") or {}).get("source", "")
            out.append(f"<h3>Joint angles over the gait cycle</h3><figure class='plot'><img alt='joint-angle curves' src='{uri}'>"
                       f"<figcaption>Mean with 1 SD either side per side (<span class='left-c'>left</span>, <span class='right-c'>right</span>); "
                       f"grey band: {'reference' if ((s.get('curves', {}).get('knee_flex_deg') or {}).get('normal') or {}).get('adult_norm') is not False else 'children and adolescents, not an adult norm'}, mean with 1 SD either side ({e(src)}); dotted line: toe-off. Hip and ankle levels from one camera "
                       "can differ from lab values by a constant offset (section 6). The axes cover the normal band and "
                       "most of each curve; a brief tracking glitch in a mean of few strides can run off the plot.</figcaption></figure>")
        out.append("<h3>Joint angles at key moments</h3>" + _param_rows(s.get("parameters", {}), KINEMATIC, amber_sd))
        out.append(_not_measurable(s))
    else:
        out.append(f"<p><strong>No side-on walk analysed</strong>{(': ' + e(side.get('message'))) if side.get('message') else ''}. "
                   f"{e(side.get('record_next_time'))}</p>")
    out.append("<h3>Frontal plane (from the front or back)</h3>")
    if fr.get("status") == "analysed":
        s = fr["summary"]
        frontal_keys = [(k, _metric_words(k)) for k in s.get("parameters", {}) if k not in dict(SPATIOTEMPORAL)
                        and k not in dict(KINEMATIC) and not k.endswith(("_rel", "_rel_per_s"))]
        table = _param_rows(s.get("parameters", {}), frontal_keys, amber_sd)
        out.append(f"<p>Walk filmed from the {e(fr.get('camera', 'front'))}: view {e(s.get('view'))}.</p>")
        out.append(_stills_html(a, "frontal") + _overlay_link(doc, "frontal"))
        out.append(table or "<p>No frontal measure could be computed from this recording.</p>")
        timing = _param_rows(s.get("parameters", {}), SPATIOTEMPORAL, amber_sd) if side.get("status") != "analysed" else ""
        if timing:  # no side walk: the timing read from the front (the shoes' own motion, docs/frontal.md)
            out.append("<h4>Timing from the front</h4>" + timing + _timing_legend())
        out.append(_not_measurable(s))
    else:
        out.append(f"<p><strong>No frontal walk analysed</strong>{(': ' + e(fr.get('message'))) if fr.get('message') else ''}. "
                   f"{e(fr.get('record_next_time'))}</p>")
    titles = _pattern_titles()
    pats = doc.get("patterns", [])
    present = [p for p in pats if p.get("status") == "present"]
    absent = [p for p in pats if p.get("status") == "absent"]
    nas = [p for p in pats if p.get("status") == "not_assessable"]
    out.append("<h3>Gait patterns and their evidence</h3>")
    if pats:
        out.append(f"<p class='small'>{len(pats) - len(nas)} of {len(pats)} patterns could be checked with these "
                   "recordings. <em>met</em>: whether the value passes that threshold; each pattern's rule says which "
                   "values must pass (docs/knowledge.md), so a row that is not met can be part of the picture.</p>")
    if present:
        out.extend(_finding_block(p, titles.get(p["code"], p["code"])) for p in present)
    elif not pats:
        out.append("<p>No gait pattern was checked: no walk was analysed.</p>")
    elif not absent:
        out.append("<p><strong>No gait pattern could be checked</strong> with these recordings (reasons below), "
                   "so this is not a normal result.</p>")
    else:
        out.append("<p>No gait pattern crossed its threshold among those that could be checked.</p>")
    if absent:
        out.append("<details><summary>Checked and not seen (" + str(len(absent)) + ")</summary>"
                   + "".join(_finding_block(p, titles.get(p["code"], p["code"])) for p in absent) + "</details>")
    if nas:
        out.append("<details><summary>Could not be checked with these recordings (" + str(len(nas)) + ")</summary><ul>"
                   + "".join(f"<li><strong>{e(titles.get(p['code'], p['code']))}</strong>: {e(p.get('reason'))}</li>" for p in nas)
                   + "</ul></details>")
    out.append("</section>")
    return "".join(out)


def _posture(a: Assessment) -> str:
    from gaitscope.report.svg import file_data_uri

    doc = a.document
    p = doc.get("posture", {})
    out = ["<section id='posture' class='major'><h2><span class='num'>3</span>Standing posture</h2>"]
    if p.get("status") != "analysed":
        out.append(f"<p><strong>No posture photos analysed</strong>{(': ' + e(p.get('message'))) if p.get('message') else ''}. "
                   f"{e(p.get('record_next_time'))}</p></section>")
        return "".join(out)
    pj = p.get("posture", {})
    figs = []
    for view, path in a.posture_images.items():
        path = Path(path)
        if path.is_file():
            figs.append(f"<figure><img alt='{e(view)} posture' src='{file_data_uri(path.read_bytes(), 'image/jpeg')}'>"
                        f"<figcaption>{e(view)} view: plumb line and level lines</figcaption></figure>")
    if figs:
        out.append("<div class='photos'>" + "".join(figs) + "</div>")
    from gaitscope.posture.measures import MEASURE_DOCS

    rows = []
    for m in pj.get("measures", []):
        cm = f"{_fmt(m.get('value_cm'), 1)} ± {_fmt(m.get('error_cm'), 1)} cm" if m.get("value_cm") is not None else ""
        name = str(m.get("name", ""))
        sign = MEASURE_DOCS.get(name, "")
        rows.append(f"<tr><td>{e(m.get('view'))}</td><td>{e(POSTURE_WORDS.get(name, name.replace('_', ' ')))}"
                    f"{(' – ' + _side(m.get('side'))) if m.get('side') else ''}"
                    f"{('<br><span class=small>' + e(sign) + '</span>') if sign else ''}</td>"
                    f"<td class='num'>{_fmt(m.get('value_deg'), 1)} ± {_fmt(m.get('error_deg'), 1)} deg</td>"
                    f"<td class='num'>{cm}</td><td class='small'>{e(m.get('note', ''))}</td></tr>")
    if rows:
        out.append("<table><tr><th>view</th><th>measure</th><th class='num'>angle</th><th class='num'>distance</th>"
                   "<th>note</th></tr>" + "".join(rows) + "</table>")
    from gaitscope.posture.findings import FINDING_CODES

    present = [f for f in doc.get("posture_findings", []) if f.get("status") == "present"]
    for f in present:
        out.append(_finding_block(f, "Standing: " + FINDING_CODES.get(f["code"], f["code"]).split(";")[0]))
    checked = [f for f in doc.get("posture_findings", []) if f.get("status") != "not_assessable"]
    if not present and checked:
        out.append("<p>No standing-posture finding beyond the measurement error among those that could be checked "
                   f"({len(checked)} of {len(doc.get('posture_findings', []))}).</p>")
    elif not present:
        out.append("<p><strong>No standing-posture finding could be checked</strong> with these photos (see the "
                   "photo quality notes below), so this is not a normal result.</p>")
    pt = pj.get("posture_type") or {}
    if pt:
        out.append(f"<p>Posture type (Kendall): <strong>{e(pt.get('type'))}</strong>"
                   f"{(' – ' + e(pt.get('reason'))) if pt.get('reason') else ''}</p>")
    notes = [q for v in (pj.get("views") or {}).values() for q in v.get("quality", [])]
    if notes:
        out.append("<div class='small'>Photo quality:<ul>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul></div>")
    if p.get("record_next_time"):
        out.append(f"<p class='small'>{e(p['record_next_time'])}</p>")
    out.append("</section>")
    return "".join(out)


def _chain(doc: Mapping[str, Any]) -> str:
    from gaitscope.knowledge.loader import load_knowledge
    from gaitscope.report.svg import chain_svg

    kb = load_knowledge()
    ch = doc.get("chain", {})
    out = ["<section id='chain' class='major'><h2><span class='num'>4</span>The kinetic chain: foot to lower back</h2>"]
    if not ch.get("active_nodes"):
        out.append("<p>No finding or answer involved the kinetic chain, so no upstream contributor is suggested.</p></section>")
        return "".join(out)
    svg = chain_svg(list(kb.nodes.values()), list(kb.edges), ch)
    out += [f"<div class='chain'>{svg}</div>",
           "<p class='legend'>Filled boxes: involved. Dark: measured in your recordings; light: inferred upstream of "
           "what was measured; grey with a dotted border: possible, from your answers only (not measured). "
           "Dashed boxes: links on a contributor's path, not seen themselves. "
           "Numbers: likely contributors in rank order. Coloured arrows: each contributor's path to the lower back, read "
           "\"is associated with\" and coloured by evidence (thin grey: other links between involved boxes): "
           "<span class='ev strong'>strong</span> <span class='ev moderate'>moderate</span> "
           "<span class='ev limited'>limited</span> <span class='ev expert_opinion'>expert opinion</span>.</p>"]
    cons = ch.get("contributors", [])
    if not cons:
        out.append("<p>No finding pointed to an upstream contributor.</p>")
    for c in cons:
        steps = "".join(f"<li>{e(kb.nodes[s['source']].label)} → {e(kb.nodes[s['target']].label)}: {e(s['mechanism'])} "
                        f"<span class='ev {e(s['evidence'])}'>{e(LEVEL_WORDS.get(s['evidence'], s['evidence']))}</span>"
                        f"<br><span class='small'>{e('; '.join(s.get('sources', [])))}</span></li>" for s in c.get("steps", []))
        side = f" – {_side(c['side'])}" if c.get("side") else ""
        lvl = c.get("evidence") or ""
        cert = f" <em class='certainty'>{e(c['certainty'])}</em>" if c.get("certainty") else ""
        out.append(f"<div class='contrib'><h4>{e(c['rank'])}. {e(c['label'])}{side}{cert} "
                   f"<span class='ev {e(lvl)}'>{e(LEVEL_WORDS.get(lvl, 'no evidenced path to the back'))}</span></h4>"
                   f"<p>{e(c['reasoning'])}</p>"
                   + (f"<details><summary>How each link is known</summary><ul>{steps}</ul></details>" if steps else "")
                   + "</div>")
    out.append("</section>")
    return "".join(out)


def _plan(doc: Mapping[str, Any]) -> str:
    plan = doc.get("plan", {})
    out = ["<section id='plan' class='major'><h2><span class='num'>5</span>Your plan</h2>"]
    if plan.get("withheld"):
        out.append("<div class='box withheld' id='plan-withheld'><strong>Exercise plan withheld.</strong> "
                   f"{e(plan.get('urgent_message'))}</div></section>")
        return "".join(out)
    refs = (doc.get("safety") or {}).get("referrals", [])
    if refs:
        out.append("<div class='box referral' id='referrals'><strong>Please also see a professional:</strong><ul>"
                   + "".join(f"<li>{e(r['text'])}<br><span class='small'>{e(r['source'])}</span></li>" for r in refs)
                   + "</ul></div>")
    exs = plan.get("exercises", [])

    def card(x: Mapping[str, Any]) -> str:
        contra = "".join(str(c).strip().rstrip(".") + ". " for c in x.get("contraindications", [])).strip()
        support = f"<dt>Safety</dt><dd><strong>{e(x['support'])}</strong></dd>" if x.get("support") else ""
        return (f"<div class='excard'><h4>{e(x['order'])}. {e(x['name'])}</h4><div class='dose'>{e(x['dose'])}</div>"
                f"<dl>{support}<dt>What</dt><dd>{e(x['instructions'])}</dd><dt>Why</dt><dd>{e(x['why'])}</dd>"
                f"<dt>When it gets easy</dt><dd>{e(x['progression'])}</dd>"
                + (f"<dt>If it is too hard</dt><dd>{e(x['regression'])}</dd>" if x.get("regression") else "") +
                f"<dt>Avoid if</dt><dd>{e(contra) or 'no specific precaution'}</dd></dl>"
                f"<div class='small'>{e(x.get('source', ''))}</div></div>")

    if plan.get("falls_programme"):
        out.append(f"<div id='falls-programme'><h3>{e(plan.get('falls_title'))}</h3>"
                   f"<p><strong>{e(plan.get('falls_intro'))}</strong></p><div class='cards'>"
                   + "".join(card(x) for x in plan["falls_programme"])
                   + f"</div><p class='small'>{e(plan.get('falls_source'))}</p></div>")
    if exs:
        if plan.get("falls_programme"):
            out.append("<h3>Corrective exercises for what was found</h3>")
        out.append("<p>Do them in this order, as often as each card says. Mild discomfort is fine; stop if pain is sharp or spreads down a leg.</p><div class='cards'>")
        for x in exs:
            out.append(card(x))
        out.append("</div>")
    for n in plan.get("notes", []):
        out.append(f"<p>{e(n)}</p>")
    if plan.get("excluded"):
        out.append("<p class='small'>Left out because of your answers: " + "; ".join(
            f"{e(x['exercise_id'].replace('_', ' '))} ({e(x['reason'])})" for x in plan["excluded"]) + "</p>")
    adv = plan.get("advice", [])
    if adv:
        out.append("<h3>Footwear, habits and re-testing</h3><table><tr><th>advice</th><th>why</th><th>source</th></tr>")
        for x in adv:
            out.append(f"<tr><td><strong>{e(x['title'])}</strong><br>{e(x['text'])}</td><td class='small'>{e(x['why'])}</td>"
                       f"<td class='small'>{e(x['source'])}</td></tr>")
        out.append("</table>")
    out.append("</section>")
    return "".join(out)


def _help_method(doc: Mapping[str, Any]) -> str:
    rk = report_knowledge()
    help_items = "".join(f"<li>{e(t)}</li>" for t in rk["seek_help"])
    acc = "".join(f"<tr><td>{e(x['measure'])}</td><td>{e(x['value'])}</td><td class='small'>{e(x['reference'])}</td></tr>"
                  for x in rk["accuracy"])
    from gaitscope.knowledge.analysis_settings import analysis_setting

    n_min = int(analysis_setting("min_strides_variability"))
    lim = "".join(f"<li>{e(t.replace('{min_strides}', str(n_min)))}</li>" for t in rk["limitations"])
    k = doc.get("knowledge", {})
    files = ", ".join(e(v) for v in (doc.get("files") or {}).values())
    return (
        "<section id='help' class='major'><h2><span class='num'>6</span>When to seek professional help</h2>"
        f"<ul>{help_items}</ul><p class='small'>{e(rk['seek_help_source'])}</p>"
        "<h3>How this was measured</h3>"
        "<p>A pose model finds body landmarks in each video frame (or the keypoints are read from the file); the "
        "walk is cleaned and split into straight passes; foot contacts are detected from the feet's motion; "
        "timing, lengths (scaled from your height) and joint angles are measured per stride and compared with "
        "published normal ranges. Pattern rules with published or stated thresholds give the findings; a "
        "reviewed knowledge graph links them to likely contributors with the evidence level of each link; the plan "
        "is chosen from the contributors.</p>"
        "<h3>Measured accuracy</h3><table><tr><th>measure</th><th>error</th><th>against</th></tr>" + acc + "</table>"
        "<p class='small'>From docs/accuracy.md (benchmarks/accuracy.py reproduces every number).</p>"
        f"<h3>Limitations</h3><ul>{lim}</ul>"
        # the closing note and the version line stay together, so a printed report never ends
        # on a page holding only the version line
        f"<div class='closing'><p><strong>{e(doc.get('screening_note'))}</strong></p>"
        f"<footer>gaitscope {e(doc.get('gaitscope_version'))} · assessment schema {e(doc.get('schema_version'))} · "
        f"knowledge {e(k.get('chain_patterns_exercises'))}, intake {e(k.get('intake'))}"
        f"{' · files: ' + files if files else ''}</footer></div></section>"
    )


def _since_last(doc: Mapping[str, Any]) -> str:
    """'Since the last assessment' (``doc["progress"]``, gaitscope.progress): the values that changed beyond
    the stride-to-stride noise, walking speed always, and the findings resolved, new or persisting."""
    pr = doc.get("progress")
    if not pr:
        return ""
    first = pr["sessions"][0]

    def fmt(v: Any) -> str:
        return "–" if v is None else (f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}")

    def err(v: Any, er: Any) -> str:  # the measurement error under the number, written out (never a bare "±")
        if v is None:
            return ""
        return (f"<br><span class='small'>error {fmt(er)}</span>" if er is not None
                else "<br><span class='small'>error not known</span>")

    rows = []
    for r in pr["metrics"]:
        if r["side"] != "both" and not r["beyond_noise"]:
            continue
        if r["metric"] != "speed_mps" and not r["beyond_noise"]:
            continue
        before, after = r["values"][0], r["values"][-1]
        errs = r.get("errors") or [None] * len(r["values"])
        judged = {True: "yes", False: "no", None: "not judged"}[r["beyond_noise"]]
        meaningful = {True: "yes", False: "no", None: "–"}[r["meaningful"]]
        rows.append(f"<tr><td>{e(r['label'])} – {e(r['side'])}</td>"
                    f"<td class='num'>{fmt(before)}{err(before, errs[0])}</td>"
                    f"<td class='num'>{fmt(after)}{err(after, errs[-1])}</td>"
                    f"<td class='num'>{fmt(r['change'])} {e(r['unit'])}{err(r['change'], r.get('change_error'))}</td>"
                    f"<td>{judged}</td><td>{meaningful}</td><td>{e(r['direction'])}</td></tr>")
    table = ("<table class='since'><tr><th>measure</th><th>before</th><th>now</th><th>change</th>"
             "<th>beyond the stride noise</th><th>meaningful</th><th></th></tr>" + "".join(rows) + "</table>") if rows else ""
    if not any(r["beyond_noise"] for r in pr["metrics"]):
        table = "<p>No gait value changed beyond the stride-to-stride noise.</p>" + table
    fl = "".join(f"<li>{e(f['name'])}: <strong>{e(f['reading'])}</strong></li>" for f in pr["findings"])
    return (
        "<section id='progress' class='major'><h2>Since the last assessment</h2>"
        f"<p class='small'>Compared with the assessment of {e(first.get('created_utc') or first.get('path'))}. "
        "Shown: walking speed, and every value that changed by more than its stride-to-stride noise (the change "
        "exceeds 1.96 times the standard error of the two sessions' stride means; it needs 3 strides per side). "
        "Meaningful: at least a published meaningful change (walking speed 0.10 m/s, Perera et al. 2006). "
        "Under each number: its measurement error (as in the gait tables; the change's error is the sum of the "
        "two values' errors, so a change smaller than its error may be measurement, not walking). "
        f"{e(pr['note'])}</p>" + table + (f"<h3>Findings</h3><ul>{fl}</ul>" if fl else "")
        + "".join(f"<p class='small'>{e(c)}</p>" for c in pr["caveats"]) + "</section>"
    )


def build_report_html(assessment: Assessment) -> str:
    """The report as one HTML string (self-contained; no script, no external resource)."""
    doc = assessment.document
    amber = float(report_knowledge()["traffic_light"]["amber_sd"])
    name = doc.get("client", {}).get("name")
    title = "gaitscope report" + (f" – {name}" if name else "")
    synth = (f"<div class='box synthetic' id='synthetic'><strong>Synthetic data.</strong> {e(doc['synthetic_note'])}</div>"
             if doc.get("synthetic_note") else "")
    body = "".join([
        _header(doc), _urgent(doc), synth, _missing(doc), _glance(doc), _since_last(doc), _gait(assessment, amber),
        _posture(assessment), _chain(doc), _plan(doc), _help_method(doc),
    ])
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">"
            f"<title>{e(title)}</title><style>{_css()}</style></head><body><main>{body}</main></body></html>")


def write_report(assessment: Assessment, path: str | Path) -> Path:
    """Write the HTML report; returns its path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    from gaitscope.outputs import write_text

    write_text(p, build_report_html(assessment))
    return p
