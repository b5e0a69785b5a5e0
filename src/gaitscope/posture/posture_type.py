"""Kendall posture type from side-view landmarks, only as far as the landmarks support it.

Kendall, McCreary, Provance, Rodgers & Romani (2005, Muscles: Testing and Function with Posture and
Pain, 5th ed) describe ideal alignment and four faulty types. Their distinguishing features:

* ideal: plumb line through ear lobe, acromion, greater trochanter, slightly anterior to the knee axis
  and the lateral malleolus;
* sway-back: pelvis displaced forward of the plumb line, upper trunk displaced backward, hips and knees
  hyperextended, head forward;
* kypho-lordotic: increased thoracic kyphosis and lumbar lordosis, anterior pelvic tilt;
* flat-back: flattened lumbar curve, posterior pelvic tilt.

Body landmarks (ear, shoulder, hip joint, knee, ankle) show segment positions relative to the plumb
line, but not the spinal curves or the pelvic tilt. So only *ideal* and *sway-back* can be recognised;
kypho-lordotic and flat-back are reported as not distinguishable from the landmarks.
"""

from __future__ import annotations

from typing import Mapping

from gaitscope.knowledge.posture import PostureKnowledge
from gaitscope.posture.measures import PostureMeasure
from gaitscope.types import Evidence, Finding

SOURCE = "Kendall FP, McCreary EK, Provance PG, Rodgers MM, Romani WA 2005, Muscles: Testing and Function with Posture and Pain, 5th ed"

NOT_VISIBLE = (
    "anterior/posterior pelvic tilt (needs the ASIS and PSIS; the hip landmark is the hip joint centre)",
    "lumbar lordosis and thoracic kyphosis (the spine's curves are not body landmarks)",
    "hence the kypho-lordotic and flat-back types, which are defined by those curves and the tilt",
    "leg-length difference as such (a lower hip in standing is consistent with it but also with pelvic "
    "rotation, scoliosis or a flexed knee)",
)

VISIBLE = (
    "segment positions against the plumb line through the ankle: ear, shoulder, hip, knee (side view)",
    "level of the ears, shoulders, hip joint centres and knees (front/back view)",
    "knee alignment in the image plane and the sideways shift of the trunk and of the body's mass",
)


def classify_posture_type(
    side_measures: Mapping[str, PostureMeasure], knowledge: PostureKnowledge
) -> tuple[dict, Finding]:
    """Posture type and the ``posture_sway_back`` finding from side-view measures.

    Parameters
    ----------
    side_measures
        Side-view measures by name (``hip_ahead_of_plumb``, ``trunk_lean``, ``knee_sagittal``, ``cva``,
        ``head_forward``).
    knowledge
        Posture knowledge (``flag_margin`` and the CVA cut-off).

    Returns
    -------
    summary : dict
        ``type`` in {``"ideal"``, ``"sway-back"``, ``"not distinguishable from landmarks"``,
        ``"not assessable"``}, ``confidence`` (``low``/``moderate``), the ``criteria`` with their values,
        what can and cannot be seen, and the source.
    finding : Finding
        ``posture_sway_back``.
    """
    k = knowledge.value("error", "flag_margin")
    hip, trunk = side_measures.get("hip_ahead_of_plumb"), side_measures.get("trunk_lean")
    knee, cva = side_measures.get("knee_sagittal"), side_measures.get("cva")
    base = {"source": SOURCE, "can_be_seen": list(VISIBLE), "cannot_be_seen": list(NOT_VISIBLE)}
    if hip is None or trunk is None:
        reason = "no side view, or the hip, shoulder or ankle was not seen in it"
        return ({**base, "type": "not assessable", "reason": reason},
                Finding("posture_sway_back", "not_assessable", reason=reason))

    def z(m: PostureMeasure | None) -> float:
        return 0.0 if m is None else m.value_deg / max(m.error_deg, 1e-9)

    cva_cut = knowledge.cutoffs("cva_deg")[0].threshold
    crit = {
        "pelvis_forward_of_plumb": z(hip) > k,
        "upper_trunk_behind_pelvis": z(trunk) < -k,
        "knee_hyperextended": knee is not None and z(knee) < -k,
        "head_forward": cva is not None and cva.value_deg < cva_cut,
    }
    values = {
        "hip_ahead_of_plumb_deg": round(hip.value_deg, 2),
        "trunk_lean_deg": round(trunk.value_deg, 2),
        "knee_sagittal_deg": None if knee is None else round(knee.value_deg, 2),
        "cva_deg": None if cva is None else round(cva.value_deg, 2),
        "margin_in_errors": k,
    }
    ev = (
        Evidence("hip_ahead_of_plumb_deg", round(hip.value_deg, 2), "deg", ">", round(k * hip.error_deg, 2),
                 SOURCE + "; margin = measurement error (no numeric cut-off in Kendall)", error=round(hip.error_deg, 2)),
        Evidence("trunk_lean_deg", round(trunk.value_deg, 2), "deg", "<", round(-k * trunk.error_deg, 2),
                 SOURCE + "; margin = measurement error (no numeric cut-off in Kendall)", error=round(trunk.error_deg, 2)),
    )
    if crit["pelvis_forward_of_plumb"] and crit["upper_trunk_behind_pelvis"]:
        support = int(crit["knee_hyperextended"]) + int(crit["head_forward"])
        conf = "moderate" if support else "low"
        summary = {**base, "type": "sway-back", "confidence": conf, "criteria": crit, "values": values,
                   "uncertainty": f"both defining signs beyond {k:g} measurement errors; {support} of 2 supporting "
                   "signs (knee hyperextension, forward head) present; spinal curves not seen"}
        return summary, Finding("posture_sway_back", "present", severity=1, evidence=ev,
                                reason=f"sway-back alignment ({conf} confidence from landmarks)")
    aligned = (abs(z(hip)) <= k and abs(z(trunk)) <= k and (knee is None or abs(z(knee)) <= k)
               and not crit["head_forward"])
    if aligned:
        summary = {**base, "type": "ideal", "confidence": "low", "criteria": crit, "values": values,
                   "uncertainty": "segments on the plumb line within the measurement error; spinal curves and "
                   "pelvic tilt, which could still be faulty, are not seen"}
    else:
        summary = {**base, "type": "not distinguishable from landmarks", "criteria": crit, "values": values,
                   "uncertainty": "segments are off the plumb line but not in the sway-back pattern; "
                   "kypho-lordotic and flat-back types differ in spinal curves and pelvic tilt, not seen here"}
    return summary, Finding("posture_sway_back", "absent", evidence=ev)
