"""What the report shows a person (issue 10): grades with their direction, the error beside the numbers, SD
written out, greyed far-leg values, no absolute paths, every collapsed section open in the PDF, page 1 full.

The document is the demo's assessment (the phantom) with values set to known cases; grading truths come from
the published reference table (knowledge/normative_spatiotemporal.csv), not from the code under test.
"""

from __future__ import annotations

import copy
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gaitscope.report import Assessment, build_report_html


@pytest.fixture(scope="module")
def demo_doc(tmp_path_factory):
    from gaitscope.demo import run_demo

    out = tmp_path_factory.mktemp("demo_honesty")
    run_demo(out, progress=False)
    return out, json.loads((out / "assessment.json").read_text())


def _slow_older_walker(doc: dict, double_support_error_pct: float = 5.0) -> dict:
    """The demo's side walk re-labelled as a 77-year-old woman walking 0.60 m/s with 10 % double support.

    Hollman et al. 2011, women 75-79: speed 0.95-1.29 m/s (mean 1.12, SD 0.17) -> 0.60 m/s is 3.1 SD below:
    red, "lower"; double support 22.0-34.8 % (mean 28.4, SD 6.4) -> 10 % is 2.9 SD below, on the side that is
    not graded (only a longer double support is: Maki 1997): neither a warning nor praise. Its measurement error
    is stated here (5 % of the cycle: knowledge/measurement_error.csv's video figure), not taken from the code."""
    from gaitscope.patterns.grading import add_grades
    from gaitscope.knowledge.spatiotemporal_norms import spatiotemporal_normal_range

    d = copy.deepcopy(doc)
    p = d["gait"]["side"]["summary"]["parameters"]
    for metric, value in (("speed_mps", 0.60), ("double_support_pct", 10.0)):
        nr = spatiotemporal_normal_range(metric, age_years=77, sex="female")
        p[metric]["normal_range"] = nr.as_dict()
        for side in ("left", "right", "both"):
            p[metric][side]["mean"] = value
    p["double_support_pct"]["error"] = {"value": double_support_error_pct, "unit": "% of gait cycle", "input": "video",
                                        "what": "typical error of one stride's value", "source": "stated by the test"}
    add_grades(p)
    return d


#: Hollman et al. 2011, women 75-79, double support: 22.0-34.8 % = mean 28.4, SD 6.4; its 2-SD line on the
#: short side, which is not graded, is 28.4 - 12.8 = 15.6 %.
DS_MEAN, DS_SD, DS_LINE = 28.4, 6.4, 15.6


def _note(page: str, label: str) -> str:
    """The note under a parameter table for ``label``, as text (one paragraph)."""
    m = re.search(rf"<p class='small not-graded'>\* {re.escape(html.escape(label))}, .*?</p>", page)
    assert m, f"no note for {label}"
    return html.unescape(re.sub(r"<[^>]+>", "", m.group(0)))


def _row(page: str, label: str) -> str:
    return re.search(rf"<tr><td class='measure'>{re.escape(label)} <span.*?</tr>", page).group(0)


