"""The Assessment: everything one ``gaitscope assess`` produced, as the report reads it.

``document`` is the content of ``assessment.json`` (schema ``gaitscope.assessment``, versioned); the
pictures travel beside it: gait stills (keypoints at key events, with the decoded video frame when a real
video was given) and the posture stage's annotated images.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ASSESSMENT_SCHEMA = "gaitscope.assessment"
#: Major: a key removed/renamed or a unit/sign changed; minor: keys added.
ASSESSMENT_SCHEMA_VERSION = "1.0"


@dataclass
class Still:
    """One picture of the walk at a key event.

    ``keypoints``: name -> (x_px, y_px, score) in the image (origin top-left, +y down);
    ``image``: the upright RGB video frame ``(h, w, 3)`` uint8, or None for keypoint-only input (the report
    then draws the stick figure on a blank canvas of ``image_size_px``).
    """

    key: str
    label: str
    view: str
    side: str | None
    event: str
    frame: int
    t_s: float
    image_size_px: tuple[int, int]
    keypoints: dict[str, tuple[float, float, float]]
    image: np.ndarray | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "label": self.label, "view": self.view, "side": self.side, "event": self.event,
            "frame": int(self.frame), "t_s": round(float(self.t_s), 4), "image_size_px": list(self.image_size_px),
            "from_video_frame": self.image is not None,
            "keypoints": {k: [round(float(v[0]), 1), round(float(v[1]), 1), round(float(v[2]), 3)]
                          for k, v in self.keypoints.items()},
        }


@dataclass
class Assessment:
    """One assessment: the JSON document, the stills and the posture images (view -> JPEG file)."""

    document: dict[str, Any]
    stills: list[Still] = field(default_factory=list)
    posture_images: dict[str, Path] = field(default_factory=dict)
    out_dir: Path | None = None
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def plan_withheld(self) -> bool:
        return bool(self.document.get("plan", {}).get("withheld"))
