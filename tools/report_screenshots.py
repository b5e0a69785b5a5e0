"""Screenshots of the report for docs/report.md: the gait tables (grades with direction, error, SD) and the
top of the page (headline), rendered by headless Chromium.

    .venv/bin/python tools/report_screenshots.py [--assessment DIR]

Without --assessment the demo (phantom) is run into a temporary folder. The gait table shot also shows a
second copy of the document where the walking speed and double support are set to the issue's cases
(0.60 m/s and 10 % for a 77-year-old woman: Hollman et al. 2011 reference), so the grade directions show.
Writes docs/img/report_top.png, docs/img/report_gait.png and docs/img/report_gait_graded.png.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IMG = REPO / "docs" / "img"


def _section(page: str, sid: str) -> str:
    m = re.search(rf"<section id='{sid}'.*?</section>", page, flags=re.S)
    body = m.group(0) if m else ""
    body = re.sub(r"<h3>The walk at key moments</h3><div class='stills'>.*?</div>", "", body, flags=re.S)
    body = re.sub(r"<h3>Joint angles over the gait cycle</h3><figure class='plot'>.*?</figure>", "", body, flags=re.S)
    head = page[: page.index("<body")]
    return head + "<body><main>" + body + "</main></body></html>"


def main(argv: list[str] | None = None) -> int:
    from gaitscope.knowledge.spatiotemporal_norms import spatiotemporal_normal_range
    from gaitscope.patterns.grading import add_grades
    from gaitscope.report import Assessment, build_report_html, screenshot

    ap = argparse.ArgumentParser()
    ap.add_argument("--assessment")
    args = ap.parse_args(argv)
    IMG.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.assessment:
            out = Path(args.assessment)
        else:
            from gaitscope.demo import run_demo

            out = tmp / "demo"
            run_demo(out, progress=False)
        screenshot(out / "report.html", IMG / "report_top.png", width_px=1100, height_px=1300)
        doc = json.loads((out / "assessment.json").read_text())
        page = build_report_html(Assessment(document=doc, out_dir=out))
        (tmp / "gait.html").write_text(_section(page, "gait"), encoding="utf-8")
        screenshot(tmp / "gait.html", IMG / "report_gait.png", width_px=1100, height_px=1500)
        d = copy.deepcopy(doc)
        p = d["gait"]["side"]["summary"]["parameters"]
        for metric, value in (("speed_mps", 0.60), ("double_support_pct", 10.0)):
            p[metric]["normal_range"] = spatiotemporal_normal_range(metric, age_years=77, sex="female").as_dict()
            for side in ("left", "right", "both"):
                p[metric][side]["mean"] = value
        add_grades(p)
        page = build_report_html(Assessment(document=d, out_dir=out))
        (tmp / "graded.html").write_text(_section(page, "gait"), encoding="utf-8")
        screenshot(tmp / "graded.html", IMG / "report_gait_graded.png", width_px=1100, height_px=1010)
    for f in ("report_top.png", "report_gait.png", "report_gait_graded.png"):
        print(IMG / f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