def test_grades_carry_their_direction_and_the_other_side_is_neither_warned_nor_praised(demo_doc):
    """A short double support beyond 2 SD in a 77-year-old (10 %, line 15.6 %) is said as it is: grey dot, no
    praise word, "lower, not graded*", and a note under the table with where it lies, why it is not
    graded, and (error 5 % >= half the SD 6.4 %) that it may reflect measurement error."""
    out, doc = demo_doc
    d = _slow_older_walker(doc)
    p = d["gait"]["side"]["summary"]["parameters"]
    assert p["speed_mps"]["both"]["grade"] == {"grade": "outside", "direction": "lower"}
    assert p["double_support_pct"]["grading"]["mean"] == pytest.approx(DS_MEAN)
    assert p["double_support_pct"]["grading"]["sd"] == pytest.approx(DS_SD)
    for side in ("left", "right", "both"):
        assert p["double_support_pct"][side]["grade"] == {"grade": "outside_not_graded", "direction": "lower"}
    page = build_report_html(Assessment(document=d, out_dir=out))
    row = _row(page, "Walking speed")
    assert "dot red" in row and "lower than 2 SD" in row and "graded only below" in row
    ds = _row(page, "Double support (both feet down)")
    assert "dot green" not in ds and "dot amber" not in ds and "dot red" not in ds
    assert ds.count("class=\"dot none\"") == 3, ds  # grey, with a tooltip saying why
    assert ds.count("lower, not graded*") == 3
    assert not re.search(r"better|average", html.unescape(re.sub(r"<[^>]+>", " ", ds)), flags=re.I), ds
    assert "title=\"more than 2 SD from the reference mean, on the side our sources do not grade" in ds
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
    assert "better than average" not in text.lower() and "better than it" not in text.lower()
    note = _note(page, "Double support (both feet down)")
    assert f"left 10.0, right 10.0, both 10.0 % of gait cycle: lower than the reference mean by more than 2 SD " \
           f"(below {DS_LINE:.1f} % of gait cycle)" in note, note
    assert "Not graded in this direction" in note and "Maki 1997" in note
    assert ("The measurement error (typical error of one stride's value: 5.00 % of gait cycle) is at least half the "
            "reference SD (6.40)") in note, note
    assert "may reflect measurement error" in note


def test_no_error_sentence_when_the_error_is_small_against_the_reference_sd(demo_doc):
    """The same short double support with a stated error of 2 % (less than half the SD of 6.4 %): still grey and
    not graded, but the note does not blame measurement error."""
    out, doc = demo_doc
    d = _slow_older_walker(doc, double_support_error_pct=2.0)
    page = build_report_html(Assessment(document=d, out_dir=out))
    note = _note(page, "Double support (both feet down)")
    assert "Not graded in this direction" in note and "may reflect measurement error" not in note, note
    assert "dot green" not in _row(page, "Double support (both feet down)")


def test_a_narrow_step_from_the_front_is_not_graded_and_names_its_own_error(demo_doc):
    """Frontal walk: step width 0.020 m against the adults' GAITRite band 0.057-0.113 m (mean 0.085, SD 0.028: the
    2-SD line on the narrow side, which is not graded (only wide steps are: Maki 1997), is 0.029 m). The stated
    error, 0.020 m of a side's stride mean (as knowledge/frontal_video_errors.csv words it), is at least half the
    SD (0.014 m): grey, "lower, not graded*", and the note names that error."""
    from gaitscope.patterns.grading import add_grades

    out, doc = demo_doc
    d = copy.deepcopy(doc)
    p = d["gait"]["frontal"]["summary"]["parameters"]
    sw = p["step_width_m"]
    sw["normal_range"] = {"low": 0.057, "high": 0.113, "unit": "m", "source": "GAITRite normals (stated by the test)"}
    sw["error"] = {"value": 0.02, "unit": "m", "input": "video", "what": "measured error of a side's stride mean",
                   "source": "stated by the test"}
    for side in ("left", "right", "both"):
        if isinstance(sw.get(side), dict):
            sw[side]["mean"] = 0.020
    add_grades(p)
    assert sw["both"]["grade"] == {"grade": "outside_not_graded", "direction": "lower"}
    page = build_report_html(Assessment(document=d, out_dir=out))
    row = _row(page, "Step width")
    assert "lower, not graded*" in row and 'class="dot none"' in row and "dot green" not in row, row
    note = _note(page, "Step width")
    assert "lower than the reference mean by more than 2 SD (below 0.029 m)" in note, note
    assert "only higher values are graded" in note and "Maki 1997" in note
    assert "(measured error of a side's stride mean: 0.020 m) is at least half the reference SD (0.028)" in note, note


