"""Kinetic-chain reasoning: findings -> activated nodes -> ranked likely upstream contributors.

The graph (``knowledge/chain.toml``) reads "source is associated with target". A present finding activates
the nodes its activations name (direct evidence, weighted by the activation weight and the finding's
severity). Each activated node lends support to the nodes upstream of it (inferred evidence, damped per hop
and weighted by the edge's evidence level). Contributors are the activated or inferred *impairment* nodes
(modifiable weaknesses, tightness, structure) ranked by that score; each carries a sentence for a person
that walks from the observation to the outcome node (low back pain) along the best-evidenced path, naming
the evidence level of every link. Wording is "associated with", never a causal claim.

Pure functions; no video or pose imports.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from gaitscope.knowledge.loader import CAUSAL_RE, ChainEdge, Knowledge, load_knowledge
from gaitscope.types import Finding

#: Factor of a finding's severity (1 mild, 2 moderate, 3 severe) on its activations; intake flags count as mild.
SEVERITY_FACTOR: Mapping[int, float] = {1: 0.6, 2: 0.8, 3: 1.0}
#: Damping of support passed one edge upstream (two hops at most).
HOP_DAMPING = 0.5
MAX_HOPS = 2
_LEVEL_WORDS = {"strong": "strong evidence", "moderate": "moderate evidence", "limited": "limited evidence",
                "expert_opinion": "expert opinion"}


@dataclass(frozen=True)
class ActiveNode:
    """A chain node supported by the findings.

    ``direct``: activated by a finding or intake answer itself; else inferred upstream of one.
    ``basis``: ``measured`` (a measured finding activates it), ``inferred`` (upstream of a measured one) or
    ``answered`` (only intake answers support it: "possible (from your answers)").
    ``sides``: ``left``/``right`` for sided nodes (pelvic drop and lateral trunk lean: the stance side);
    empty for central nodes. ``score``: direct plus inferred support (unitless, for ranking only).
    """

    node: str
    label: str
    kind: str
    region: str
    sides: tuple[str, ...]
    score: float
    direct: bool
    findings: tuple[str, ...]
    sentences: tuple[str, ...]
    basis: str = "measured"


#: How sure a contributor is, by what supports it (shown beside it).
CERTAINTY = {"measured": "likely (from a finding measured in your recordings)",
             "inferred": "likely (inferred upstream of a measured finding)",
             "answered": "possible (from your answers)"}


@dataclass(frozen=True)
class ChainStep:
    """One link of a contributor's path: ``source`` is associated with ``target``."""

    source: str
    target: str
    evidence: str
    mechanism: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Contributor:
    """A likely upstream contributor, ranked (1 = most likely).

    ``evidence``: the weakest evidence level of the links drawn for it (``steps``: from the measured finding
    up to this node and on to the outcome; empty when no link exists); ``reasoning``: the chain written out
    for a person; ``path``: node ids from this node to the outcome. ``basis``/``certainty``: measured,
    inferred or answered (:data:`CERTAINTY`); answer-only contributors rank below every measured one.
    """

    rank: int
    node: str
    label: str
    side: str | None
    score: float
    direct: bool
    findings: tuple[str, ...]
    evidence: str
    path: tuple[str, ...]
    steps: tuple[ChainStep, ...]
    reasoning: str
    basis: str = "measured"
    certainty: str = ""


@dataclass(frozen=True)
class ChainResult:
    active_nodes: tuple[ActiveNode, ...]
    active_edges: tuple[tuple[str, str], ...]
    contributors: tuple[Contributor, ...]
    knowledge_stamp: str


# ----------------------------------------------------------------------------------------- helpers
def _other(side: str) -> str:
    return {"left": "right", "right": "left"}.get(side, side)


def _finding_sides(f: Finding) -> tuple[str | None, ...]:
    if f.side == "both":
        return ("left", "right")
    return (f.side,)


def _value_for(f: Finding, side: str | None) -> tuple[float, str]:
    for e in f.evidence:
        if side is None or e.side == side:
            return e.value, e.unit
    if f.evidence:
        return f.evidence[0].value, f.evidence[0].unit
    return math.nan, ""


def _render(template: str, side: str | None, value: float, unit: str) -> str:
    s = side or ""
    o = _other(side) if side else ""
    text = template.format(side=s, Side=s.capitalize(), other=o, Other=o.capitalize(), value=value, unit=unit)
    text = " ".join(text.split())
    return text[0].upper() + text[1:] if text else text


