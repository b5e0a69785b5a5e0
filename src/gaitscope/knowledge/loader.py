"""Load and validate the reasoning knowledge: metrics, thresholds, pattern rules, chain, exercises, advice.

The files live beside this module (``metrics.csv``, ``thresholds.csv``, ``patterns.toml``, ``chain.toml``,
``exercises.toml``, ``advice.toml``) and are read with :mod:`importlib.resources`. Everything is checked on
load: units, sources, cross references (every rule's metric is a canonical metric, every threshold id
exists, every chain edge has a mechanism, an evidence level and a source, every exercise target is a chain
node ...), that every threshold departs from its normal reference by more than the measurement error of
each view it is valid for, and that no text claims causation. A failed check raises :class:`KnowledgeError`
naming the file and the row.

:func:`load_knowledge` returns one immutable :class:`Knowledge` (cached); its ``stamp`` (version plus a
content hash) is written into every stored result so an assessment says which knowledge produced it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from gaitscope.types import GaitscopeError

FILES: tuple[str, ...] = (
    "metrics.csv",
    "thresholds.csv",
    "patterns.toml",
    "chain.toml",
    "exercises.toml",
    "advice.toml",
)
VIEWS: tuple[str, ...] = ("sagittal", "frontal", "oblique", "3d")
COMPARISONS: tuple[str, ...] = (">", "<", ">=", "<=")
EVIDENCE_LEVELS: tuple[str, ...] = ("strong", "moderate", "limited", "expert_opinion")
NODE_KINDS: tuple[str, ...] = ("impairment", "movement", "load", "outcome")
BASE_AGGREGATES: tuple[str, ...] = ("mean", "median", "min", "max", "cv_pct", "ratio_other_over_self", "ratio_self_over_other")
#: Words that claim causation; forbidden in every knowledge text and every output sentence.
CAUSAL_RE = re.compile(r"\b(cause[sd]?|causing|causal(ly)?)\b", re.IGNORECASE)


class KnowledgeError(GaitscopeError):
    """A knowledge file is malformed or inconsistent (names the file and the row)."""


# --------------------------------------------------------------------------------------- records
@dataclass(frozen=True)
class MetricDef:
    """One canonical metric (a cycles.csv column)."""

    name: str
    unit: str
    kind: str  # identity | numeric | categorical
    plane: str
    description: str



#: The comparisons a threshold row (and an Evidence) may use.
COMPARISONS = (">", ">=", "<", "<=")


def compare(value: float, comparison: str, threshold: float) -> bool | None:
    """The one threshold comparison (rules, pipeline and report): ``value comparison threshold``.

    None when either number is missing or not finite (nothing can be said); unknown comparisons raise.
    """
    if comparison not in COMPARISONS:
        raise ValueError(f"unknown comparison {comparison!r}; use one of {COMPARISONS}")
    try:
        v, t = float(value), float(threshold)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(v) and math.isfinite(t)):
        return None
    return {">": v > t, ">=": v >= t, "<": v < t, "<=": v <= t}[comparison]


@dataclass(frozen=True)
class Threshold:
    """One threshold row of ``thresholds.csv``.

    ``value``, ``moderate`` and ``severe`` are the cut-offs for severity 1, 2 and 3; for ``>`` and ``>=``
    they increase, for ``<`` and ``<=`` they decrease.
    """

    id: str
    metric: str
    aggregate: str
    unit: str
    comparison: str
    value: float
    moderate: float
    severe: float
    normal_ref: float
    views: tuple[str, ...]
    error_by_view: Mapping[str, float]
    source: str
    derivation: str = ""

    def passes(self, x: float, cut: float | None = None) -> bool:
        """Whether ``x`` lies beyond ``cut`` (default: the mild cut-off) in the row's direction."""
        return bool(compare(x, self.comparison, self.value if cut is None else cut))

    def severity(self, x: float) -> int:
        """0 (within the threshold) .. 3: how many of the cut-offs ``x`` passes."""
        if not math.isfinite(x):
            return 0
        return sum(self.passes(x, c) for c in (self.value, self.moderate, self.severe))


@dataclass(frozen=True)
class Condition:
    """A metric compared with a threshold row, read from this side's strides or the other side's."""

    metric: str
    threshold: str
    threshold_rel: str | None = None
    on: str = "self"  # self | other
    unless: bool = False  # holds when the threshold row does NOT pass (an exclusion); never grades severity


