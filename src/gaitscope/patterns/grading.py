"""Direction-aware grading of a measured value against its reference group (``knowledge/grading.csv``).

A normal range in ``summary.json`` is mean - 1 SD .. mean + 1 SD of a reference group. A value is graded
only in the direction that is clinically worse for its metric, and only beyond 2 SD from the reference
mean (about 95 % of healthy people of the group lie within), so a fast walker or a short double support is
never a warning. Nor is it praise: a value beyond 2 SD on the side that is not graded is said as it is
("lower than 2 SD, not graded in this direction", grade ``outside_not_graded``), because our sources grade
only the other side and a value far outside the healthy band is unusual, from video often measurement error
(``docs/report.md``, "Norms and grading"). Metrics without a direction, and references not meant for the
person (children's joint angles for an adult), are not graded.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

import pandas as pd

#: How many reference SDs from the mean a value must lie, in the worse direction, to be graded outside.
GRADE_SD = 2.0
#: Step and stride time are cadence's reciprocals (cadence = 60 / step time = 120 / stride time, steps/min and s).
#: Their reference tables' 2-SD limits do not map onto each other (a reciprocal of mean - 2 SD is not mean + 2 SD
#: of the reciprocal: 84.4 steps/min is 0.711 s per step, the step-time table's limit 0.675 s), so one walk could be
#: "within" by cadence and "higher than 2 SD" by step time. With a cadence reference they are graded through the
#: cadence they imply: one pace, one grade.
CADENCE_RECIPROCAL = {"step_time_s": 60.0, "stride_time_s": 120.0}


@lru_cache(maxsize=1)
def load_grading() -> dict[str, dict[str, str]]:
    """``{metric: {"worse": "low"|"high"|"both"|"none", "source": text}}`` from ``knowledge/grading.csv``."""
    text = resources.files("gaitscope.knowledge").joinpath("grading.csv").read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(text), comment="#")
    bad = sorted(set(df["worse"]) - {"low", "high", "both", "none"})
    if bad:
        raise ValueError(f"grading.csv: worse must be low/high/both/none, got {bad}")
    if (df["source"].fillna("").astype(str).str.strip() == "").any():
        raise ValueError("grading.csv: every row needs a source")
    return {str(r.metric): {"worse": str(r.worse), "source": str(r.source)} for r in df.itertuples()}


def grading_band(metric: str, normal: Mapping[str, Any] | None,
                 cadence_normal: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """The grading band of a metric for a normal range (``low``/``high`` = mean -+ 1 SD), or None.

    Returns ``{"worse", "mean", "sd", "limit_low"?, "limit_high"?, "definition", "source"}``: ``limit_low`` is
    mean - 2 SD when low values are worse, ``limit_high`` mean + 2 SD when high values are worse. Step and stride
    time with ``cadence_normal`` (the cadence's normal range of the same summary) are graded through the cadence
    they imply (:data:`CADENCE_RECIPROCAL`): ``limit_high`` is then the time at the cadence's limit and
    ``via_cadence`` holds the factor and the cadence band.
    """
    band = _own_band(metric, normal)
    k = CADENCE_RECIPROCAL.get(metric)
    cad = _own_band("cadence_spm", cadence_normal) if k and band is not None else None
    if cad is None or cad.get("limit_low") is None or cad["limit_low"] <= 0 or band["worse"] != "high":
        return band
    band["limit_high"] = round(k / cad["limit_low"], 4)
    band["via_cadence"] = {"factor": k, "band": cad}
    band["definition"] = (f"graded through the cadence it implies ({k:g} / value, steps/min): only when that is lower "
                          f"than the cadence reference mean by more than {GRADE_SD:g} SD (below "
                          f"{cad['limit_low']:g} steps/min), so step time, stride time and cadence agree")
    return band


def _own_band(metric: str, normal: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The band from the metric's own normal range (:func:`grading_band` without the cadence link)."""
    if not normal or normal.get("adult_norm") is False:
        return None
    rule = load_grading().get(metric)
    lo, hi = normal.get("low"), normal.get("high")
    if rule is None or rule["worse"] == "none" or lo is None or hi is None:
        return None
    mean, sd = (float(lo) + float(hi)) / 2.0, (float(hi) - float(lo)) / 2.0
    band: dict[str, Any] = {"worse": rule["worse"], "mean": round(mean, 4), "sd": round(sd, 4)}
    if rule["worse"] in ("low", "both"):
        band["limit_low"] = round(mean - GRADE_SD * sd, 4)
    if rule["worse"] in ("high", "both"):
        band["limit_high"] = round(mean + GRADE_SD * sd, 4)
    band["definition"] = (f"graded only when {'lower' if rule['worse'] == 'low' else 'higher' if rule['worse'] == 'high' else 'lower or higher'}"
                          f" than the reference mean by more than {GRADE_SD:g} SD")
    band["source"] = rule["source"]
    return band


def grade_value(value: float | None, band: Mapping[str, Any] | None) -> dict[str, str]:
    """``{"grade": "within"|"outside"|"outside_not_graded"|"none", "direction": "lower"|"higher"|""}``.

    ``outside``: beyond the 2-SD limit in the worse direction; ``outside_not_graded``: beyond 2 SD from the
    reference mean on the side that is not graded (said as it is, neither warned nor praised: summary.json
    schema 2.0, before ``better``); ``within``: inside the 2-SD band; ``none``: no value or no band.
    ``direction`` says which side of the reference mean an ``outside`` or ``outside_not_graded`` value lies.
    """
    if value is None or band is None or not isinstance(value, (int, float)) or not math.isfinite(value):
        return {"grade": "none", "direction": ""}
    via = band.get("via_cadence")
    if via:  # a time graded through the cadence it implies: a lower cadence is a longer time
        if value <= 0:
            return {"grade": "none", "direction": ""}
        g = grade_value(via["factor"] / value, via["band"])
        return {"grade": g["grade"], "direction": {"lower": "higher", "higher": "lower"}.get(g["direction"], "")}
    lo, hi = band.get("limit_low"), band.get("limit_high")
    if lo is not None and value < lo:
        return {"grade": "outside", "direction": "lower"}
    if hi is not None and value > hi:
        return {"grade": "outside", "direction": "higher"}
    mean, sd = float(band["mean"]), float(band["sd"])
    if band["worse"] == "low" and value > mean + GRADE_SD * sd:
        return {"grade": "outside_not_graded", "direction": "higher"}
    if band["worse"] == "high" and value < mean - GRADE_SD * sd:
        return {"grade": "outside_not_graded", "direction": "lower"}
    return {"grade": "within", "direction": ""}


def ungraded_limit(band: Mapping[str, Any]) -> float | None:
    """The 2-SD line on the side of ``band`` that is not graded, in the metric's own unit (None for "both").

    Step and stride time graded through the cadence (``via_cadence``): the time at the cadence's mean + 2 SD.
    """
    via = band.get("via_cadence")
    if via:
        cad = via["band"]
        top = float(cad["mean"]) + GRADE_SD * float(cad["sd"])
        return round(via["factor"] / top, 4) if top > 0 else None
    mean, sd = float(band["mean"]), float(band["sd"])
    return {"low": round(mean + GRADE_SD * sd, 4), "high": round(mean - GRADE_SD * sd, 4)}.get(band["worse"])


def add_grades(parameters: dict[str, Any]) -> None:
    """Put ``grading`` (the band) and per-side ``grade`` into every ``summary.json`` parameter entry (in place)."""
    cadence = parameters.get("cadence_spm")
    cadence_normal = cadence.get("normal_range") if isinstance(cadence, dict) else None
    for metric, entry in parameters.items():
        if not isinstance(entry, dict):
            continue
        band = grading_band(metric, entry.get("normal_range"), cadence_normal)
        if band is None:
            entry.pop("grading", None)
            continue
        entry["grading"] = band
        for side in ("left", "right", "both"):
            d = entry.get(side)
            if isinstance(d, dict) and "mean" in d:
                d["grade"] = grade_value(d.get("mean"), band) if d.get("quality") != "far" else {
                    "grade": "none", "direction": ""}


@lru_cache(maxsize=1)
def load_measurement_errors() -> pd.DataFrame:
    """``knowledge/measurement_error.csv`` indexed by (metric, input)."""
    text = resources.files("gaitscope.knowledge").joinpath("measurement_error.csv").read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(text), comment="#")
    if (df["source"].fillna("").astype(str).str.strip() == "").any() or df.duplicated(["metric", "input"]).any():
        raise ValueError("measurement_error.csv: every row needs a source, one row per metric and input")
    return df.set_index(["metric", "input"])


def add_errors(parameters: dict[str, Any], *, source: str, height_m: float | None = None) -> None:
    """Put ``error`` ({"value", "unit", "source", "input"}) into every parameter entry with a known error.

    ``source`` is ``"video"``, ``"lab"`` or ``"markerless"`` (``PoseSequence.measured_with``; the table has no
    rows for markerless 3-D keypoints, so they get no error: none has been measured); lengths and speed from
    video scaled by a typed height also carry the height's uncertainty (``height_rel`` times the value, added).
    """
    table = load_measurement_errors()
    for metric, entry in parameters.items():
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("error"), dict):  # an error measured for this view (frontal video: pipeline)
            continue
        if (metric, source) not in table.index:
            continue
        row = table.loc[(metric, source)]
        err = float(row["error"])
        both = (entry.get("both") or {}).get("mean")
        extra = ""
        if float(row["height_rel"]) > 0 and isinstance(both, (int, float)):
            err += abs(float(both)) * float(row["height_rel"])
            extra = "; includes 2 cm of error in the typed height"
        entry["error"] = {"value": round(err, 4), "unit": str(row["unit"]), "input": source,
                          "what": "typical error of one stride's value", "source": str(row["source"]) + extra}
