"""Stills for the report: the video frame and keypoints at each foot's initial contact and mid-stance.

Presentation only: they are picked from an analysis' events (:class:`gaitscope.pipeline.AnalysisResult`) and
drawn by the report; nothing here measures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from gaitscope.report.assessment import Still
from gaitscope.types import PoseSequence


def still_keypoints(pose: PoseSequence, sample: int, min_score: float = 0.3) -> dict[str, tuple[float, float, float]]:
    """Keypoints seen at one sample (score at least ``min_score``): name -> (x_px, y_px, score)."""
    kp = {}
    for j, name in enumerate(pose.names):
        x, y = pose.xyz[sample, j, 0], pose.xyz[sample, j, 1]
        s = pose.score[sample, j]
        if np.isfinite(x) and np.isfinite(y) and np.isfinite(s) and s >= min_score:
            kp[name] = (float(x), float(y), float(s))
    return kp


def event_stills(result: Any, view: str) -> list[Any]:
    """Stills at key events of one usable pass: each foot's initial contact and its single-leg mid-stance."""
    ev = result.events
    pose = getattr(result.prep, "pose", result.pose)
    if ev.empty or pose.frame != "image" or pose.image_size_px is None:
        return []
    stills = []
    usable = [int(p["index"]) for p in result.summary.get("passes", []) if p.get("usable")]
    ev = ev[ev["pass"].isin(usable)] if usable else ev.iloc[0:0]
    if ev.empty:
        return []
    passes = ev["pass"].value_counts()
    best_pass = int(passes.idxmax())
    e = ev[ev["pass"] == best_pass].sort_values("frame").reset_index(drop=True)
    for side in ("left", "right"):
        other = "right" if side == "left" else "left"
        ics = e[(e["event"] == "ic") & (e["side"] == side)]
        if ics.empty:
            continue
        mid = (e["frame"].min() + e["frame"].max()) / 2
        ic = ics.iloc[int((ics["frame"] - mid).abs().to_numpy().argmin())]
        f_ic = int(ic["frame"])
        after = e[e["frame"] > f_ic]
        fc_o = after[(after["event"] == "fc") & (after["side"] == other)]
        ic_o = after[(after["event"] == "ic") & (after["side"] == other)]
        picks = [("ic", f_ic, f"{side.capitalize()} foot lands (initial contact)")]
        if not fc_o.empty and not ic_o.empty and int(ic_o["frame"].iloc[0]) > int(fc_o["frame"].iloc[0]):
            f_ms = (int(fc_o["frame"].iloc[0]) + int(ic_o["frame"].iloc[0])) // 2
            picks.append(("midstance", f_ms, f"Standing on the {side} leg (mid-stance)"))
        for event, sample, label in picks:
            if not 0 <= sample < pose.n_frames:
                continue
            frame = int(pose.frame_index[sample]) if pose.frame_index is not None else sample
            stills.append(Still(
                key=f"{view}_{side}_{event}", label=label, view=view, side=side, event=event, frame=frame,
                t_s=float(pose.t_s[sample]), image_size_px=tuple(int(v) for v in pose.image_size_px),
                keypoints=still_keypoints(pose, sample),
            ))
    return stills


def decode_stills(video: Path, stills: list[Any]) -> None:
    """Attach the upright video frame to each still (in place)."""
    from gaitscope.capture.video import iter_frames, probe_video

    info = probe_video(video)
    for st in stills:
        if 0 <= st.frame < info.n_frames:
            frames = list(iter_frames(info, start=st.frame, stop=st.frame + 1, prefetch=0))
            if frames:
                st.image = frames[0].rgb
