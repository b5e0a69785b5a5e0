"""Command-line interface: a thin shell over the stages.

Each subcommand imports its stage lazily, so ``gaitscope --help`` is fast and the analysis
commands never load the pose model. A :class:`~gaitscope.types.GaitscopeError` (a user error:
bad file, wrong view ...) is printed as one line and exits non-zero; no traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import NoReturn

from gaitscope.types import GaitscopeError


def _default_out(input_path: str, suffix: str = "_gaitscope") -> Path:
    p = Path(input_path.rstrip("/"))
    return p.parent / f"{p.stem}{suffix}"


def _workers_arg(text: str) -> int:
    """``--workers``: a whole number (its range is checked with the other numbers, ``validate.CLI_NUMBERS``)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of processes, 1 or more (got {text!r})") from None


def _max_duration_arg(text: str) -> float:
    """``--max-duration``: a finite number of seconds above 0."""
    import math

    try:
        s = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds (got {text!r})") from None
    if not (math.isfinite(s) and s > 0):
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0 (got {text!r})")
    return s


def _add_max_duration(p: argparse.ArgumentParser) -> None:
    from gaitscope.capture.video import DEFAULT_MAX_DURATION_S

    p.add_argument("--max-duration", type=_max_duration_arg, default=DEFAULT_MAX_DURATION_S, metavar="SECONDS",
                   help=f"longest video accepted, refused before any decoding (default {DEFAULT_MAX_DURATION_S:.0f} s)")


# --------------------------------------------------------------------------- commands
def _cmd_pose(args: argparse.Namespace) -> int:
    from gaitscope.pose.run import run_pose

    out = Path(args.out) if args.out else _default_out(args.video)
    result = run_pose(
        args.video,
        out_dir=out,
        backend=args.backend,
        overlay=args.overlay,
        workers=args.workers,
        progress=not args.quiet,
        force=args.force,
        mode="fast" if args.fast else "accurate",
        max_duration_s=args.max_duration,
    )
    print(result.message)
    return 0


