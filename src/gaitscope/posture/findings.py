"""Posture measures -> :class:`~gaitscope.types.Finding` objects for the kinetic chain.

Two kinds of rule:

* **cut-off** (a published threshold exists: CVA, knee hyperextension, frontal knee alignment):
  ``present`` when the value crosses the cut-off by more than its stated error; a value that crosses
  the cut-off but lies within the error of it is ``absent`` with a note saying so.
* **against the error** (no validated cut-off: head, shoulder and pelvic height asymmetry, trunk and
  weight shift, sagittal sway): ``present`` (severity 1) when the value is further from zero than
  ``flag_margin`` stated errors; the evidence threshold is that margin, its source says there is no
  clinical cut-off.

Codes (the person's own sides): see :data:`FINDING_CODES`.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from gaitscope.knowledge.posture import PostureKnowledge, PostureRow
from gaitscope.posture.measures import PostureMeasure
from gaitscope.types import Evidence, Finding

#: Every code this module emits, with what ``side`` means.
FINDING_CODES: dict[str, str] = {
    "posture_head_tilt": "head tilted; side = the lower ear",
    "posture_shoulder_asymmetry": "one shoulder lower; side = the lower shoulder",
    "posture_pelvic_obliquity": "one hip lower (the other higher); side = the lower hip",
    "posture_trunk_shift": "shoulders shifted sideways over the pelvis; side = direction of the shift",
    "posture_weight_shift": "body centre of mass shifted over the base of support; side = toward which",
    "posture_knee_valgus": "knee medial to the hip-ankle line in standing; side = that knee (or both)",
    "posture_knee_varus": "knee lateral to the hip-ankle line in standing; side = that knee (or both)",
    "posture_forward_head": "craniovertebral angle below the cut-off; side None",
    "posture_shoulders_forward": "shoulders ahead of the ankle plumb line; side None",
    "posture_pelvis_forward": "hips ahead of the ankle plumb line (pelvis swayed forward); side None",
    "posture_pelvis_backward": "hips behind the ankle plumb line; side None",
    "posture_knee_hyperextension": "knee hyperextended in standing (side view); side None (the near/mean knee)",
    "posture_knee_flexion": "knee flexed in standing (side view); side None",
    "posture_sway_back": "Kendall sway-back alignment (pelvis forward, upper trunk back); side None",
    "posture_anterior_pelvic_tilt": "always not_assessable: pelvic tilt is not visible in 2D body landmarks",
}

_NO_CUTOFF = "no validated clinical cut-off: compared with {m:g} x the stated measurement error of this view"


def _margin(knowledge: PostureKnowledge) -> float:
    return knowledge.value("error", "flag_margin")


def _against_error(
    code: str, m: PostureMeasure, knowledge: PostureKnowledge, *, positive_side: str | None = None
) -> Finding:
    """present when |value| > margin x error; side from the measure's sign (or its own side)."""
    k = _margin(knowledge)
    thr = k * m.error_deg
    ev = [
        Evidence(
            metric=f"{m.name}_deg",
            value=round(abs(m.value_deg), 2),
            unit="deg",
            comparison=">",
            threshold=round(thr, 2),
            source=_NO_CUTOFF.format(m=k),
            side=m.side,
            note=f"{m.view} view; stated error {m.error_deg:.2f} deg",
            error=round(m.error_deg, 2),
        )
    ]
    if m.value_cm is not None and m.error_cm is not None:
        ev.append(
            Evidence(
                metric=f"{m.name}_cm",
                value=round(abs(m.value_cm), 2),
                unit="cm",
                comparison=">",
                threshold=round(k * m.error_cm, 2),
                source=_NO_CUTOFF.format(m=k),
                side=m.side,
                note=f"stated error {m.error_cm:.2f} cm",
                error=round(m.error_cm, 2),
            )
        )
    side = m.side
    if positive_side is not None:
        side = positive_side if m.value_deg > 0 else ("left" if positive_side == "right" else "right")
    if abs(m.value_deg) > thr:
        return Finding(code, "present", side=side, severity=1, evidence=tuple(ev),
                       reason="beyond the measurement error; no validated cut-off, so severity is not graded")
    return Finding(code, "absent", side=None, severity=0, evidence=tuple(ev))


def _crosses(value: float, row: PostureRow, err: float) -> tuple[bool, bool]:
    """(crossed at all, crossed by more than ``err``)."""
    if row.comparison in (">", ">="):
        return value > row.threshold, value > row.threshold + err
    return value < row.threshold, value < row.threshold - err


def _with_cutoff(code: str, metric: str, value: float, err: float, side: str | None, view: str,
                 knowledge: PostureKnowledge, note: str = "") -> Finding:
    rows = knowledge.cutoffs(metric)
    if not rows:
        raise KeyError(f"no cut-off rows for {metric}")
    severity, evidence = 0, []
    for row in rows:
        crossed, beyond = _crosses(value, row, err)
        detail = f"{view} view; stated error {err:.2f} deg"
        if crossed and not beyond:
            detail += "; crossed the cut-off but within the measurement error"
        if note:
            detail += f"; {note}"
        evidence.append(Evidence(metric=metric, value=round(value, 2), unit=row.unit, comparison=row.comparison,
                                 threshold=row.threshold, source=row.source, side=side, note=detail,
                                 error=round(err, 2)))
        if beyond:
            severity = max(severity, row.severity)
    if severity:
        return Finding(code, "present", side=side, severity=severity, evidence=tuple(evidence))
    return Finding(code, "absent", side=None, severity=0, evidence=tuple(evidence))


