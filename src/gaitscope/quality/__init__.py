"""The quality layer between measurement and meaning (``docs/report.md``, "Quality of the values").

``analyze`` measures every stride; this layer decides which values may carry meaning before the normal
ranges, the pattern rules and the report read them:

* **steady state** (:mod:`.steady`): acceleration and deceleration strides at the ends of a walking pass are
  excluded from the statistics and the rules, and counted;
* **plausibility** (:mod:`.plausibility`): a value outside the physiological range of its metric
  (``knowledge/plausibility.csv``, with sources) is an artefact, dropped with a note;
* **visibility** (:mod:`.visibility`): in a side-on video one leg is behind the other; that far leg's joint
  angles are graded ``far``, shown greyed, not graded against a norm and never compared with the other leg
  (no symmetry value, no asymmetry finding).

Pure functions over the stride table; :func:`apply_quality` wires them.
"""

from gaitscope.quality.apply import QualityResult, apply_quality
from gaitscope.quality.plausibility import load_plausibility, plausible_mask
from gaitscope.quality.steady import steady_state_mask
from gaitscope.quality.visibility import VISIBILITY_LIMITED, leg_visibility

__all__ = ["QualityResult", "apply_quality", "load_plausibility", "plausible_mask", "steady_state_mask",
           "leg_visibility", "VISIBILITY_LIMITED"]