def _cmd_phantom(args: argparse.Namespace) -> int:
    from gaitscope.phantom.cli import run_phantom_command

    print(run_phantom_command(args))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from gaitscope.demo import run_demo

    print(run_demo(Path(args.out)))
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    import json

    from gaitscope.export.data import parse_formats
    from gaitscope.pipeline import analyze

    result = analyze(
        args.input,
        height_m=args.height_m,
        out_dir=args.out,
        virtual_camera=args.virtual_camera,
        age_years=args.age_years,
        sex=args.sex,
        progress=not (args.quiet or args.json),
        rate_hz=args.fps,
        marker_map=args.marker_map,
        max_duration_s=args.max_duration,
        export=parse_formats(args.export) if args.export else None,
    )
    if args.json:
        print(json.dumps(result.summary, indent=1, allow_nan=False))
    else:
        s = result.summary
        if args.verbose:
            ms = s["input"].get("marker_set")
            if ms:
                print(f"marker set: {ms['chosen']} ({ms['source']})")
                for kp, how in ms["markers_used"].items():
                    print(f"  {kp}: {how}")
            shown = set(ms["markers_used"]) if ms else set()
            for note in s["input"].get("loader_notes", []):
                if note.split(":")[0] not in shown:
                    print(f"  note: {note}")
        n = s["n_cycles"]
        print(
            f"analysed {args.input}: view {s['view']} ({s.get('view_seen', '?')}), {s['n_passes_usable']} usable pass(es), "
            f"{n['left']} left and {n['right']} right strides -> {result.out_dir}/"
        )
        if s.get("spatial_scale") == "relative":
            print("  spatial values (step length, speed) are relative to body height: give --height-m for metres")
        if n["left"] + n["right"] == 0:
            print("  no complete stride (initial contact to the next of the same foot): only the gait events were "
                  "measured (events.csv); stride values and gait patterns are not assessable, record a longer walk")
        elif "findings" in s:
            from gaitscope.program.summary_findings import findings_lines

            print("\n".join(findings_lines(s["findings"])))
        for key, path in result.files.items():
            if key.startswith("export_"):
                print(f"exported {key.removeprefix('export_')}: {path}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from gaitscope.export.data import EXPORT_FORMATS, export_result
    from gaitscope.pipeline import analyze

    fmt = args.to
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() != EXPORT_FORMATS[fmt]:
            raise GaitscopeError(f"{out}: an export --to {fmt} needs a file name ending in {EXPORT_FORMATS[fmt]}")
    else:
        src = Path(args.input.rstrip("/"))
        out = src.parent / f"{src.stem}_gaitscope{EXPORT_FORMATS[fmt]}"
    if Path(args.input).exists() and out.resolve() == Path(args.input).resolve():
        raise GaitscopeError(f"{out}: is the input file; give --out another file name")
    result = analyze(
        args.input, height_m=args.height_m, virtual_camera=args.virtual_camera, rate_hz=args.fps,
        marker_map=args.marker_map, write=False, progress=not args.quiet,
    )
    written = export_result(result, [fmt], {fmt: out})
    n_ev = len(result.events)
    print(f"exported {args.input} as {fmt.upper()}: {written[fmt]}" + (f" ({n_ev} events)" if fmt == "c3d" else ""))
    return 0


def _cmd_posture(args: argparse.Namespace) -> int:
    from gaitscope.posture.run import assess_posture, summary_lines

    if not (args.front or args.side or args.back):
        raise GaitscopeError("posture needs at least one view: give --front, --side and/or --back (photo or video).")
    first = args.front or args.side or args.back
    out = Path(args.out) if args.out else _default_out(first, "_posture")
    result = assess_posture(front=args.front, side=args.side, back=args.back, height_m=args.height_m, out_dir=out)
    for line in summary_lines(result):
        print(line)
    print(f"posture: {len(result.views)} view(s) -> {out}/posture.json")
    return 0


def _cmd_assess(args: argparse.Namespace) -> int:
    from gaitscope.pipeline import assess

    result = assess(
        side_video=args.side_video, front_video=args.front_video, back_video=args.back_video,
        photo_front=args.photo_front, photo_side=args.photo_side, photo_back=args.photo_back,
        intake=args.intake, height_m=args.height_m, name=args.name, out_dir=args.out, pdf=args.pdf,
        overlay=not args.no_overlay, progress=not args.quiet, previous=args.previous,
        same_person=args.same_person, max_duration_s=args.max_duration,
    )
    doc = result.document
    gait = doc.get("gait") or {}
    failed = {role: part for role, part in gait.items() if isinstance(part, dict) and part.get("status") == "failed"}
    for role, part in failed.items():  # each failed part's reason on the terminal, not only inside the report
        print(f"gaitscope: the {role} walk could not be analysed: {part.get('message')}", file=sys.stderr)
    given = [part for role, part in gait.items() if isinstance(part, dict) and part.get("status") in ("failed", "analysed")]
    no_gait = bool(given) and not any(part.get("status") == "analysed" for part in given)
    if doc["red_flags"]:
        print("URGENT: a red flag was reported: see a doctor now; the exercise plan is withheld (top of the report).")
    print(f"plan: {doc['at_a_glance']['plan_line']}")
    for r in (doc.get("safety") or {}).get("referrals", []):
        print(f"see a professional: {r['text']}")
    for m in doc["missing"]:
        print(f"not assessed: {m['what'].replace('_', ' ')} ({m['status']}); next time: {m['record_next_time']}")
    extra = f"; PDF: {result.files['pdf']}" if "pdf" in result.files else ""
    print(f"data: {result.files['assessment']}{extra}")
    print(f"Report: {result.files['report']}")  # the last line is the report's path
    if no_gait:
        print("gaitscope: no walking video could be analysed (reasons above): the report holds the posture screen "
              "only; record the walk as the report says and assess again", file=sys.stderr)
        return 2
    return 0


def _cmd_progress(args: argparse.Namespace) -> int:
    from gaitscope.progress import compare_sessions, load_session, progress_markdown, write_progress

    doc = compare_sessions([load_session(p) for p in args.outputs], same_person=args.same_person)
    out = Path(args.out) if args.out else Path(args.outputs[-1].rstrip("/")).parent / "progress"
    files = write_progress(doc, out)
    print(progress_markdown(doc), end="")
    print(f"Progress: {files['markdown']} (and {files['json'].name})")
    return 0


def _cmd_intake(args: argparse.Namespace) -> int:
    from gaitscope.intake import ask_intake, comments_for, validate_intake, write_intake_file

    out = Path(args.out)
    raw = ask_intake()
    validate_intake(raw, source=str(out))
    write_intake_file(raw, out, comments_for())
    print(f"intake written: {out} (use it with: gaitscope assess ... --intake {out})")
    return 0


class _OneLineParser(argparse.ArgumentParser):
    """argparse, but a refused command line is one line (``gaitscope: ...``) and exit code 2, like every other
    refusal; ``--help`` shows the usage."""

    def error(self, message: str) -> NoReturn:
        from gaitscope.capture.validate import one_line

        self.exit(2, f"gaitscope: {one_line(message)} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="gaitscope",
        description="Posture and gait assessment from ordinary video, offline. Screening, not diagnosis.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("pose", help="keypoints of the walker in a video (offline pose model)")
    p.add_argument("video", help="video file (mp4, mov, ...)")
    p.add_argument("--out", help="output folder (default: <video stem>_gaitscope/)")
    p.add_argument("--backend", default="mediapipe", help="pose backend (default: mediapipe)")
    p.add_argument("--overlay", action="store_true", help="also write overlay.mp4 with the skeleton drawn")
    p.add_argument("--workers", type=_workers_arg, default=None,
                   help="processes for the pose stage, 1 or more (default: all cores)")
    p.add_argument("--force", action="store_true", help="re-run the model even if pose.csv matches this video")
    p.add_argument(
        "--fast",
        action="store_true",
        help="MediaPipe tracking instead of a detection every frame: about 1.6x faster, feet less accurate",
    )
    p.add_argument("--quiet", action="store_true", help="no progress output")
    _add_max_duration(p)
    p.set_defaults(func=_cmd_pose)

    from gaitscope.phantom.cli import add_phantom_arguments

    p = sub.add_parser("phantom", help="synthetic walker with known truth (events, angles)")
    add_phantom_arguments(p)
    p.set_defaults(func=_cmd_phantom)

    p = sub.add_parser("analyze", help="gait events, spatiotemporal parameters and sagittal angles")
    p.add_argument("input", help="video, C3D/TRC marker file, Nexus or Motive CSV, QTM TSV or .txt marker table, OpenPose JSON folder or pose CSV")
    p.add_argument("--height-m", type=float, default=None, help="the person's height in metres (video: gives metres)")
    p.add_argument("--out", default=None, help="output folder (default: <input stem>_gaitscope/)")
    p.add_argument(
        "--virtual-camera",
        default=None,
        choices=["sagittal-left", "sagittal-right", "frontal-front", "frontal-back"],
        help="marker input only: project the markers and run the video path",
    )
    p.add_argument("--age-years", type=float, default=None, help="age, to choose the normal ranges (default adults 18-69)")
    p.add_argument("--sex", choices=["female", "male"], default=None, help="sex, to choose the normal ranges")
    p.add_argument(
        "--fps",
        type=float,
        default=None,
        help="frame rate of keypoint files that store no time (OpenPose JSON folder, foot-marker CSV, pose CSV without t_s)",
    )
    p.add_argument(
        "--marker-map",
        default=None,
        help="marker files only: TOML file mapping your lab's marker names to keypoints (docs/inputs.md)",
    )
    p.add_argument("--json", action="store_true", help="print summary.json to stdout")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--verbose", action="store_true",
                   help="marker files: print the marker set chosen, the markers used per keypoint and the loader's notes")
    _add_max_duration(p)
    p.add_argument("--export", default=None, metavar="FORMATS",
                   help="also write lab files into the output folder: trc, mot, c3d (comma-separated; docs/inputs.md)")
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("export", help="write an input's keypoints, angles and events as TRC, MOT or C3D for lab software")
    p.add_argument("input", help="video, C3D/TRC marker file, Nexus or Motive CSV, QTM TSV or .txt marker table, OpenPose JSON folder or pose CSV (as for analyze)")
    p.add_argument("--to", required=True, choices=["trc", "mot", "c3d"],
                   help="trc: keypoints in metres (OpenSim); mot: sagittal angles (OpenSim); c3d: points + events")
    p.add_argument("--out", default=None, help="file to write (default: <input stem>_gaitscope.<format> beside the input)")
    p.add_argument("--height-m", type=float, default=None, help="the person's height in metres (video: needed for trc/c3d)")
    p.add_argument("--virtual-camera", default=None,
                   choices=["sagittal-left", "sagittal-right", "frontal-front", "frontal-back"],
                   help="marker input only: project the markers and export what the camera path sees")
    p.add_argument("--fps", type=float, default=None, help="frame rate of keypoint files that store no time")
    p.add_argument("--marker-map", default=None, help="marker files only: TOML file mapping your lab's marker names")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("posture", help="static posture screen from front/side/back photos or a standing video")
    p.add_argument("--front", help="photo (JPEG/PNG) or video of the person from the front")
    p.add_argument("--side", help="photo or video from the side")
    p.add_argument("--back", help="photo or video from behind")
    p.add_argument("--height-m", type=float, default=None, help="the person's height in metres (gives centimetres)")
    p.add_argument("--out", default=None, help="output folder (default: <first photo stem>_posture/)")
    p.set_defaults(func=_cmd_posture)

    p = sub.add_parser("assess", help="the whole assessment: gait, posture, intake, kinetic chain, plan and report")
    p.add_argument("--side-video", help="side-on walking video (or pose CSV, C3D/TRC, OpenPose folder)")
    frontal = p.add_mutually_exclusive_group()
    frontal.add_argument("--front-video", help="walk filmed from the front")
    frontal.add_argument("--back-video", help="walk filmed from behind")
    p.add_argument("--photo-front", help="standing photo from the front")
    p.add_argument("--photo-side", help="standing photo from the side")
    p.add_argument("--photo-back", help="standing photo from behind")
    p.add_argument("--intake", help="intake answers (.yaml written by `gaitscope intake`, or .json/.toml)")
    p.add_argument("--height-m", type=float, default=None, help="height in metres (default: the intake's answer)")
    p.add_argument("--name", default=None, help="name on the report (default: the intake's)")
    p.add_argument("--out", default=None, help="output folder (default: <first input stem>_assessment/)")
    p.add_argument("--pdf", action="store_true", help="also print report.pdf (needs Chromium)")
    p.add_argument("--no-overlay", action="store_true", help="skip the overlay video")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--previous", default=None,
                   help="an earlier assessment of the same person (its folder): the report says what changed since")
    p.add_argument("--same-person", action="store_true",
                   help="with --previous: compare although the two record different names, sex, height or ages "
                        "(you checked)")
    _add_max_duration(p)
    p.set_defaults(func=_cmd_assess)

    p = sub.add_parser("intake", help="answer the intake questions in the terminal and save them")
    p.add_argument("--out", default="intake.yaml", help="file to write (default: intake.yaml; .json also works)")
    p.set_defaults(func=_cmd_intake)

    p = sub.add_parser("progress", help="compare the same person's assessments over time (re-test)")
    p.add_argument("outputs", nargs="+", metavar="OUTPUT",
                   help="assess or analyze output folders (or their assessment.json / summary.json), earliest first")
    p.add_argument("--out", help="folder for progress.json and progress.md (default: progress/ beside the last output)")
    p.add_argument("--same-person", action="store_true",
                   help="compare although the outputs record different names, sex, height or ages (you checked)")
    p.set_defaults(func=_cmd_progress)

    p = sub.add_parser("demo", help="the main job end to end on the built-in synthetic walker")
    p.add_argument("--out", default="demo_output", help="output folder (default: demo_output/)")
    p.set_defaults(func=_cmd_demo)
    return parser