def _merge_sides(findings: list[Finding], code: str) -> Finding | None:
    """One finding per code from per-side findings: side ``both`` when both are present."""
    fs = [f for f in findings if f.code == code]
    if not fs:
        return None
    present = [f for f in fs if f.status == "present"]
    ev = tuple(e for f in fs for e in f.evidence)
    if not present:
        return Finding(code, "absent", evidence=ev)
    side = present[0].side if len(present) == 1 else "both"
    return Finding(code, "present", side=side, severity=max(f.severity for f in present), evidence=ev)


def posture_findings(measures: Mapping[str, PostureMeasure], knowledge: PostureKnowledge,
                     *, views: Iterable[str] = ()) -> list[Finding]:
    """Findings from the measures of all views.

    Parameters
    ----------
    measures
        Keyed ``"<view>/<name>"`` (``"front/pelvic_obliquity"``, ``"side/cva"``,
        ``"back/knee_frontal_alignment:left"``) as produced by :func:`gaitscope.posture.assess_posture`.
    knowledge
        The posture knowledge rows.
    views
        The views that were given (a finding whose view was not given is ``not_assessable``).

    Returns
    -------
    list of Finding
        One per code in :data:`FINDING_CODES`.
    """
    views = set(views)
    frontal_views = [v for v in ("front", "back") if v in views]
    out: list[Finding] = []

    def pick(name: str) -> PostureMeasure | None:
        # front first, then back; a measure seen from both uses the front (the back view is the
        # clinical view for the pelvis and knees, but both are landmark-based here).
        for v in ("front", "back"):
            if f"{v}/{name}" in measures:
                return measures[f"{v}/{name}"]
        return None

    frontal_reason = "no front or back view was given" if not frontal_views else "landmarks not seen in the frontal view"
    for code, name, pos in (
        ("posture_head_tilt", "head_tilt", None),
        ("posture_shoulder_asymmetry", "shoulder_height_difference", None),
        ("posture_pelvic_obliquity", "pelvic_obliquity", None),
        ("posture_trunk_shift", "trunk_shift", "right"),
        ("posture_weight_shift", "weight_shift", "right"),
    ):
        m = pick(name)
        out.append(_against_error(code, m, knowledge, positive_side=pos) if m else
                   Finding(code, "not_assessable", reason=frontal_reason))

    per_side: list[Finding] = []
    for s in ("left", "right"):
        m = pick(f"knee_frontal_alignment:{s}")
        if m is None:
            continue
        per_side.append(_with_cutoff("posture_knee_valgus", "knee_valgus_deg", m.value_deg, m.error_deg, s, m.view,
                                     knowledge))
        per_side.append(_with_cutoff("posture_knee_varus", "knee_varus_deg", -m.value_deg, m.error_deg, s, m.view,
                                     knowledge))
    for code in ("posture_knee_valgus", "posture_knee_varus"):
        f = _merge_sides(per_side, code)
        out.append(f if f else Finding(code, "not_assessable", reason=frontal_reason))

    side_reason = "no side view was given" if "side" not in views else "landmarks not seen in the side view"
    m = measures.get("side/cva")
    out.append(_with_cutoff("posture_forward_head", "cva_deg", m.value_deg, m.error_deg, None, "side", knowledge,
                            note=m.note) if m else Finding("posture_forward_head", "not_assessable", reason=side_reason))
    m = measures.get("side/shoulder_ahead_of_plumb")
    if m:
        f = _against_error("posture_shoulders_forward", m, knowledge)
        out.append(f if m.value_deg > 0 or f.status != "present" else
                   Finding("posture_shoulders_forward", "absent", evidence=f.evidence))
    else:
        out.append(Finding("posture_shoulders_forward", "not_assessable", reason=side_reason))
    m = measures.get("side/hip_ahead_of_plumb")
    if m:
        f = _against_error("posture_pelvis_forward", m, knowledge)
        fwd = f.status == "present" and m.value_deg > 0
        back = f.status == "present" and m.value_deg < 0
        out.append(Finding("posture_pelvis_forward", "present" if fwd else "absent", severity=1 if fwd else 0,
                           evidence=f.evidence, reason=f.reason if fwd else ""))
        out.append(Finding("posture_pelvis_backward", "present" if back else "absent", severity=1 if back else 0,
                           evidence=f.evidence, reason=f.reason if back else ""))
    else:
        out.append(Finding("posture_pelvis_forward", "not_assessable", reason=side_reason))
        out.append(Finding("posture_pelvis_backward", "not_assessable", reason=side_reason))
    m = measures.get("side/knee_sagittal")
    if m:
        out.append(_with_cutoff("posture_knee_hyperextension", "knee_hyperextension_deg", -m.value_deg, m.error_deg,
                                None, "side", knowledge))
        out.append(_with_cutoff("posture_knee_flexion", "knee_flexion_deg", m.value_deg, m.error_deg, None, "side",
                                knowledge))
    else:
        out.append(Finding("posture_knee_hyperextension", "not_assessable", reason=side_reason))
        out.append(Finding("posture_knee_flexion", "not_assessable", reason=side_reason))
    out.append(Finding(
        "posture_anterior_pelvic_tilt", "not_assessable",
        reason="pelvic tilt needs the ASIS and PSIS, which 2D body landmarks do not show (the hip landmark is "
        "the hip joint centre); a clinician can palpate them or mark them before the photo",
    ))
    return out
