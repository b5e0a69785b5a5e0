"""Markdown tables of the reasoning knowledge for docs/knowledge.md.

Run ``python -m gaitscope.knowledge.tables`` and paste the output under "Tables" in docs/knowledge.md;
``tests/test_knowledge.py`` checks that the page holds exactly this output.
"""

from __future__ import annotations

from gaitscope.knowledge.loader import Knowledge, load_knowledge


def markdown_tables(kb: Knowledge | None = None) -> str:
    """Thresholds, rules, nodes, edges, exercises and advice as Markdown tables."""
    kb = kb or load_knowledge()
    out: list[str] = ["### Thresholds", "",
                      "| id | metric (aggregate) | cut-offs mild / moderate / severe | normal | views (error) | source |",
                      "|---|---|---|---|---|---|"]
    for t in kb.thresholds.values():
        err = "; ".join(f"{v} {t.error_by_view[v]:g}" for v in t.views)
        out.append(f"| `{t.id}` | `{t.metric}` ({t.aggregate}) | {t.comparison} {t.value:g} / {t.moderate:g} / "
                   f"{t.severe:g} {t.unit} | {t.normal_ref:g} | {err} | {t.source} |")
    out += ["", "### Rules", "", "| code | side logic | present when (every group holds) | supporting evidence | min strides |",
            "|---|---|---|---|---|"]
    for p in kb.patterns:
        groups = []
        for g in p.groups:
            conds = []
            for c in g.conditions:
                t = kb.thresholds[c.threshold]
                rel = f", rel: {c.threshold_rel}" if c.threshold_rel else ""
                other = ", other side" if c.on == "other" else ""
                conds.append(f"{'NOT ' if c.unless else ''}`{c.metric}` {t.comparison} {t.value:g} ({c.threshold}{rel}{other})")
            prefix = "any of: " if g.require == "any" and len(conds) > 1 else ""
            groups.append(f"[{prefix}{'; '.join(conds)}]")
        sup = "; ".join(f"`{c.metric}` ({c.threshold}{', other side' if c.on == 'other' else ''})" for c in p.supporting) or "-"
        out.append(f"| `{p.code}` | {p.side_logic} | {' AND '.join(groups)} | {sup} | {p.min_cycles} |")
    out += ["", "### Nodes", "", "| node | label | region | kind | activated by |", "|---|---|---|---|---|"]
    for n in kb.nodes.values():
        acts = ", ".join(sorted({f"`{a.finding}` ({a.weight:g})" for a in kb.activations if a.node == n.id}))
        out.append(f"| `{n.id}` | {n.label} | {n.region} | {n.kind} | {acts or '-'} |")
    out += ["", "### Edges", "", "| source -> target | evidence | mechanism | sources |", "|---|---|---|---|"]
    for e in kb.edges:
        out.append(f"| `{e.source}` -> `{e.target}` | {e.evidence} | {e.mechanism} | {'; '.join(e.sources)} |")
    out += ["", "### Exercises", "", "| id | category | targets | dose | avoid if | source |", "|---|---|---|---|---|---|"]
    for x in kb.exercises:
        out.append(f"| `{x.id}` | {x.category} | {', '.join(x.targets)} | {x.dose.text()} | {', '.join(x.avoid_if) or '-'} | {x.source} |")
    out += ["", "### Advice", "", "| id | category | triggers | source |", "|---|---|---|---|"]
    for a in kb.advice:
        out.append(f"| `{a.id}` | {a.category} | {', '.join(a.triggers)} | {a.source} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(markdown_tables(), end="")