def _os_error_sentence(err: OSError) -> str:
    """One sentence for a file-system error on a path the user chose (output folder, input file)."""
    path = err.filename
    if isinstance(err, (FileExistsError, NotADirectoryError)):
        return f"{path}: a file is in the way where a folder is needed; give --out a folder path (new or existing folder)"
    if isinstance(err, PermissionError):
        return f"{path}: permission denied; choose an output folder you can write to (--out) or check the file's permissions"
    if isinstance(err, IsADirectoryError):
        return f"{path}: is a folder, not a file; give the file's path"
    return f"{path}: {(err.strerror or 'file system error').lower()}; check the path and the free disk space"


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an exception so it unwinds like Ctrl-C: workers are stopped, no file is
    left half-written, the output folder is marked stale (docs/reliability.md)."""


def _on_sigterm(signum, frame) -> None:  # noqa: ARG001 -- signal handler signature
    raise Terminated()


INTERRUPTED = "interrupted; nothing was half-written (an unfinished output folder holds STALE.txt); run it again"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = None
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread (main() called from a thread): leave SIGTERM alone
        pass
    for stream in (sys.stdout, sys.stderr):  # a file name with non-UTF-8 bytes is shown escaped, never a crash
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        from gaitscope.capture.validate import check_cli_args, quiet_numerics

        check_cli_args(args)  # every option checked at the boundary, before any work
        with quiet_numerics():
            return int(args.func(args) or 0)
    except GaitscopeError as err:
        from gaitscope.capture.validate import one_line

        print(f"gaitscope: {one_line(err)}", file=sys.stderr)
        return err.exit_code
    except OSError as err:
        from gaitscope.outputs import is_disk_full

        if is_disk_full(err):
            where = err.filename or "the output folder"
            print(f"gaitscope: {where}: the disk is full (no space left on device); free some space or choose another "
                  "output folder with --out, then run again", file=sys.stderr)
            return 2
        if err.filename is None:  # not about a path the user gave: a bug, keep the traceback
            raise
        print(f"gaitscope: {_os_error_sentence(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:  # Ctrl-C or SIGTERM: the same clean message
        print(f"gaitscope: {INTERRUPTED}", file=sys.stderr)
        return 143 if isinstance(err, Terminated) else 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