def _best_path(kb: Knowledge, start: str, goal: str) -> list[ChainEdge] | None:
    """Path maximising the product of evidence weights (Dijkstra on -log weight)."""
    out: dict[str, list[ChainEdge]] = {}
    for e in kb.edges:
        out.setdefault(e.source, []).append(e)
    best = {start: 0.0}
    prev: dict[str, ChainEdge] = {}
    heap = [(0.0, start)]
    while heap:
        cost, n = heapq.heappop(heap)
        if n == goal:
            break
        if cost > best.get(n, math.inf):
            continue
        for e in out.get(n, []):
            c = cost - math.log(kb.evidence_weights[e.evidence])
            if c < best.get(e.target, math.inf) - 1e-12:
                best[e.target] = c
                prev[e.target] = e
                heapq.heappush(heap, (c, e.target))
    if goal not in best or start == goal:
        return None
    path = []
    n = goal
    while n != start:
        e = prev[n]
        path.append(e)
        n = e.source
    return path[::-1]


def _weakest(levels: Sequence[str]) -> str:
    order = ["expert_opinion", "limited", "moderate", "strong"]
    return min(levels, key=order.index) if levels else ""


# ----------------------------------------------------------------------------------------- public
def reason_chain(
    findings: Iterable[Finding],
    *,
    intake_flags: Iterable[str] = (),
    knowledge: Knowledge | None = None,
    max_contributors: int = 5,
) -> ChainResult:
    """Trace present findings up the kinetic chain to likely contributors.

    Parameters
    ----------
    findings
        Gait pattern findings (and posture findings, codes ``posture_*``); only ``present`` ones count.
    intake_flags
        Intake answers as flags, e.g. ``"intake.long_sitting"`` (the ``intake.`` prefix may be omitted).
    knowledge
        The knowledge base (default: the package's).
    max_contributors
        How many ranked contributors to return.

    Returns
    -------
    ChainResult
        ``active_nodes`` (sorted by score), ``active_edges`` (edges between active nodes and on the
        contributors' paths, for the diagram) and ``contributors`` ranked 1..n.
    """
    kb = knowledge or load_knowledge()
    flags = {f if f.startswith("intake.") else f"intake.{f}" for f in intake_flags}
    direct: dict[str, float] = {}
    sides: dict[str, set[str]] = {}
    sentences: dict[str, list[str]] = {}
    by: dict[str, list[str]] = {}

    def activate(node: str, score: float, side: str | None, sentence: str, code: str) -> None:
        direct[node] = direct.get(node, 0.0) + score
        if side in ("left", "right"):
            sides.setdefault(node, set()).add(side)
        if sentence not in sentences.setdefault(node, []):
            sentences[node].append(sentence)
        if code not in by.setdefault(node, []):
            by[node].append(code)

    present = [f for f in findings if f.status == "present"]
    observed: dict[str, float] = {}  # node scores from measured findings only (not intake answers)
    for f in present:
        factor = SEVERITY_FACTOR.get(max(1, f.severity), 0.6)
        for a in kb.activations:
            if a.finding != f.code:
                continue
            for fs in _finding_sides(f):
                node_side = None if a.side == "none" or fs is None else (fs if a.side == "same" else _other(fs))
                value, unit = _value_for(f, fs)
                per_side = factor * a.weight / len(_finding_sides(f))
                activate(a.node, per_side, node_side, _render(a.template, fs, value, unit), f.code)
                observed[a.node] = observed.get(a.node, 0.0) + per_side
    for a in kb.activations:
        if a.finding in flags:
            activate(a.node, SEVERITY_FACTOR[1] * a.weight, None, _render(a.template, None, math.nan, ""), a.finding)

    # upstream support, damped per hop; remember the strongest explanation of each inferred node.
    # Only what was measured is traced upstream: an intake answer names its own node (a habit,
    # a history) but is not evidence for that node's other possible causes (standing on one leg
    # does not suggest a foot drop). The outcome (low back pain) is what the chain explains: it
    # is not evidence for any one of its upstream contributors either.
    inferred: dict[str, float] = {}
    via: dict[str, tuple[float, str, ChainEdge]] = {}
    frontier = {n: s for n, s in observed.items() if n != kb.outcome_node}
    for _hop in range(MAX_HOPS):
        nxt: dict[str, float] = {}
        for child, s in frontier.items():
            if child == kb.outcome_node:
                continue
            for e in kb.edges:
                if e.target != child:
                    continue
                add = s * kb.evidence_weights[e.evidence] * HOP_DAMPING
                nxt[e.source] = nxt.get(e.source, 0.0) + add
                if e.source not in direct and add > via.get(e.source, (0.0, "", e))[0]:
                    via[e.source] = (add, child, e)
                if e.source not in direct and child in sides:
                    sides.setdefault(e.source, set()).update(sides[child])
        for n, s in nxt.items():
            inferred[n] = inferred.get(n, 0.0) + s
        frontier = nxt

    nodes_all = set(direct) | set(inferred)

    def explain(n: str, seen: frozenset[str]) -> tuple[str, frozenset[str]]:
        """The chain from a finding's sentence up to node ``n`` (nodes mentioned on the way)."""
        if n in direct or n not in via or via[n][1] in seen:
            return sentences.get(n, [kb.nodes[n].label])[0], frozenset({n})
        _, child, e = via[n]
        text, mentioned = explain(child, seen | {n})
        return f"{text}, which is associated with {kb.nodes[n].label} ({_LEVEL_WORDS[e.evidence]})", mentioned | {n}

    mentioned_by: dict[str, frozenset[str]] = {}
    active = []
    for n in nodes_all:
        node = kb.nodes[n]
        is_direct = n in direct
        sent = tuple(sentences.get(n, ()))
        mentioned_by[n] = frozenset({n})
        if not is_direct and n in via:
            text, mentioned_by[n] = explain(n, frozenset())
            sent = (text,)
        basis = "measured" if n in observed else ("inferred" if n in inferred else "answered")
        active.append(ActiveNode(
            basis=basis,
            node=n, label=node.label, kind=node.kind, region=node.region,
            sides=tuple(sorted(sides.get(n, ()))), score=round(direct.get(n, 0.0) + inferred.get(n, 0.0), 6),
            direct=is_direct, findings=tuple(by.get(n, by.get(via[n][1], ()) if n in via else ())),
            sentences=sent,
        ))
    active.sort(key=lambda a: (-a.score, a.node))

    outcome = kb.outcome_node
    contributors: list[Contributor] = []
    candidates = [a for a in active if a.kind == "impairment"]

    def path_weight(a: ActiveNode) -> float:
        p = _best_path(kb, a.node, outcome)
        return math.prod(kb.evidence_weights[e.evidence] for e in p) if p else 0.0

    def via_edges(n: str) -> list[ChainEdge]:
        """The links from the measured finding's node up to ``n`` (inferred nodes), in reading order."""
        out_e: list[ChainEdge] = []
        seen: set[str] = set()
        while n in via and n not in direct and n not in seen:
            seen.add(n)
            _, child, e = via[n]
            out_e.insert(0, e)
            n = child
        return out_e

    # answer-only contributors never outrank a measured (or inferred-from-measured) one
    candidates.sort(key=lambda a: (a.basis == "answered", -a.score, -path_weight(a), a.node))
    for rank, a in enumerate(candidates[:max_contributors], 1):
        path = _best_path(kb, a.node, outcome) or []
        drawn = via_edges(a.node) + [e for e in path]
        steps = tuple(dict.fromkeys(ChainStep(e.source, e.target, e.evidence, e.mechanism, e.sources) for e in drawn))
        side = None if not a.sides else ("both" if len(a.sides) == 2 else a.sides[0])
        reasoning = ". ".join(a.sentences) if a.sentences else a.label[0].upper() + a.label[1:]
        if path:
            # nodes already named on the way up from the finding are not named again on the way to the outcome
            seen = mentioned_by.get(a.node, frozenset())
            links = [f"{kb.nodes[e.target].label} ({_LEVEL_WORDS[e.evidence]})" for e in path
                     if e.target not in seen or e.target == outcome]
            reasoning += "; this is associated with " + ", which is associated with ".join(links)
        reasoning += "."
        if a.basis == "answered":
            reasoning = "Possible (from your answers, not measured): " + reasoning[0].lower() + reasoning[1:]
        if CAUSAL_RE.search(reasoning):  # knowledge texts are checked on load; this guards the templates' output
            raise ValueError(f"causal wording in chain output: {reasoning!r}")
        contributors.append(Contributor(
            rank=rank, node=a.node, label=a.label, side=side, score=a.score, direct=a.direct,
            findings=a.findings, evidence=_weakest([st.evidence for st in steps]),
            path=tuple([a.node] + [e.target for e in path]), steps=steps, reasoning=reasoning,
            basis=a.basis, certainty=CERTAINTY[a.basis],
        ))

    active_ids = {a.node for a in active}
    edges = {(e.source, e.target) for e in kb.edges if e.source in active_ids and e.target in active_ids}
    for c in contributors:
        edges.update((s.source, s.target) for s in c.steps)
    return ChainResult(
        active_nodes=tuple(active),
        active_edges=tuple(sorted(edges)),
        contributors=tuple(contributors),
        knowledge_stamp=kb.stamp,
    )