@dataclass(frozen=True)
class Group:
    require: str  # any | all
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class PatternRule:
    code: str
    name: str
    description: str
    side_logic: str  # per_side | pooled
    groups: tuple[Group, ...]
    supporting: tuple[Condition, ...]
    min_cycles: int

    @property
    def metrics(self) -> tuple[str, ...]:
        """Every metric the rule reads (groups first, then supporting), without repeats."""
        seen: list[str] = []
        for c in [c for g in self.groups for c in g.conditions] + list(self.supporting):
            if c.metric not in seen:
                seen.append(c.metric)
        return tuple(seen)


@dataclass(frozen=True)
class ChainNode:
    id: str
    label: str
    region: str
    kind: str


@dataclass(frozen=True)
class ChainEdge:
    source: str
    target: str
    mechanism: str
    evidence: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Activation:
    finding: str
    node: str
    side: str  # same | opposite | none
    weight: float
    template: str


@dataclass(frozen=True)
class Dose:
    sets: int
    reps: int | None
    hold_s: int | None
    each_side: bool
    per_week: int
    per_day: int = 1

    def text(self) -> str:
        """The dose in words, e.g. ``"3 x 12 reps each side, 3x/week"``."""
        parts = [f"{self.sets} x"]
        if self.reps is not None:
            parts.append(f"{self.reps} reps")
            if self.hold_s is not None:
                parts.append(f"(hold {self.hold_s} s)")
        elif self.hold_s is not None:
            parts.append(f"{self.hold_s} s hold")
        if self.each_side:
            parts.append("each side")
        freq = f"{self.per_week}x/week" if self.per_day == 1 else f"{self.per_day}x/day, {self.per_week} days/week"
        return " ".join(parts) + f", {freq}"


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    category: str
    targets: tuple[str, ...]
    dose: Dose
    instructions: str
    progression: str
    regression: str
    contraindications: tuple[str, ...]
    avoid_if: tuple[str, ...]
    source: str
    position: str = "standing"
    substitute_for: tuple[str, ...] = ()
    programme: str = ""
    progression_avoid_if: tuple[str, ...] = ()
    safe_progression: str = ""


#: How a person gets into an exercise; floor and kneeling ones need a safe floor transfer.
POSITIONS = ("floor", "kneeling", "seated", "standing")
FLOOR_POSITIONS = ("floor", "kneeling")


@dataclass(frozen=True)
class Programme:
    """A fixed programme (the balance-and-strength falls programme): title, intro, exercise ids, source."""

    id: str
    title: str
    intro: str
    exercises: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Advice:
    id: str
    category: str
    title: str
    text: str
    triggers: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Knowledge:
    """Everything the reasoning stages need, validated and immutable."""

    metrics: Mapping[str, MetricDef]
    thresholds: Mapping[str, Threshold]
    patterns: tuple[PatternRule, ...]
    nodes: Mapping[str, ChainNode]
    edges: tuple[ChainEdge, ...]
    activations: tuple[Activation, ...]
    evidence_weights: Mapping[str, float]
    outcome_node: str
    exercises: tuple[Exercise, ...]
    exercise_categories: tuple[str, ...]
    contraindication_flags: Mapping[str, str]
    advice: tuple[Advice, ...]
    advice_categories: tuple[str, ...]
    version: str
    stamp: str
    texts: Mapping[str, str] = field(repr=False, default_factory=dict)
    programmes: Mapping[str, Programme] = field(default_factory=dict)

    def pattern(self, code: str) -> PatternRule:
        for p in self.patterns:
            if p.code == code:
                return p
        raise KeyError(f"no pattern rule {code!r}")

    def exercise(self, ex_id: str) -> Exercise:
        for e in self.exercises:
            if e.id == ex_id:
                return e
        raise KeyError(f"no exercise {ex_id!r}")


# --------------------------------------------------------------------------------------- helpers
def _fail(file: str, msg: str) -> KnowledgeError:
    return KnowledgeError(f"gaitscope/knowledge/{file}: {msg}; fix the file (see docs/knowledge.md).")


