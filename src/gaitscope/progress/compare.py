"""Re-test comparison: the same person's assessments over time.

A clinic re-tests a client after some weeks of the plan. This module reads two or more earlier
outputs (``assess`` folders with ``assessment.json``, or ``analyze`` folders with
``summary.json``), lines up the gait values listed in ``knowledge/progress_metrics.csv`` and the
findings, and says for each value whether the change between the first and the last session
is beyond the stride-to-stride noise of those sessions:

    |after - before| > 1.96 * sqrt(SE_before^2 + SE_after^2),   SE = SD / sqrt(n strides)

(a two-sided 95 % criterion on the two sessions' stride means; it needs the SD, i.e. at least 3
strides of that side in both sessions). Where a clinically meaningful change is published (gait
speed, Perera et al. 2006), it is compared as well. Nothing here says *why* a value changed:
a different camera position, shoes or walking speed change gait values too (the output says so).
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from gaitscope.types import GaitscopeError

#: z for the two-sided 95 % criterion on the change of two stride means.
Z_95 = 1.96
SIDE_KEYS = ("both", "left", "right")
CAVEAT = ("A change can come from the body or from the recording: film each session the same way (same camera "
          "height, distance and side, same shoes, the person's usual pace).")


@dataclass(frozen=True)
class Session:
    """One earlier output, reduced to what the comparison needs."""

    path: str
    created_utc: str | None
    client: str | None
    parameters: dict[str, Any]  # summary.json parameter entries, side and frontal merged
    findings: dict[str, dict[str, Any]]  # code -> {"status", "side", "severity", "name"}
    red_flags: list[str] = field(default_factory=list)
    views: list[str] = field(default_factory=list)
    sex: str | None = None
    age_years: float | None = None
    height_m: float | None = None


def progress_metrics() -> pd.DataFrame:
    """``knowledge/progress_metrics.csv``, validated, indexed by ``metric``."""
    text = resources.files("gaitscope.knowledge").joinpath("progress_metrics.csv").read_text(encoding="utf-8")
    df = pd.read_csv(io.StringIO(text), comment="#", dtype={"meaningful_change": float})
    need = ["metric", "label", "better", "meaningful_change", "unit", "source"]
    if list(df.columns) != need:
        raise ValueError(f"progress_metrics.csv: columns must be {','.join(need)}")
    if df["metric"].duplicated().any():
        raise ValueError("progress_metrics.csv: duplicate metric")
    bad = sorted(set(df["better"]) - {"higher", "lower", "none"})
    if bad:
        raise ValueError(f"progress_metrics.csv: better must be higher, lower or none, not {bad}")
    if (df["source"].fillna("").str.len() < 10).any():
        raise ValueError("progress_metrics.csv: every row needs a source")
    return df.set_index("metric")


# --------------------------------------------------------------------------- reading sessions
def _json_in(path: Path) -> Path:
    if path.is_dir():
        for name in ("assessment.json", "summary.json"):
            if (path / name).is_file():
                return path / name
        raise GaitscopeError(f"{path}: no assessment.json or summary.json in this folder; give the output folder of "
                             "`gaitscope assess` or `gaitscope analyze`")
    if path.is_file():
        return path
    raise GaitscopeError(f"{path}: no such file or folder")


def load_session(path: str | Path) -> Session:
    """Read one earlier output (folder or its ``assessment.json`` / ``summary.json``)."""
    from gaitscope.outputs import STALE_NAME

    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    if (folder / STALE_NAME).is_file():  # docs/reliability.md: a failed or unfinished run's folder
        raise GaitscopeError(f"{folder}: holds {STALE_NAME} (the last run into it failed or did not finish, so its "
                             "results are not trustworthy); read that file, re-run the assessment, then compare")
    p = _json_in(Path(path))
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise GaitscopeError(f"{p}: not a gaitscope JSON output ({err.__class__.__name__}); give an assess or "
                             "analyze output folder") from None
    schema = doc.get("schema") if isinstance(doc, dict) else None
    if schema == "gaitscope.analysis":
        session = _from_summary(str(p), doc, created=None, client=None, red_flags=[])
        full = p.with_name("findings.json")  # every rule's status (summary.json lists the present ones)
        if full.is_file():
            try:
                fd = json.loads(full.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                fd = {}
            for f in fd.get("patterns", []) if isinstance(fd, dict) else []:
                session.findings.setdefault(f["code"], _finding_entry(f, status=f.get("status")))
        return session
    if isinstance(doc, dict) and "gait" in doc and "patterns" in doc:
        return session_from_assessment(str(p), doc)
    raise GaitscopeError(f"{p}: not a gaitscope assessment.json or summary.json; give an assess or analyze output folder")


def _finding_entry(f: dict, *, status: str | None) -> dict[str, Any]:
    """What the comparison keeps of one finding of an output."""
    return {"status": status, "side": f.get("side"), "severity": f.get("severity"), "name": f.get("name", f["code"])}


def _from_summary(path: str, s: dict, *, created: str | None, client: str | None, red_flags: list[str]) -> Session:
    findings = {}
    for f in (s.get("findings") or {}).get("present", []):
        findings[f["code"]] = _finding_entry(f, status="present")
    return Session(path, created, client, dict(s.get("parameters") or {}), findings, red_flags, [s.get("view", "")])


def session_from_assessment(path: str, d: dict) -> Session:
    """A :class:`Session` from an assessment document (``assessment.json`` content)."""
    params: dict[str, Any] = {}
    views = []
    gait = d.get("gait") or {}
    for part in ("side", "frontal"):  # the side video first: its sagittal values; frontal values from the frontal walk
        summ = (gait.get(part) or {}).get("summary") or {}
        if summ:
            views.append(summ.get("view", part))
        for k, v in (summ.get("parameters") or {}).items():
            if part == "frontal" or k not in params:
                params[k] = v
    findings: dict[str, dict[str, Any]] = {}
    for f in list(d.get("patterns") or []) + list(d.get("posture_findings") or []):
        findings[f["code"]] = _finding_entry(f, status=f.get("status"))
    reds = [r.get("text") or r.get("id", "") for r in d.get("red_flags") or []]
    c = d.get("client") or {}
    return Session(path, d.get("created_utc"), c.get("name"), params, findings, reds, views,
                   sex=c.get("sex"), age_years=c.get("age_years"), height_m=c.get("height_m"))


#: Heights typed at two visits of one adult differ by at most this (self-reported height, Gorber et al. 2007).
SAME_PERSON_HEIGHT_TOL_M = 0.03


def _years_between(a: str | None, b: str | None) -> float | None:
    from datetime import datetime

    try:
        ta, tb = (datetime.strptime(x, "%Y-%m-%dT%H:%M:%SZ") for x in (a, b))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return (tb - ta).days / 365.25


def identity_conflicts(sessions: list[Session]) -> list[str]:
    """Why the sessions may not be one person: different names, one named and one not, different sex, heights
    more than 3 cm apart, or ages that do not fit the dates. Empty when nothing contradicts one person."""
    out: list[str] = []
    names = [(s.client or "").strip().casefold() or None for s in sessions]
    if len({n for n in names if n}) > 1:
        out.append("the outputs name different clients (" + ", ".join(sorted({s.client for s in sessions if s.client})) + ")")
    elif any(names) and not all(names):
        out.append("one output names the client and another does not")
    sexes = {s.sex for s in sessions if s.sex}
    if len(sexes) > 1:
        out.append("the recorded sex differs (" + ", ".join(sorted(sexes)) + ")")
    hs = [float(s.height_m) for s in sessions if isinstance(s.height_m, (int, float))]
    if hs and max(hs) - min(hs) > SAME_PERSON_HEIGHT_TOL_M:
        out.append(f"the heights differ by {100 * (max(hs) - min(hs)):.0f} cm")
    aged = [s for s in sessions if isinstance(s.age_years, (int, float))]
    for a, b in zip(aged, aged[1:]):
        gap = _years_between(a.created_utc, b.created_utc)
        d = float(b.age_years) - float(a.age_years)
        if d < -1 or (gap is not None and d > gap + 1) or (gap is None and abs(d) > 5):
            out.append(f"the ages ({a.age_years:g} and {b.age_years:g}) do not fit the dates")
            break
    return out


def check_same_person(sessions: list[Session], *, same_person: bool = False) -> list[str]:
    """The identity check of every comparison (``progress`` and ``assess --previous``).

    Returns the :func:`identity_conflicts` (then the first caveat of the comparison) when ``same_person``
    says the user checked; raises :class:`GaitscopeError` with one sentence when they were not overridden.
    """
    conflicts = identity_conflicts(sessions)
    if conflicts and not same_person:
        raise GaitscopeError("these outputs may be of different people (" + "; ".join(conflicts) + "), so nothing "
                             "was compared; give outputs of one person, or add --same-person if they are")
    return conflicts


# --------------------------------------------------------------------------- comparing
def _finding_name(code: str, given: str) -> str:
    """The rule's plain name (knowledge/patterns.toml) when the output stored only its code."""
    if given and given != code:
        return given
    from gaitscope.knowledge.loader import load_knowledge

    names = {r.code: r.name for r in load_knowledge().patterns}
    if code in names:
        return names[code]
    words = code.removeprefix("posture_").replace("_", " ")
    return ("Posture: " if code.startswith("posture_") else "") + words
