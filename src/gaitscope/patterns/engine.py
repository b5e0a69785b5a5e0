"""The pattern-rule engine: per-stride metrics + knowledge rules -> Findings.

Each rule of ``knowledge/patterns.toml`` is evaluated with three-valued logic. A condition is *true* when
the side's aggregated metric lies beyond its threshold row, *false* when it does not, and *unknown* when the
metric is missing, cannot be measured from this view, or has too few strides. A rule is ``present`` when
every group holds, ``absent`` when some group certainly fails, and ``not_assessable`` otherwise, with the
reason. Pure functions; no video or pose imports.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

import pandas as pd

from gaitscope.knowledge.analysis_settings import analysis_setting
from gaitscope.knowledge.loader import Condition, Knowledge, PatternRule, Threshold, load_knowledge
from gaitscope.patterns.aggregate import POOLED, Aggregates, aggregate_cycles
from gaitscope.types import SIDES, Evidence, Finding, GaitscopeError, Unassessable

VIEWS = ("sagittal", "frontal", "oblique", "3d")
#: Rules at or below this minimum number of strides may be relaxed (PatternContext.relaxed_min_cycles).
#: The one minimum number of strides per side (knowledge/analysis_settings.csv min_strides_variability; also
#: patterns.toml default_min_cycles, the summary's SD/CV/symmetry, README and report: tests/test_contracts.py).
_DEFAULT_MIN_CYCLES = int(analysis_setting("min_strides_variability"))
_AGG_WORDS = {
    "mean": "mean over {n} strides",
    "median": "median over {n} strides",
    "min": "minimum over {n} strides",
    "max": "maximum over {n} strides",
    "cv_pct": "coefficient of variation over {n} strides",
    "ratio_other_over_self": "other side's mean / this side's mean ({n} and {n_other} strides)",
    "ratio_self_over_other": "this side's mean / other side's mean ({n} and {n_other} strides)",
}


@dataclass(frozen=True)
class PatternContext:
    """What the rules need to know about the recording.

    Parameters
    ----------
    view
        ``"sagittal"``, ``"frontal"``, ``"oblique"`` or ``"3d"``: each threshold row is valid only for
        the views it lists (a flag must exceed the measurement error of its view).
    spatial_scale
        ``"metres"`` or ``"relative"`` (body heights): with ``"relative"`` a condition uses its
        ``threshold_rel`` row (e.g. ``step_length_rel``) instead of the metric one.
    min_cycles
        Overrides every rule's minimum number of strides (e.g. 1 for a representative mean cycle from a
        ``.mot`` file); ``None`` uses the rules' own minimum.
    not_assessable
        ``{metric: reason}`` from the analysis (e.g. why a frontal metric is missing); used as the reason.
    not_comparable
        ``{metric: reason}`` from the quality layer (``gaitscope.quality``): metrics whose two sides must not
        be compared (one is the far leg of a side-on video); a condition comparing the sides of such a metric
        is unknown with the reason (code ``far_leg``), so no asymmetry finding rests on a hidden leg.
    relaxed_min_cycles
        Lowers the minimum of the rules that use the default minimum (3 strides) to this number, for a
        short recording; rules with a larger own minimum (stride-time variability: 10) keep theirs.
        Ignored when ``min_cycles`` is given.
    """

    view: str
    spatial_scale: str = "metres"
    min_cycles: int | None = None
    not_assessable: Mapping[str, str] = field(default_factory=dict)
    relaxed_min_cycles: int | None = None
    not_comparable: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.view not in VIEWS:
            raise ValueError(f"view must be one of {VIEWS}, got {self.view!r}")
        if self.spatial_scale not in ("metres", "relative"):
            raise ValueError(f"spatial_scale must be 'metres' or 'relative', got {self.spatial_scale!r}")
        if self.min_cycles is not None and self.min_cycles < 1:
            raise ValueError("min_cycles must be at least 1")
        if self.relaxed_min_cycles is not None and self.relaxed_min_cycles < 1:
            raise ValueError("relaxed_min_cycles must be at least 1")


@dataclass(frozen=True)
class _Outcome:
    state: bool | None  # True / False / None (unknown)
    severity: int = 0
    evidence: Evidence | None = None
    reason: str = ""
    missing: Unassessable | None = None


_NEGATED = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def _and(states: Sequence[bool | None]) -> bool | None:
    if any(s is False for s in states):
        return False
    if all(s is True for s in states):
        return True
    return None


def _or(states: Sequence[bool | None]) -> bool | None:
    if any(s is True for s in states):
        return True
    if all(s is False for s in states):
        return False
    return None


def _threshold_for(cond: Condition, kb: Knowledge, ctx: PatternContext) -> Threshold:
    if ctx.spatial_scale == "relative" and cond.threshold_rel:
        return kb.thresholds[cond.threshold_rel]
    return kb.thresholds[cond.threshold]


def _evaluate_condition(cond: Condition, side: str, aggs: Aggregates, kb: Knowledge, ctx: PatternContext,
                        min_cycles: int) -> _Outcome:
    thr = _threshold_for(cond, kb, ctx)
    metric = thr.metric
    data_side = side if side == POOLED or cond.on == "self" else _other(side)
    na_side = None if data_side == POOLED else data_side

    def unknown(reason: str, code: str, **kw) -> _Outcome:
        return _Outcome(None, reason=reason, missing=Unassessable(code, metric, kw.pop("side", na_side), **kw))

    if ctx.view not in thr.views:
        views = " or ".join(thr.views)
        return unknown(f"{metric} cannot be judged from a {ctx.view} view (needs {views})", "wrong_view",
                       needs=f"a {views} view")
    st = aggs.stat(data_side, metric)
    where = "both sides together" if data_side == POOLED else f"the {data_side} side"
    if metric in ctx.not_assessable and (st is None or st.n == 0):
        return unknown(f"{metric}: {ctx.not_assessable[metric]}", "input", needs=ctx.not_assessable[metric])
    if st is None or (st.n == 0 and aggs.n_strides.get(POOLED, 0) and aggs.stat(POOLED, metric) is not None
                      and aggs.stat(POOLED, metric).n == 0):
        return unknown(f"{metric}: not measured in this recording", "not_measured")
    if st.n == 0:
        if aggs.n_strides.get(data_side, 0) > 0:
            return unknown(f"{metric}: not measured on {where} (its keypoints were not seen through a stride)",
                           "not_measured", needs="its keypoints seen through a stride")
        return unknown(f"{metric}: no strides on {where}", "no_strides", have=0, need=min_cycles)
    if st.n < min_cycles:
        return unknown(f"{metric}: only {st.n} stride(s) on {where}, need {min_cycles}", "too_few_strides",
                       have=int(st.n), need=int(min_cycles))
    n_other = 0
    if thr.aggregate.startswith("ratio"):
        if metric in ctx.not_comparable:
            return unknown(f"{metric}: {ctx.not_comparable[metric]}", "far_leg",
                           needs="each leg filmed from its own side")
        so = aggs.stat(_other(data_side), metric)
        n_other = 0 if so is None else so.n
        if so is None or so.n < min_cycles:
            return unknown(f"{metric}: only {n_other} stride(s) on the {_other(data_side)} side, need {min_cycles} "
                           "to compare sides", "too_few_strides_other_side", side=_other(data_side),
                           have=int(n_other), need=int(min_cycles))
        mine, theirs = st.mean, so.mean
        if not (math.isfinite(mine) and math.isfinite(theirs)) or mine <= 0 or theirs <= 0:
            return unknown(f"{metric}: a side ratio needs positive means", "needs_positive_means")
        value = theirs / mine if thr.aggregate == "ratio_other_over_self" else mine / theirs
    else:
        value = st.get(thr.aggregate)
    if not math.isfinite(value):
        need = "at least 2 strides" if thr.aggregate == "cv_pct" else "finite values"
        return unknown(f"{metric} {thr.aggregate} on {where}: needs {need}", "needs_values", needs=need)
    words = _AGG_WORDS.get(thr.aggregate, "share of {n} strides")
    note = f"{words.format(n=st.n, n_other=n_other)}; threshold {thr.id}"
    if thr.aggregate.startswith("frac_"):
        note = f"share of strides with {metric} = {thr.aggregate[5:]} ({st.n} strides); threshold {thr.id}"
    ev = Evidence(
        metric=metric,
        value=float(value),
        unit=thr.unit,
        comparison=thr.comparison,
        threshold=thr.value,
        source=thr.source,
        side=None if data_side == POOLED else data_side,
        note=note,
        for_side=None if side == POOLED else side,
        error=thr.error_by_view.get(ctx.view),
    )
    passed = thr.passes(value)
    if cond.unless:
        # an exclusion: it holds when the row does not pass; shown with the negated comparison so that the
        # evidence reads "value >= cut-off: met"; it never grades severity
        ev = replace(ev, comparison=_NEGATED[thr.comparison], note=f"{ev.note}; exclusion: this holds (the other reading, {thr.comparison} {thr.value:g}, would rule the pattern out)")
        return _Outcome(not passed, 0, ev)
    return _Outcome(passed, thr.severity(value) if passed else 0, ev)


@dataclass(frozen=True)
class _SideResult:
    state: bool | None
    severity: int
    primary: tuple[Evidence, ...]  # evidence of group conditions that hold (first) and the others
    supporting: tuple[Evidence, ...]
    reasons: tuple[str, ...]
    missing: tuple[Unassessable, ...] = ()


def _evaluate_side(rule: PatternRule, side: str, aggs: Aggregates, kb: Knowledge, ctx: PatternContext) -> _SideResult:
    min_cycles = ctx.min_cycles if ctx.min_cycles is not None else rule.min_cycles
    if ctx.min_cycles is None and ctx.relaxed_min_cycles is not None and rule.min_cycles <= _DEFAULT_MIN_CYCLES:
        min_cycles = min(rule.min_cycles, ctx.relaxed_min_cycles)
    group_states = []
    true_ev: list[Evidence] = []
    other_ev: list[Evidence] = []
    reasons: list[str] = []
    missing: list[Unassessable] = []
    severity = 0
    for g in rule.groups:
        outs = [_evaluate_condition(c, side, aggs, kb, ctx, min_cycles) for c in g.conditions]
        states = [o.state for o in outs]
        group_states.append(_or(states) if g.require == "any" else _and(states))
        for o in outs:
            if o.evidence is not None:
                (true_ev if o.state else other_ev).append(o.evidence)
            if o.state:
                severity = max(severity, o.severity)
            if o.state is None:
                reasons.append(o.reason)
                if o.missing is not None and o.missing not in missing:
                    missing.append(o.missing)
    state = _and(group_states)
    supporting = []
    for c in rule.supporting:
        o = _evaluate_condition(c, side, aggs, kb, ctx, min_cycles)
        if o.evidence is not None:
            supporting.append(o.evidence)
    return _SideResult(state, severity if state else 0, tuple(true_ev + other_ev), tuple(supporting), tuple(reasons),
                       tuple(missing))


_FEW = re.compile(r"^(?:(?:left|right): )?[a-z0-9_]+: (only \d+ stride\(s\) on (?:the (?:left|right) side|both sides together), need \d+)$")


def _dedupe(reasons: Sequence[str]) -> str:
    """Join reasons once each; "too few strides" reasons of several metrics collapse into one per side."""
    seen: list[str] = []
    for r in reasons:
        m = _FEW.match(r) if r else None
        if m:
            r = m.group(1)
        if r and r not in seen:
            seen.append(r)
    return "; ".join(seen)


def evaluate_rule(rule: PatternRule, aggs: Aggregates, context: PatternContext, knowledge: Knowledge | None = None) -> Finding:
    """Evaluate one rule on aggregated strides.

    Returns
    -------
    Finding
        ``status`` present/absent/not_assessable; ``side``: for per-side rules the side(s) where the
        pattern holds (``"both"`` when both), None for pooled rules; ``severity`` 0..3 (number of the
        threshold row's cut-offs passed, the largest over the holding conditions and sides);
        ``evidence``: the holding conditions first, then the other measured ones, then supporting ones;
        ``reason``: why it is not assessable.
    """
    kb = knowledge or load_knowledge()
    if rule.side_logic == "pooled":
        r = _evaluate_side(rule, POOLED, aggs, kb, context)
        ev = r.primary + r.supporting
        if r.state is True:
            return Finding(rule.code, "present", None, max(1, r.severity), ev)
        if r.state is False:
            return Finding(rule.code, "absent", None, 0, ev)
        return Finding(rule.code, "not_assessable", None, 0, ev, _dedupe(r.reasons), r.missing)
    res = {s: _evaluate_side(rule, s, aggs, kb, context) for s in SIDES}
    present = [s for s in SIDES if res[s].state is True]
    order = present + [s for s in SIDES if s not in present]
    ev = tuple(e for s in order for e in res[s].primary) + tuple(e for s in order for e in res[s].supporting)
    if present:
        side = "both" if len(present) == 2 else present[0]
        sev = max(max(1, res[s].severity) for s in present)
        return Finding(rule.code, "present", side, sev, ev)
    if all(res[s].state is False for s in SIDES):
        return Finding(rule.code, "absent", None, 0, ev)
    unknown = [s for s in SIDES if res[s].state is None]
    shared = set.intersection(*(set(res[s].reasons) for s in unknown)) if len(unknown) == 2 else set()
    reasons = [rr for s in unknown for rr in res[s].reasons if rr in shared]
    reasons += [f"{s}: {rr}" for s in unknown for rr in res[s].reasons if rr not in shared]
    missing = tuple(dict.fromkeys(m for s in unknown for m in res[s].missing))
    return Finding(rule.code, "not_assessable", None, 0, ev, _dedupe(reasons), missing)


def evaluate_patterns(
    cycles: pd.DataFrame | None,
    context: PatternContext,
    *,
    aggregates: Aggregates | None = None,
    knowledge: Knowledge | None = None,
    codes: Sequence[str] | None = None,
) -> tuple[Finding, ...]:
    """Evaluate every gait-pattern rule (or those in ``codes``) on a recording.

    Parameters
    ----------
    cycles
        The per-stride table (cycles.csv contract: one row per stride, ``side`` column, metric columns
        named as in ``gaitscope/knowledge/metrics.csv``). May be None when ``aggregates`` is given.
    context
        View, spatial scale and optional stride minimum (:class:`PatternContext`).
    aggregates
        Per-side summaries to use instead of (or computed from) ``cycles``.
    knowledge
        The knowledge base (default: the package's, validated).
    codes
        Only these pattern codes, in this order.

    Returns
    -------
    tuple of Finding
        One per rule, in the rules' order. Severity 0..3, sides ``left``/``right``/``both``/None.
        Evidence values carry the threshold row's unit (deg, ratio, m, %, fraction of strides ...).
    """
    kb = knowledge or load_knowledge()
    if aggregates is None:
        if cycles is None:
            raise GaitscopeError("evaluate_patterns needs a cycle table or aggregates; run the gait analysis first.")
        aggregates = aggregate_cycles(cycles)
    rules = kb.patterns if codes is None else tuple(kb.pattern(c) for c in codes)
    return tuple(evaluate_rule(r, aggregates, context, kb) for r in rules)
