"""Screenshots of the frontal overlay for docs/frontal.md (small PNGs in docs/img/).

Draws the kept skeleton (gaitscope.pose.draw_skeleton) on frames of walk_frontal_toward_camera.mp4 at a few
contacts found by `gaitscope analyze`, crops around the walker and writes 3 frames side by side.

Run:  .venv/bin/python tools/frontal_screenshots.py <analyze output folder> [video]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from gaitscope.capture.pose_csv import read_pose_csv
from gaitscope.capture.video import iter_frames, probe_video
from gaitscope.pose import draw_skeleton

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    video = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "data" / "video" / "walk_frontal_toward_camera.mp4"
    pose = read_pose_csv(out / "pose.csv")
    ev = pd.read_csv(out / "events.csv")
    ic = ev[ev["event"] == "ic"].sort_values("t_s")
    picks = [int(ic.iloc[i]["frame"]) for i in (0, len(ic) // 2, len(ic) - 1)] if len(ic) >= 3 else [40, 100, 160]
    labels = {int(r["frame"]): f"{r['side']} IC" for _, r in ic.iterrows()}
    tiles = []
    for fr in iter_frames(probe_video(video)):
        if fr.index not in picks:
            continue
        import cv2

        xy = pose.xyz[fr.index, :, :2]
        img = draw_skeleton(fr.rgb.copy(), xy, pose.score[fr.index], list(pose.names))
        ok = np.isfinite(xy).all(axis=1)
        x0, y0 = xy[ok].min(axis=0)
        x1, y1 = xy[ok].max(axis=0)
        pad = 0.12 * (y1 - y0)
        crop = img[int(max(0, y0 - pad)) : int(min(img.shape[0], y1 + pad)), int(max(0, x0 - 2 * pad)) : int(x1 + 2 * pad)]
        crop = cv2.resize(crop, (int(round(crop.shape[1] * 280 / crop.shape[0])), 280), interpolation=cv2.INTER_AREA)
        cv2.putText(crop, f"frame {fr.index} {labels.get(fr.index, '')}", (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (255, 255, 0), 1, cv2.LINE_AA)
        tiles.append(crop)
    import cv2

    sheet = np.hstack([cv2.copyMakeBorder(t, 0, 0, 0, 4, cv2.BORDER_CONSTANT) for t in tiles])
    dst = ROOT / "docs" / "img" / "frontal_overlay.png"
    cv2.imwrite(str(dst), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print(f"{dst}: frames {picks}, {dst.stat().st_size // 1024} kB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