def _stat(entry: dict | None, key: str) -> tuple[float, float | None, int] | None:
    if not entry or key not in entry:
        return None
    s = entry[key]
    mean = s.get("mean")
    if mean is None or not math.isfinite(float(mean)):
        return None
    sd = s.get("sd")
    return float(mean), (float(sd) if sd is not None else None), int(s.get("n", 0))


def _error(entry: dict | None) -> tuple[float, str] | None:
    """The measurement error a summary parameter carries (``error``: {"value", "source"} from
    ``knowledge/measurement_error.csv`` or a frontal view's measured error), or None."""
    err = (entry or {}).get("error")
    if isinstance(err, dict):
        v, src = err.get("value"), str(err.get("source", ""))
    else:
        v, src = err, str((entry or {}).get("error_source", ""))
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(float(v)):
        return None
    return float(v), src


def _beyond_noise(a: tuple[float, float | None, int], b: tuple[float, float | None, int]) -> bool | None:
    (m1, s1, n1), (m2, s2, n2) = a, b
    if s1 is None or s2 is None or n1 < 3 or n2 < 3:
        return None
    se = math.sqrt(s1 * s1 / n1 + s2 * s2 / n2)
    return abs(m2 - m1) > Z_95 * se


def compare_sessions(sessions: list[Session], *, same_person: bool = False) -> dict[str, Any]:
    """The progress document: per metric and side the values of every session and the first -> last change.

    Returns
    -------
    dict
        ``sessions`` (path, date, client, views), ``metrics`` (rows: ``metric``, ``label``, ``side``, ``unit``,
        ``values`` (one per session, None where not measured), ``change`` (last - first), ``beyond_noise``
        (True/False, None when a session has fewer than 3 strides), ``noise_note``, ``meaningful``
        (True/False, None when no meaningful change is published), ``direction`` (``better``/``worse``/``""``),
        ``source``, ``errors`` (the measurement error of each session's value, None where unknown),
        ``change_error`` (the sum of the first and last values' errors), ``error_source``), ``findings`` (per code: statuses and the first -> last reading: ``resolved``, ``new``,
        ``persisting``, ``not comparable``; only findings present in some session), ``red_flags`` of the latest
        session, ``caveats``.
    """
    if len(sessions) < 2:
        raise GaitscopeError("progress needs at least two outputs to compare (earliest first)")
    conflicts = check_same_person(sessions, same_person=same_person)
    resorted = False
    if all(s.created_utc for s in sessions):
        ordered = sorted(sessions, key=lambda s: s.created_utc)
        resorted = [s.path for s in ordered] != [s.path for s in sessions]
        sessions = ordered
    table = progress_metrics()
    first, last = sessions[0], sessions[-1]
    rows = []
    for metric, m in table.iterrows():
        for side in SIDE_KEYS:
            stats = [_stat(s.parameters.get(metric), side) for s in sessions]
            if all(x is None for x in stats):
                continue
            row: dict[str, Any] = {
                "metric": metric, "label": m["label"], "side": side,
                "unit": (sessions[-1].parameters.get(metric) or sessions[0].parameters.get(metric) or {}).get("unit", m["unit"]),
                "values": [None if x is None else round(x[0], 4) for x in stats],
                "n_strides": [None if x is None else x[2] for x in stats],
                "change": None, "beyond_noise": None, "noise_note": "", "meaningful": None, "direction": "",
                "source": m["source"],
            }
            # the measurement error beside each value (the same error the gait tables show) and of the change:
            # the sum of the two values' errors (no assumption that they cancel)
            errs = [_error(s.parameters.get(metric)) if x is not None else None for s, x in zip(sessions, stats)]
            row["errors"] = [None if x is None else round(x[0], 4) for x in errs]
            row["change_error"] = (round(errs[0][0] + errs[-1][0], 4)
                                   if errs[0] is not None and errs[-1] is not None and len(errs) > 1 else None)
            row["error_source"] = next((x[1] for x in reversed(errs) if x is not None and x[1]), "")
            a, b = stats[0], stats[-1]
            if a is not None and b is not None:
                change = b[0] - a[0]
                row["change"] = round(change, 4)
                row["beyond_noise"] = _beyond_noise(a, b)
                if row["beyond_noise"] is None:
                    row["noise_note"] = "not judged: needs at least 3 strides of this side in both sessions"
                mc = m["meaningful_change"]
                if isinstance(mc, float) and math.isfinite(mc):
                    row["meaningful"] = abs(change) >= mc
                if m["better"] != "none" and row["beyond_noise"]:
                    up = change > 0
                    row["direction"] = "better" if up == (m["better"] == "higher") else "worse"
            rows.append(row)
    codes = sorted({c for s in sessions for c in s.findings})
    findings = []
    for code in codes:
        states = [s.findings.get(code) for s in sessions]
        st = [None if x is None else x.get("status") for x in states]
        f0, f1 = st[0], st[-1]
        if f0 == "present" and f1 == "absent":
            reading = "resolved"
        elif f0 == "absent" and f1 == "present":
            reading = "new"
        elif f0 == "present" and f1 == "present":
            reading = "persisting"
        elif f0 == "absent" and f1 == "absent":
            reading = "absent"
        else:
            reading = "not comparable"
        if reading == "absent" or "present" not in st:  # only what was found at some point
            continue
        name = _finding_name(code, next((x["name"] for x in states if x and x.get("name")), code))
        findings.append({
            "code": code, "name": name, "reading": reading,
            "statuses": [None if x is None else {"status": x.get("status"), "side": x.get("side"),
                                                 "severity": x.get("severity")} for x in states],
        })
    caveats = [CAVEAT]
    if resorted:
        caveats.insert(0, "the assessments were put in the order of their dates (earliest first)")
    elif not all(s.created_utc for s in sessions):
        caveats.insert(0, "some outputs carry no date (analyze outputs): they are compared in the order given, "
                          "earliest first")
    if conflicts:
        caveats.insert(0, "compared as one person because --same-person was given, although "
                       + "; ".join(conflicts))
    elif not any(s.client for s in sessions) and not any(s.sex or s.height_m for s in sessions):
        caveats.insert(0, "no output records who was filmed: make sure they are the same person")
    if any(s.views != sessions[0].views for s in sessions):
        caveats.append("the sessions were filmed from different views; only values measured in both are compared")
    return {
        "schema": "gaitscope.progress", "schema_version": "1.0",
        "note": "Screening, not diagnosis: a change beyond the stride-to-stride noise is a measured change in how the "
                "person walked on those days, not proof that a treatment worked.",
        "sessions": [{"path": s.path, "created_utc": s.created_utc, "client": s.client, "views": s.views} for s in sessions],
        "criterion": "beyond noise: |last - first| > 1.96 * sqrt(SE_first^2 + SE_last^2), SE = stride SD / sqrt(n)",
        "error_note": "error: the measurement error of each value (knowledge/measurement_error.csv, or the frontal "
                      "view's measured error), as in the gait tables; the error of a change is the sum of the two "
                      "values' errors. A change smaller than its error may be measurement, not walking.",
        "metrics": rows,
        "findings": findings,
        "red_flags": list(last.red_flags),
        "caveats": caveats,
    }


