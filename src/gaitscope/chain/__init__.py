"""chain stage: kinetic-chain reasoning over Findings (foot -> ankle -> knee -> hip -> pelvis -> lumbar spine).

The graph, its evidence levels and sources live in ``gaitscope/knowledge/chain.toml``; see ``docs/knowledge.md``.
"""

from gaitscope.chain.reasoning import ActiveNode, ChainResult, ChainStep, Contributor, reason_chain

__all__ = ["ActiveNode", "ChainResult", "ChainStep", "Contributor", "reason_chain"]