def _csv_rows(text: str) -> list[dict[str, str]]:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def _float(file: str, row_id: str, col: str, s: str) -> float:
    try:
        x = float(s)
    except (TypeError, ValueError):
        raise _fail(file, f"row {row_id!r}: {col} {s!r} is not a number") from None
    if not math.isfinite(x):
        raise _fail(file, f"row {row_id!r}: {col} must be finite")
    return x


def _need(file: str, where: str, d: Mapping[str, Any], key: str, typ: type | tuple[type, ...] = str) -> Any:
    if key not in d:
        raise _fail(file, f"{where}: missing {key!r}")
    v = d[key]
    if not isinstance(v, typ) or (isinstance(v, str) and not v.strip()):
        raise _fail(file, f"{where}: {key!r} must be a non-empty {getattr(typ, '__name__', typ)}")
    return v


def _read_texts(directory: Path | None) -> dict[str, str]:
    texts = {}
    for name in FILES:
        if directory is None:
            texts[name] = resources.files("gaitscope.knowledge").joinpath(name).read_text(encoding="utf-8")
        else:
            p = Path(directory) / name
            if not p.is_file():
                raise KnowledgeError(f"{p}: knowledge file missing; copy it from gaitscope/knowledge/.")
            texts[name] = p.read_text(encoding="utf-8")
    return texts