def test_error_and_sd_are_written_out_beside_the_numbers(demo_doc):
    out, doc = demo_doc
    page = build_report_html(Assessment(document=doc, out_dir=out))
    tables = re.findall(r"<table class='params'>.*?</table>", page, flags=re.S)
    assert tables
    for t in tables:
        assert "±" not in t  # never a bare "+-": SD and error are written out
        assert "measurement error" in t
    speed = re.sub(r"<[^>]+>", "", re.search(r"<tr><td class='measure'>Walking speed <span.*?</tr>", page).group(0))
    # the phantom is keypoint input through a camera: the video error of speed (0.06 m/s, thresholds.csv)
    # plus a typed height's 2 cm (1.25 % of the value)
    assert re.search(r"error 0\.0[67]\d? m/s", speed), speed
    assert "(SD " in speed


def _threshold_errors() -> dict[tuple[str, str], float]:
    """(metric, view) -> error_by_view, read straight from knowledge/thresholds.csv (the reviewed source)."""
    import csv

    path = Path(__file__).resolve().parents[1] / "src" / "gaitscope" / "knowledge" / "thresholds.csv"
    rows = csv.DictReader(line for line in path.read_text().splitlines() if not line.startswith("#"))
    out = {}
    for r in rows:
        for item in r["error_by_view"].split(";"):
            view, err = item.split(":")
            out[(r["metric"], view.strip())] = float(err)
    return out


def test_the_evidence_a_person_acts_on_carries_its_measurement_error(demo_doc):
    """At a glance and in every evidence table the value stands beside its measurement error, written out.
    The demo's Trendelenburg is read from the walk filmed from behind: the pelvic-drop error of a frontal
    video is 2.2 deg (thresholds.csv, measured in docs/frontal.md); heel-first contacts from the side view
    0.2 of strides (20 %)."""
    out, doc = demo_doc
    errors = _threshold_errors()
    tops = {t["code"]: t for t in doc["at_a_glance"]["top_findings"]}
    tr = tops["trendelenburg"]["evidence"]
    assert tr["metric"] == "pelvic_drop_stance_max_deg"
    assert tr["error"] == errors[("pelvic_drop_stance_max_deg", "frontal")] == 2.2
    heel = tops["reduced_heel_strike"]["evidence"]
    assert heel["error"] == errors[("foot_contact", "sagittal")]
    page = build_report_html(Assessment(document=doc, out_dir=out))
    glance = re.search(r"<section id='glance'>.*?</section>", page, flags=re.S).group(0)
    assert re.search(r"10\.8 deg, error 2\.20 deg; threshold &gt; 7", glance), glance
    assert "0 % of strides, error 20 % of strides" in glance
    tables = re.findall(r"<table class='evidence'>.*?</table>", page, flags=re.S)
    assert tables
    for t in tables:
        assert "<th class='num'>measurement error</th>" in t and "±" not in t
        body_rows = re.findall(r"<tr><td>.*?</tr>", t, flags=re.S)
        assert body_rows and all("<td class='num err'>error " in r for r in body_rows), t[:400]
    # every gait evidence in assessment.json has the error of the view it was measured from
    for f in doc["patterns"]:
        for ev in f["evidence"]:
            assert isinstance(ev.get("error"), (int, float)) and ev["error"] > 0, (f["code"], ev)


def test_far_leg_values_are_greyed_and_not_graded(demo_doc):
    out, doc = demo_doc
    d = copy.deepcopy(doc)
    knee = d["gait"]["side"]["summary"]["parameters"]["knee_flex_loading_max_deg"]
    knee["right"]["quality"] = "far"
    knee["right"]["quality_reason"] = "the right leg was the far leg"
    page = build_report_html(Assessment(document=d, out_dir=out))
    row = re.search(r"<tr><td class='measure'>Knee bend in loading <span.*?</tr>", page).group(0)
    assert "class='num far'" in row and "far leg, not graded" in row
    # the reason is on the page (and in print), not only in the cell's tooltip
    assert "the leg farther from the camera in a side-on video" in page