# --------------------------------------------------------------------------- writing
def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 10 else f"{v:.1f}"
    return str(v)


def progress_markdown(doc: dict[str, Any]) -> str:
    """A plain-text (Markdown) version of the progress document for the clinic's notes."""
    n = len(doc["sessions"])
    lines = ["# Gait re-test comparison", "", doc["note"], ""]
    if doc["red_flags"]:
        lines += ["**Red flags were reported in the latest assessment: urgent medical review first; the exercise "
                  "pathway stays on hold.** " + "; ".join(doc["red_flags"]), ""]
    for i, s in enumerate(doc["sessions"], 1):
        lines.append(f"- session {i}: {s['created_utc'] or 'date unknown'} - {s['path']}")
    lines += ["", f"Criterion: {doc['criterion']}.", ""]
    if doc.get("error_note"):
        lines += [f"Error: {doc['error_note']}", ""]
    head = "| measure | side | " + " | ".join(f"session {i}" for i in range(1, n + 1)) + " | change | beyond noise | meaningful | |"
    lines += [head, "|" + "---|" * (n + 6)]
    for r in doc["metrics"]:
        bn = {True: "yes", False: "no", None: "not judged"}[r["beyond_noise"]]
        mf = {True: "yes", False: "no", None: "-"}[r["meaningful"]]
        errs = r.get("errors") or [None] * len(r["values"])
        vals = " | ".join(_fmt(v) + (f" (error {_fmt(er)})" if v is not None and er is not None else "")
                          for v, er in zip(r["values"], errs))
        ch = _fmt(r["change"]) + (f" (error {_fmt(r['change_error'])})"
                                  if r["change"] is not None and r.get("change_error") is not None else "")
        lines.append(f"| {r['label']} ({r['unit']}) | {r['side']} | {vals} | {ch} | {bn} | {mf} | {r['direction']} |")
    lines += ["", "Findings (first -> last session):", ""]
    if not doc["findings"]:
        lines.append("- none present in any session")
    for f in doc["findings"]:
        sts = ", ".join("-" if x is None else f"{x['status']}{' ' + x['side'] if x.get('side') else ''}"
                        f"{' (severity ' + str(x['severity']) + ')' if x.get('status') == 'present' else ''}"
                        for x in f["statuses"])
        lines.append(f"- {f['name']}: {f['reading']} ({sts})")
    lines += [""] + [f"Note: {c}" for c in doc["caveats"]]
    return "\n".join(lines) + "\n"


def write_progress(doc: dict[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """Write ``progress.json`` and ``progress.md`` into ``out_dir`` (created if needed)."""
    from gaitscope.outputs import write_text

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {"json": out / "progress.json", "markdown": out / "progress.md"}
    write_text(files["json"], json.dumps(doc, indent=1))
    write_text(files["markdown"], progress_markdown(doc))
    return files
