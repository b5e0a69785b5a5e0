"""patterns stage: per-stride gait metrics + knowledge rules -> Findings (present / absent / not_assessable).

The rules, thresholds and their sources live in ``gaitscope/knowledge/patterns.toml`` and
``thresholds.csv``; see ``docs/knowledge.md``.
"""

from gaitscope.patterns.aggregate import POOLED, Aggregates, MetricStats, aggregate_cycles
from gaitscope.patterns.engine import PatternContext, evaluate_patterns, evaluate_rule

__all__ = [
    "POOLED",
    "Aggregates",
    "MetricStats",
    "PatternContext",
    "aggregate_cycles",
    "evaluate_patterns",
    "evaluate_rule",
]