def _toml(file: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(file, f"not valid TOML ({exc})") from None


# --------------------------------------------------------------------------------------- parsers
def _parse_metrics(text: str) -> dict[str, MetricDef]:
    f = "metrics.csv"
    out: dict[str, MetricDef] = {}
    for r in _csv_rows(text):
        name = (r.get("metric") or "").strip()
        if not name:
            raise _fail(f, "a row without a metric name")
        if name in out:
            raise _fail(f, f"duplicate metric {name!r}")
        kind = r["kind"].strip()
        if kind not in ("identity", "numeric", "categorical"):
            raise _fail(f, f"metric {name!r}: kind {kind!r} must be identity, numeric or categorical")
        unit = (r.get("unit") or "").strip()
        if kind == "numeric" and not unit:
            raise _fail(f, f"metric {name!r}: numeric metrics need a unit")
        if not (r.get("description") or "").strip():
            raise _fail(f, f"metric {name!r}: needs a description")
        out[name] = MetricDef(name, unit, kind, r["plane"].strip(), r["description"].strip())
    if not out:
        raise _fail(f, "no metrics")
    return out


def _parse_thresholds(text: str, metrics: Mapping[str, MetricDef]) -> dict[str, Threshold]:
    f = "thresholds.csv"
    out: dict[str, Threshold] = {}
    for r in _csv_rows(text):
        tid = (r.get("id") or "").strip()
        if not tid:
            raise _fail(f, "a row without an id")
        if tid in out:
            raise _fail(f, f"duplicate threshold id {tid!r}")
        metric = r["metric"].strip()
        if metric not in metrics:
            raise _fail(f, f"row {tid!r}: metric {metric!r} is not a canonical metric (metrics.csv)")
        mdef = metrics[metric]
        agg = r["aggregate"].strip()
        if mdef.kind == "categorical":
            if not agg.startswith("frac_"):
                raise _fail(f, f"row {tid!r}: a categorical metric needs a frac_<category> aggregate")
        elif mdef.kind == "numeric":
            if agg not in BASE_AGGREGATES:
                raise _fail(f, f"row {tid!r}: aggregate {agg!r} not one of {', '.join(BASE_AGGREGATES)}")
        else:
            raise _fail(f, f"row {tid!r}: identity column {metric!r} cannot be thresholded")
        unit = r["unit"].strip()
        if not unit:
            raise _fail(f, f"row {tid!r}: needs a unit")
        if agg == "mean" or agg in ("median", "min", "max"):
            if unit != mdef.unit:
                raise _fail(f, f"row {tid!r}: unit {unit!r} differs from the metric's unit {mdef.unit!r}")
        comp = r["comparison"].strip()
        if comp not in COMPARISONS:
            raise _fail(f, f"row {tid!r}: comparison {comp!r} not one of {COMPARISONS}")
        vals = [_float(f, tid, c, r[c]) for c in ("value", "moderate", "severe", "normal_ref")]
        value, moderate, severe, normal_ref = vals
        increasing = comp in (">", ">=")
        if (increasing and not value < moderate < severe) or (not increasing and not value > moderate > severe):
            raise _fail(f, f"row {tid!r}: value, moderate, severe must move away from normal in the {comp!r} direction")
        if (increasing and not normal_ref < value) or (not increasing and not normal_ref > value):
            raise _fail(f, f"row {tid!r}: normal_ref {normal_ref} must lie on the normal side of the cut-off")
        views = tuple(v.strip() for v in r["views"].split(";") if v.strip())
        if not views or any(v not in VIEWS for v in views):
            raise _fail(f, f"row {tid!r}: views {r['views']!r} must be from {VIEWS}")
        errors: dict[str, float] = {}
        for item in r["error_by_view"].split(";"):
            if not item.strip():
                continue
            k, _, v = item.partition(":")
            errors[k.strip()] = _float(f, tid, f"error_by_view[{k.strip()}]", v)
        for v in views:
            if v not in errors:
                raise _fail(f, f"row {tid!r}: no measurement error given for view {v!r}")
            if abs(value - normal_ref) <= errors[v]:
                raise _fail(
                    f,
                    f"row {tid!r}: the cut-off {value} is within the {v} measurement error ({errors[v]}) of the "
                    f"normal value {normal_ref}; a flag must exceed the error of its view (drop the view or move the cut-off)",
                )
        source = (r.get("source") or "").strip()
        if len(source) < 10:
            raise _fail(f, f"row {tid!r}: needs a source (author, year, journal or guideline)")
        out[tid] = Threshold(tid, metric, agg, unit, comp, value, moderate, severe, normal_ref, views,
                             dict(errors), source, (r.get("derivation") or "").strip())
    return out


def _parse_condition(f: str, where: str, d: Mapping[str, Any], metrics: Mapping[str, MetricDef],
                     thresholds: Mapping[str, Threshold]) -> Condition:
    metric = _need(f, where, d, "metric")
    tid = _need(f, where, d, "threshold")
    if metric not in metrics:
        raise _fail(f, f"{where}: metric {metric!r} is not a canonical metric (metrics.csv)")
    for key in ("threshold", "threshold_rel"):
        t = d.get(key)
        if t is None:
            continue
        if t not in thresholds:
            raise _fail(f, f"{where}: {key} {t!r} is not a row of thresholds.csv")
    if thresholds[tid].metric != metric:
        raise _fail(f, f"{where}: threshold {tid!r} is for {thresholds[tid].metric!r}, not {metric!r}")
    on = d.get("on", "self")
    if on not in ("self", "other"):
        raise _fail(f, f"{where}: on must be 'self' or 'other'")
    unless = d.get("unless", False)
    if not isinstance(unless, bool):
        raise _fail(f, f"{where}: unless must be true or false")
    return Condition(metric, tid, d.get("threshold_rel"), on, unless)


def _parse_patterns(text: str, metrics: Mapping[str, MetricDef], thresholds: Mapping[str, Threshold]) -> tuple[tuple[PatternRule, ...], str]:
    f = "patterns.toml"
    data = _toml(f, text)
    meta = data.get("meta", {})
    version = _need(f, "[meta]", meta, "version")
    default_min = int(_need(f, "[meta]", meta, "default_min_cycles", int))
    rules: list[PatternRule] = []
    for i, p in enumerate(data.get("pattern", [])):
        where = f"pattern #{i + 1}"
        code = _need(f, where, p, "code")
        where = f"pattern {code!r}"
        if any(r.code == code for r in rules):
            raise _fail(f, f"duplicate pattern code {code!r}")
        side_logic = p.get("side_logic", "per_side")
        if side_logic not in ("per_side", "pooled"):
            raise _fail(f, f"{where}: side_logic must be per_side or pooled")
        groups = []
        for j, g in enumerate(p.get("group", [])):
            req = g.get("require", "all")
            if req not in ("any", "all"):
                raise _fail(f, f"{where} group {j + 1}: require must be any or all")
            conds = tuple(_parse_condition(f, f"{where} group {j + 1}", c, metrics, thresholds) for c in g.get("conditions", []))
            if not conds:
                raise _fail(f, f"{where} group {j + 1}: no conditions")
            groups.append(Group(req, conds))
        if not groups:
            raise _fail(f, f"{where}: needs at least one [[pattern.group]]")
        supporting = tuple(_parse_condition(f, f"{where} supporting", c, metrics, thresholds) for c in p.get("supporting", []))
        allc = [c for g in groups for c in g.conditions] + list(supporting)
        if side_logic == "pooled" and any(
            thresholds[c.threshold].aggregate.startswith("ratio") or c.on == "other" for c in allc
        ):
            raise _fail(f, f"{where}: a pooled rule cannot compare sides")
        rules.append(PatternRule(
            code=code,
            name=_need(f, where, p, "name"),
            description=_need(f, where, p, "description"),
            side_logic=side_logic,
            groups=tuple(groups),
            supporting=supporting,
            min_cycles=int(p.get("min_cycles", default_min)),
        ))
    if not rules:
        raise _fail(f, "no [[pattern]] rules")
    return tuple(rules), version


def _parse_chain(text: str, pattern_codes: set[str]):
    f = "chain.toml"
    data = _toml(f, text)
    meta = data.get("meta", {})
    version = _need(f, "[meta]", meta, "version")
    outcome = _need(f, "[meta]", meta, "outcome")
    weights = data.get("evidence_weights", {})
    if set(weights) != set(EVIDENCE_LEVELS):
        raise _fail(f, f"[evidence_weights] must give exactly {EVIDENCE_LEVELS}")
    nodes: dict[str, ChainNode] = {}
    for i, n in enumerate(data.get("node", [])):
        nid = _need(f, f"node #{i + 1}", n, "id")
        if nid in nodes:
            raise _fail(f, f"duplicate node {nid!r}")
        kind = _need(f, f"node {nid!r}", n, "kind")
        if kind not in NODE_KINDS:
            raise _fail(f, f"node {nid!r}: kind must be one of {NODE_KINDS}")
        nodes[nid] = ChainNode(nid, _need(f, f"node {nid!r}", n, "label"), _need(f, f"node {nid!r}", n, "region"), kind)
    if outcome not in nodes:
        raise _fail(f, f"outcome node {outcome!r} is not a node")
    edges: list[ChainEdge] = []
    for i, e in enumerate(data.get("edge", [])):
        where = f"edge #{i + 1}"
        s, t = _need(f, where, e, "source"), _need(f, where, e, "target")
        where = f"edge {s} -> {t}"
        for end in (s, t):
            if end not in nodes:
                raise _fail(f, f"{where}: unknown node {end!r}")
        if s == t:
            raise _fail(f, f"{where}: a node cannot point to itself")
        if any(x.source == s and x.target == t for x in edges):
            raise _fail(f, f"duplicate {where}")
        ev = _need(f, where, e, "evidence")
        if ev not in EVIDENCE_LEVELS:
            raise _fail(f, f"{where}: evidence {ev!r} must be one of {EVIDENCE_LEVELS}")
        srcs = e.get("sources", [])
        if not srcs or not all(isinstance(x, str) and len(x.strip()) >= 10 for x in srcs):
            raise _fail(f, f"{where}: needs at least one source")
        mech = _need(f, where, e, "mechanism")
        if len(mech.split()) < 5:
            raise _fail(f, f"{where}: the mechanism must be a sentence")
        edges.append(ChainEdge(s, t, mech.strip(), ev, tuple(srcs)))
    acts: list[Activation] = []
    for i, a in enumerate(data.get("activation", [])):
        where = f"activation #{i + 1}"
        code, node = _need(f, where, a, "finding"), _need(f, where, a, "node")
        if node not in nodes:
            raise _fail(f, f"{where}: unknown node {node!r}")
        if not (code in pattern_codes or code.startswith("posture_") or code.startswith("intake.")):
            raise _fail(f, f"{where}: finding {code!r} is not a pattern code, a posture_* code or an intake.* flag")
        side = a.get("side", "same")
        if side not in ("same", "opposite", "none"):
            raise _fail(f, f"{where}: side must be same, opposite or none")
        w = float(_need(f, where, a, "weight", (int, float)))
        if not 0 < w <= 1:
            raise _fail(f, f"{where}: weight must be in (0, 1]")
        acts.append(Activation(code, node, side, w, _need(f, where, a, "template")))
    return nodes, tuple(edges), tuple(acts), {k: float(v) for k, v in weights.items()}, outcome, version


def _parse_exercises(text: str, nodes: Mapping[str, ChainNode]):
    f = "exercises.toml"
    data = _toml(f, text)
    meta = data.get("meta", {})
    version = _need(f, "[meta]", meta, "version")
    cats = tuple(_need(f, "[meta]", meta, "category_order", list))
    flags = data.get("contraindication_flags", {})
    # intake answers that hold back a progression only (never an exercise: poor balance is what balance training
    # treats); progression_avoid_if may name them besides the contraindication flags
    progression_flags = data.get("progression_flags", {})
    if set(progression_flags) & set(flags):
        raise _fail(f, "[progression_flags] must not repeat a [contraindication_flags] name")
    out: list[Exercise] = []
    for i, e in enumerate(data.get("exercise", [])):
        eid = _need(f, f"exercise #{i + 1}", e, "id")
        where = f"exercise {eid!r}"
        if any(x.id == eid for x in out):
            raise _fail(f, f"duplicate {where}")
        cat = _need(f, where, e, "category")
        if cat not in cats:
            raise _fail(f, f"{where}: category {cat!r} not in {cats}")
        targets = tuple(e.get("targets", []))
        if not targets and not e.get("programme"):
            raise _fail(f, f"{where}: needs targets")
        for t in targets:
            if t not in nodes:
                raise _fail(f, f"{where}: target {t!r} is not a chain node (chain.toml)")
        d = _need(f, where, e, "dose", dict)
        reps, hold = d.get("reps"), d.get("hold_s")
        if reps is None and hold is None:
            raise _fail(f, f"{where}: dose needs reps or hold_s")
        for key in ("sets", "per_week"):
            if not isinstance(d.get(key), int) or d[key] < 1:
                raise _fail(f, f"{where}: dose.{key} must be a positive integer")
        if d["per_week"] > 7:
            raise _fail(f, f"{where}: dose.per_week is at most 7")
        dose = Dose(d["sets"], reps, hold, bool(d.get("each_side", False)), d["per_week"], int(d.get("per_day", 1)))
        avoid = tuple(e.get("avoid_if", []))
        pav = tuple(e.get("progression_avoid_if", []))
        for a in avoid:
            if a not in flags:
                raise _fail(f, f"{where}: avoid_if flag {a!r} is not in [contraindication_flags]")
        for a in pav:
            if a not in flags and a not in progression_flags:
                raise _fail(f, f"{where}: progression_avoid_if flag {a!r} is not in [contraindication_flags] "
                               "or [progression_flags]")
        if pav and not e.get("safe_progression"):
            raise _fail(f, f"{where}: progression_avoid_if needs a safe_progression")
        position = _need(f, where, e, "position")
        if position not in POSITIONS:
            raise _fail(f, f"{where}: position {position!r} not in {POSITIONS}")
        out.append(Exercise(
            id=eid, name=_need(f, where, e, "name"), category=cat, targets=targets, dose=dose,
            instructions=_need(f, where, e, "instructions"), progression=_need(f, where, e, "progression"),
            regression=str(e.get("regression", "")), contraindications=tuple(e.get("contraindications", [])),
            avoid_if=avoid, source=_need(f, where, e, "source"), position=position,
            substitute_for=tuple(e.get("substitute_for", [])), programme=str(e.get("programme", "")),
            progression_avoid_if=pav, safe_progression=str(e.get("safe_progression", "")),
        ))
    if not out:
        raise _fail(f, "no exercises")
    ids = {x.id for x in out}
    for x in out:
        for sub in x.substitute_for:
            if sub not in ids:
                raise _fail(f, f"exercise {x.id!r}: substitute_for names unknown exercise {sub!r}")
        if x.substitute_for and x.position in FLOOR_POSITIONS:
            raise _fail(f, f"exercise {x.id!r}: a substitute must be a standing or chair version")
    programmes = {}
    for pid, pr in data.get("programme", {}).items():
        where = f"[programme.{pid}]"
        exs = tuple(_need(f, where, pr, "exercises", list))
        for x in exs:
            if x not in ids:
                raise _fail(f, f"{where}: unknown exercise {x!r}")
            if next(e for e in out if e.id == x).programme != pid:
                raise _fail(f, f"{where}: exercise {x!r} must say programme = {pid!r}")
        programmes[pid] = Programme(pid, _need(f, where, pr, "title"), _need(f, where, pr, "intro"), exs,
                                    _need(f, where, pr, "source"))
    for x in out:
        if x.programme and x.programme not in programmes:
            raise _fail(f, f"exercise {x.id!r}: unknown programme {x.programme!r}")
    return tuple(out), cats, dict(flags), version, programmes


def _parse_advice(text: str, nodes: Mapping[str, ChainNode], pattern_codes: set[str]):
    f = "advice.toml"
    data = _toml(f, text)
    meta = data.get("meta", {})
    version = _need(f, "[meta]", meta, "version")
    cats = tuple(_need(f, "[meta]", meta, "category_order", list))
    out: list[Advice] = []
    for i, a in enumerate(data.get("advice", [])):
        aid = _need(f, f"advice #{i + 1}", a, "id")
        where = f"advice {aid!r}"
        if any(x.id == aid for x in out):
            raise _fail(f, f"duplicate {where}")
        cat = _need(f, where, a, "category")
        if cat not in cats:
            raise _fail(f, f"{where}: category {cat!r} not in {cats}")
        triggers = tuple(_need(f, where, a, "triggers", list))
        for t in triggers:
            ok = (t == "always" or t in pattern_codes or t.startswith("posture_") or t.startswith("intake.")
                  or (t.startswith("node:") and t[5:] in nodes))
            if not ok:
                raise _fail(f, f"{where}: trigger {t!r} is not a pattern code, posture_*, intake.*, node:<id> or always")
        out.append(Advice(aid, cat, _need(f, where, a, "title"), _need(f, where, a, "text"), triggers,
                          _need(f, where, a, "source")))
    return tuple(out), cats, version


# --------------------------------------------------------------------------------------- public
def parse_knowledge(texts: Mapping[str, str]) -> Knowledge:
    """Parse and validate knowledge from the text of its files (keys: the names in :data:`FILES`)."""
    for name, text in texts.items():
        for i, line in enumerate(text.splitlines(), 1):
            if CAUSAL_RE.search(line):
                raise _fail(name, f"line {i} claims causation ({CAUSAL_RE.search(line).group(0)!r}); write 'is associated with'")
    metrics = _parse_metrics(texts["metrics.csv"])
    thresholds = _parse_thresholds(texts["thresholds.csv"], metrics)
    patterns, v_pat = _parse_patterns(texts["patterns.toml"], metrics, thresholds)
    codes = {p.code for p in patterns}
    nodes, edges, acts, weights, outcome, v_chain = _parse_chain(texts["chain.toml"], codes)
    for p in patterns:
        if not any(a.finding == p.code for a in acts):
            raise _fail("chain.toml", f"pattern {p.code!r} activates no node; add an [[activation]]")
    exercises, cats, flags, v_ex, programmes = _parse_exercises(texts["exercises.toml"], nodes)
    advice, acats, v_adv = _parse_advice(texts["advice.toml"], nodes, codes)
    versions = {v_pat, v_chain, v_ex, v_adv}
    version = " / ".join(sorted(versions))
    digest = hashlib.sha256("".join(texts[n] for n in FILES).encode("utf-8")).hexdigest()[:12]
    return Knowledge(
        metrics=metrics, thresholds=thresholds, patterns=patterns, nodes=nodes, edges=edges, activations=acts,
        evidence_weights=weights, outcome_node=outcome, exercises=exercises, exercise_categories=cats,
        contraindication_flags=flags, programmes=programmes, advice=advice, advice_categories=acats, version=version,
        stamp=f"{version}+{digest}", texts=dict(texts),
    )


@lru_cache(maxsize=1)
def _load_package() -> Knowledge:
    return parse_knowledge(_read_texts(None))


def load_knowledge(directory: str | Path | None = None) -> Knowledge:
    """The validated knowledge base (the package's files are read once and cached).

    Parameters
    ----------
    directory
        ``None`` for the files shipped in ``gaitscope/knowledge`` (read with importlib.resources), or a
        folder holding edited copies of all of :data:`FILES` (for review before changing the package).

    Raises
    ------
    KnowledgeError
        When a file is missing, malformed or inconsistent; the message names the file and the row.
    """
    if directory is None:
        return _load_package()
    return parse_knowledge(_read_texts(Path(directory)))


def canonical_metrics() -> Mapping[str, MetricDef]:
    """The canonical metric names (cycles.csv columns) with unit, kind, plane and description."""
    return load_knowledge().metrics