def test_the_client_never_sees_an_absolute_path(demo_doc, tmp_path):
    out, doc = demo_doc
    d = copy.deepcopy(doc)
    secret = "/home/clinic/patients/jane_doe/walk.mp4"
    d["gait"]["frontal"] = {"status": "failed", "message": f"{secret}: the person is running, not walking",
                            "record_next_time": "Film again."}
    d["missing"].append({"what": "frontal_video", "status": "failed", "message": f"{secret}: running",
                         "record_next_time": "Film again."})
    page = build_report_html(Assessment(document=d, out_dir=out))
    assert "/home/clinic" not in page and "jane_doe" not in page and "walk.mp4" in page
    assert str(out) not in (out / "report.html").read_text()


def test_unknown_age_is_stated(demo_doc):
    out, doc = demo_doc
    s = doc["gait"]["side"]["summary"]
    if doc["client"].get("age_years") is None:
        assert "age not given" in s["reference"]["spatiotemporal_group"]
    d = copy.deepcopy(doc)
    d["gait"]["side"]["summary"]["reference"]["age_note"] = "age not given: adults 18-69 years assumed"
    assert "age not given" in build_report_html(Assessment(document=d, out_dir=out))


# ----------------------------------------------------------------------------------- Chromium and PDF
def test_pdf_opens_every_collapsed_section_and_page_one_is_full(demo_doc, tmp_path, browser):
    from gaitscope.report import print_pdf

    out, doc = demo_doc
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils not installed")
    page = (out / "report.html").read_text()
    hidden = []
    for block in re.findall(r"<details[^>]*>(.*?)</details>", page, flags=re.S):
        items = re.findall(r"<li>(.*?)</li>", block, flags=re.S)
        if items:
            hidden.append(re.sub(r"<[^>]+>", "", html.unescape(items[0])).split(":")[0].strip())
    assert hidden, "the demo report has no collapsed section to check"
    pdf = print_pdf(out / "report.html", tmp_path / "r.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=120).stdout
    flat = re.sub(r"\s+", " ", text)
    for words in hidden:
        assert re.sub(r"\s+", " ", words)[:40] in flat, f"collapsed text not in the PDF: {words!r}"
    subprocess.run(["pdftoppm", "-r", "30", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p1")],
                   check=True, timeout=120)
    from matplotlib import image as mpimg

    img = mpimg.imread(next(tmp_path.glob("p1*.png")))[:, :, :3]
    inked_rows = (img < 0.9).any(axis=2).any(axis=1).nonzero()[0]
    blank_bottom = 1 - (inked_rows.max() + 1) / img.shape[0]
    assert blank_bottom < 0.25, f"page 1 is {blank_bottom:.0%} blank at the bottom"


def test_chromium_shows_direction_and_error(demo_doc, tmp_path, browser):
    from gaitscope.report.browser import dump_dom

    out, doc = demo_doc
    d = _slow_older_walker(doc)
    (tmp_path / "r.html").write_text(build_report_html(Assessment(document=d, out_dir=out)), encoding="utf-8")
    text = (tmp_path / "r.html").read_text()
    text = re.sub(r"<meta http-equiv='Content-Security-Policy'[^>]*>", "", text)
    probe = tmp_path / "probe.html"
    script = """<script>window.addEventListener('load', () => {
      const rows = [...document.querySelectorAll('table.params tr')].map(r => r.innerText.replace(/\\s+/g, ' '));
      document.body.setAttribute('data-rows', JSON.stringify(rows));
      const ds = [...document.querySelectorAll('table.params tr')].find(r => r.innerText.startsWith('Double support'));
      document.body.setAttribute('data-dsdots', JSON.stringify([...ds.querySelectorAll('.dot')].map(
        d => getComputedStyle(d).backgroundColor)));
      const legend = document.querySelector('p.legend .dot.none');
      document.body.setAttribute('data-grey', JSON.stringify(getComputedStyle(legend).backgroundColor));
      const fr = [...document.querySelectorAll('h3')].find(h => h.textContent.startsWith('Frontal plane'));
      let t = fr; while (t && !(t.tagName === 'TABLE' && t.classList.contains('params'))) t = t.nextElementSibling;
      const frows = t ? [...t.querySelectorAll('tr')].slice(1).map(r => r.innerText.replace(/\\s+/g, ' ')) : [];
      document.body.setAttribute('data-frontal', JSON.stringify(frows));
      document.body.setAttribute('data-glance', document.getElementById('glance').innerText.replace(/\\s+/g, ' '));
      document.body.setAttribute('data-text', document.body.innerText.replace(/\\s+/g, ' ')); });</script>"""
    probe.write_text(text.replace("</body>", script + "</body>"), encoding="utf-8")
    dom = dump_dom(probe)
    rows = json.loads(html.unescape(re.search(r'data-rows="([^"]*)"', dom).group(1)))
    frontal = json.loads(html.unescape(re.search(r'data-frontal="([^"]*)"', dom).group(1)))
    assert frontal and all(re.search(r"error \d", r) for r in frontal), frontal  # frontal values with their error
    glance = html.unescape(re.search(r'data-glance="([^"]*)"', dom).group(1))
    assert "error 2.20 deg" in glance
    speed = next(r for r in rows if r.startswith("Walking speed"))
    assert "lower than 2 SD" in speed and "error" in speed and "graded only below" in speed
    ds = next(r for r in rows if r.startswith("Double support"))
    assert ds.count("lower, not graded*") == 3 and not re.search(r"better|average", ds, flags=re.I), ds
    # what the reader sees: grey dots (the not-graded colour), never green, and the note under the table
    dots = json.loads(html.unescape(re.search(r'data-dsdots="([^"]*)"', dom).group(1)))
    grey = json.loads(html.unescape(re.search(r'data-grey="([^"]*)"', dom).group(1)))
    assert len(dots) == 3 and all(c == grey for c in dots), (dots, grey)
    # the honest headline is on the rendered page as written in assessment.json (the demo has little checked
    # on the far leg and no red flag: never an unqualified "no exercise needed")
    shown = html.unescape(re.search(r'data-text="([^"]*)"', dom).group(1))
    line = re.sub(r"\s+", " ", d["at_a_glance"]["plan_line"])
    assert line[:60] in shown
    assert "better than average" not in shown.lower()
    assert re.search(r"\* Double support \(both feet down\), left 10\.0.*?may reflect measurement error", shown)
    assert "No corrective exercise needed" not in shown


FIT_SCRIPT = """<script>window.addEventListener('load', () => {
  const out = {doc: [document.documentElement.scrollWidth, document.documentElement.clientWidth], tables: []};
  for (const t of document.querySelectorAll('table.params, table.evidence')) {
    const avail = t.parentElement.getBoundingClientRect().width;
    const width = t.getBoundingClientRect().width;
    t.style.width = 'min-content';
    const least = t.getBoundingClientRect().width;
    t.style.width = '';
    const spill = [...t.querySelectorAll('td, th')].filter(c => c.scrollWidth > c.clientWidth + 1).length;
    const rows = [...t.querySelectorAll('tr')].slice(1).map(r => {
      const cells = [...r.querySelectorAll('td')].map(c => {
        const g = document.createRange(); g.selectNodeContents(c); return g.getBoundingClientRect().height; });
      const td = r.querySelector('td');
      return {label: td ? td.innerText.split('\\n')[0] : '', height: r.getBoundingClientRect().height,
              line: td ? parseFloat(getComputedStyle(td).lineHeight) : 0, first: cells[0] || 0,
              others: Math.max(0, ...cells.slice(1))};
    });
    out.tables.push({cls: t.className, avail, width, least, spill, rows,
                     first: (t.querySelector('tr:nth-child(2) td') || {}).innerText || ''});
  }
  document.body.setAttribute('data-fit', JSON.stringify(out)); });</script>"""


def test_gait_tables_fit_a_1100_px_window(demo_doc, tmp_path, browser):
    """At 1100 px the gait, joint-angle, frontal and evidence tables fit their column with room to spare: no
    horizontal scrolling, no cell spilling, and each table's narrowest possible layout (min-content) at most
    90 % of the width it has, so longer values (a grade word, a far-leg note) still fit. The slow older walker
    adds grade words to the timing table; a far-leg knee adds its note to the joint-angle table."""
    from gaitscope.report.browser import dump_dom

    out, doc = demo_doc
    d = _slow_older_walker(doc)
    knee = d["gait"]["side"]["summary"]["parameters"]["knee_flex_loading_max_deg"]
    knee["right"]["quality"] = "far"
    knee["right"]["quality_reason"] = "the right leg was the far leg"
    text = build_report_html(Assessment(document=d, out_dir=out))
    text = re.sub(r"<meta http-equiv='Content-Security-Policy'[^>]*>", "", text)
    probe = tmp_path / "fit.html"
    probe.write_text(text.replace("</body>", FIT_SCRIPT + "</body>"), encoding="utf-8")
    fit = json.loads(html.unescape(re.search(r'data-fit="([^"]*)"', dump_dom(probe, width_px=1100)).group(1)))
    assert fit["doc"][0] <= fit["doc"][1], f"the page scrolls sideways at 1100 px: {fit['doc']}"
    params = [t for t in fit["tables"] if t["cls"] == "params"]
    assert len(params) >= 3  # timing, joint angles, frontal
    for t in fit["tables"]:
        assert t["width"] <= t["avail"] + 1 and t["spill"] == 0, t
        assert t["least"] <= 0.9 * t["avail"], t
    # compact rows: no value, grade word, far-leg note, error or reference range makes a row taller than two lines
    # (the error stays in the row); only a long measure name may take more, and the timing table's rows, whose
    # names are short, are at most two lines tall
    for t in params:
        for r in t["rows"]:
            two = 2 * r["line"] + 2
            assert r["others"] <= two, (r, "a value cell takes more than two lines")
            assert r["height"] <= max(two, r["first"] + 1) + 18, r
    timing = params[0]["rows"]
    assert timing[0]["label"].startswith("Walking speed")
    assert all(r["height"] <= 2 * r["line"] + 18 for r in timing), [(r["label"], r["height"]) for r in timing]



def test_the_angle_curves_never_call_a_childrens_band_normal(demo_doc):
    """Issue 10: without an adult curve the children's band (Schwartz 2008) is drawn without calling it normal;
    the figure's own legend says what the band is (matplotlib writes each text as a comment in the SVG)."""
    import base64
    import urllib.parse

    from gaitscope.report.figures import angle_curves_uri

    out, doc = demo_doc
    curves = copy.deepcopy(doc["gait"]["side"]["summary"]["curves"])

    def legend(adult_norm):
        for key in ("hip_flex_deg", "knee_flex_deg", "ankle_dorsi_deg"):
            if isinstance((curves.get(key) or {}).get("normal"), dict):
                curves[key]["normal"]["adult_norm"] = adult_norm
        uri = angle_curves_uri(curves)
        head, data = uri.split(",", 1)
        svg = base64.b64decode(data).decode() if ";base64" in head else urllib.parse.unquote(data)
        return re.findall(r"<!-- (.*?) -->", svg)

    child = legend(False)
    assert "children ±1 SD (not an adult norm)" in child
    assert not any("normal" in t.lower() for t in child), child
    assert "reference ±1 SD" in legend(None)
