"""report stage: the Assessment -> one self-contained HTML report (figures, stills, chain diagram), printable
to PDF with headless Chromium. Reads an :class:`Assessment` only; imports no pose model, OpenCV or PyAV.
"""

from gaitscope.report.assessment import ASSESSMENT_SCHEMA, ASSESSMENT_SCHEMA_VERSION, Assessment, Still
from gaitscope.report.browser import find_chromium, print_pdf, screenshot
from gaitscope.report.html import build_report_html, traffic_light, write_report

__all__ = [
    "ASSESSMENT_SCHEMA",
    "ASSESSMENT_SCHEMA_VERSION",
    "Assessment",
    "Still",
    "build_report_html",
    "find_chromium",
    "print_pdf",
    "screenshot",
    "traffic_light",
    "write_report",
]
