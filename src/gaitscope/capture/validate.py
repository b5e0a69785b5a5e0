"""The input boundary: every value that enters gaitscope from a file or the command line is checked here.

One validation layer, used by every importer (C3D, TRC, MOT, OpenPose JSON, keypoint CSV, landmark JSON,
foot-marker CSV, intake YAML/JSON/TOML, marker-map TOML) and by the command line (:func:`check_cli_args`).
Each refusal is a :class:`~gaitscope.types.GaitscopeError` with one sentence: the file (or option), what is
wrong and what to do. The CLI turns it into exit code 2 without a traceback.

What is checked (limits are module constants with their rationale; docs/reliability.md, section "Inputs"):

* text files: size cap, UTF-8 (a byte-order mark is accepted and dropped), no NUL bytes (binary files);
* JSON: nesting depth, integer length, no ``NaN``/``Infinity`` constants, before Python's parser sees it;
* numbers: right type, finite, inside a physical range (rates, coordinates, joint angles, ages, heights);
* time axes: finite and strictly increasing;
* C3D: header and parameter section walked in Python before ezc3d sees the file, then ezc3d is run once in a
  forked child so that a native crash (segmentation fault) or a hang becomes a refusal
  (:func:`check_c3d_structure`, :func:`probe_c3d_in_child`);
* command-line options: finite, in range, bounded text without control or bidirectional-override characters.
"""

from __future__ import annotations

import math
import os
import re
import signal
import struct
import sys
import time
import unicodedata
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from gaitscope.types import GaitscopeError

# ----------------------------------------------------------------------------------------------- limits
#: Largest text input read into memory (bytes). A 10-minute 240 Hz capture of 100 markers as TRC is ~150 MB.
MAX_TEXT_BYTES = 512 * 1024 * 1024
#: Largest small settings file (intake answers, marker-map TOML, one OpenPose frame), bytes.
MAX_SMALL_FILE_BYTES = 4 * 1024 * 1024
#: Deepest JSON nesting any gaitscope input uses is 4 (landmark JSON); 64 leaves room and stays far below
#: Python's recursion limit.
MAX_JSON_DEPTH = 64
#: Longest integer literal accepted in JSON/TOML/intake (digits): int64 values (file times in ns) fit in 19.
MAX_INT_DIGITS = 24
#: Sampling-rate bounds for keypoint and marker data (Hz). Below 15 Hz a frame lasts > 67 ms, longer than
#: half of a double-support phase (~0.1-0.15 s at normal speed; Perry & Burnfield 2010), so contacts cannot be
#: timed; above 10 kHz no camera or mocap system records positions (force plates do, but are not keypoints).
MIN_RATE_HZ = 15.0
MAX_RATE_HZ = 10000.0
#: A marker or world keypoint further than 100 m from the lab origin is not a person in a gait lab (the
#: longest instrumented walkways are ~10-30 m); such values are export errors (e.g. -1e308 fill values).
MAX_COORDINATE_M = 100.0
#: Image keypoints beyond 100 000 px lie outside any camera image (16K video is 15 360 px wide).
MAX_COORDINATE_PX = 1.0e5
#: Joint angles beyond +-360 deg are not angles of a joint (unwrapped rotations aside, none exceed it).
MAX_ANGLE_DEG = 360.0
#: Longest recording accepted (s): 2 hours; longer inputs are not one walking trial.
MAX_DURATION_S = 7200.0
#: Longest --name (characters): a report header line.
MAX_NAME_CHARS = 100
#: Time allowed for ezc3d to read one C3D file in the child process (s).
C3D_PROBE_TIMEOUT_S = 120.0
#: Memory the C3D reader may use beyond the process's own size while probing (bytes). A 10-minute
#: 1000 Hz capture of 200 markers is ~2.4 GB as float32 xyzr; damaged sizes claim far more.
C3D_PROBE_EXTRA_BYTES = 3 * 1024**3


def one_line(text: object) -> str:
    """Collapse whitespace (newlines from pandas/json errors) so a message stays one line."""
    return " ".join(str(text).split())


# ------------------------------------------------------------------------------------------------ text
def read_text(path: str | Path, *, what: str, max_bytes: int = MAX_TEXT_BYTES, fix: str = "export it again",
              windows_fallback: bool = False) -> str:
    """The text of a UTF-8 file (a byte-order mark is dropped; CRLF stays for ``splitlines``).

    Refuses, naming the file: unreadable, larger than ``max_bytes``, binary (NUL bytes) or not UTF-8. With
    ``windows_fallback`` (lab software text exports: TRC, Nexus/Motive CSV, QTM TSV, marker tables) a file that is
    not UTF-8 is read as Windows-1252, else Latin-1: Windows lab software writes the system code page, e.g. a
    user name with an accent in a TRC's path line; marker names and numbers are ASCII either way.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise GaitscopeError(
                f"{p}: the {what} is {size / 1e6:.1f} MB, more than the {max_bytes / 1e6:.0f} MB accepted; "
                f"give a smaller file ({fix})"
            )
        data = p.read_bytes()
    except IsADirectoryError:
        raise GaitscopeError(f"{p}: is a folder, not a {what}; give the file's path") from None
    except OSError as err:
        raise GaitscopeError(f"{p}: cannot read the {what} ({one_line(err.strerror or err)}); check the path and permissions") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise GaitscopeError(f"{p}: the {what} holds binary data (NUL bytes), not text; give the text file ({fix})")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        if windows_fallback:
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                return data.decode("latin-1")
        raise GaitscopeError(
            f"{p}: the {what} is not UTF-8 text (byte 0x{data[err.start]:02x} at position {err.start}); "
            "save it as UTF-8 and try again"
        ) from None


def _json_depth_ok(text: str, max_depth: int) -> bool:
    depth = 0
    in_str = False
    esc = False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > max_depth:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def parse_json(text: str, *, source: str | Path, what: str, fix: str = "export it again", allow_nan: bool = False) -> Any:
    """``json.loads`` with bounded nesting and integer size; ``NaN``/``Infinity`` constants only when
    ``allow_nan`` (gaitscope's own sidecars write NaN for a missing value)."""
    import json

    if not _json_depth_ok(text, MAX_JSON_DEPTH):
        raise GaitscopeError(f"{source}: the {what} is nested more than {MAX_JSON_DEPTH} levels deep; {fix}")

    def _int(s: str) -> int:
        if len(s.lstrip("-")) > MAX_INT_DIGITS:
            raise ValueError(f"an integer of {len(s.lstrip('-'))} digits")
        return int(s)

    def _const(s: str) -> float:
        if allow_nan and s == "NaN":
            return math.nan
        raise ValueError(f"the non-number {s}")

    try:
        return json.loads(text, parse_int=_int, parse_constant=_const)
    except json.JSONDecodeError as err:
        raise GaitscopeError(f"{source}: the {what} is not valid JSON ({err.msg} at line {err.lineno}); {fix}") from None
    except (ValueError, RecursionError) as err:
        raise GaitscopeError(f"{source}: the {what} holds {one_line(err)}, which is not accepted; {fix}") from None


def parse_toml(text: str, *, source: str | Path, what: str, fix: str) -> dict[str, Any]:
    """``tomllib.loads`` with bounded integers (a 5000-digit integer is refused, not computed)."""
    import tomllib

    if re.search(r"(?<![\w.])[+-]?\d[\d_]{%d,}" % MAX_INT_DIGITS, text):
        raise GaitscopeError(f"{source}: the {what} holds a number of more than {MAX_INT_DIGITS} digits; {fix}")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise GaitscopeError(f"{source}: the {what} is not valid TOML ({one_line(err)}); {fix}") from None
    except (ValueError, RecursionError) as err:
        raise GaitscopeError(f"{source}: the {what} cannot be read ({one_line(err)}); {fix}") from None


# --------------------------------------------------------------------------------------------- numbers
def finite_number(value: Any, *, name: str, source: str | Path | None, lo: float, hi: float, unit: str = "",
                  fix: str) -> float:
    """``value`` as a float when it is a real number (not bool, not text) with ``lo <= value <= hi``.

    ``source`` names the file the value comes from (None for a command-line option).
    """
    u = f" {unit}" if unit else ""
    where = f"{source}: " if source is not None else ""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise GaitscopeError(f"{where}{name} is {one_line(value)[:40]!r}, not a number; {fix}")
    try:
        v = float(value)
    except (OverflowError, ValueError):
        raise GaitscopeError(f"{where}{name} is not a representable number; {fix}") from None
    if not math.isfinite(v):
        raise GaitscopeError(f"{where}{name} is {v}, not a finite number; {fix}")
    if not lo <= v <= hi:
        raise GaitscopeError(f"{where}{name} is {v:g}{u}, outside {lo:g}-{hi:g}{u}; {fix}")
    return v


def check_rate_hz(rate: Any, *, source: str | Path, name: str = "the sampling rate", fix: str | None = None) -> float:
    """A sampling rate that can time gait events: finite, ``MIN_RATE_HZ``-``MAX_RATE_HZ``."""
    fix = fix or (
        f"gait events need at least {MIN_RATE_HZ:g} frames per second; give the true rate, "
        "or record at 25-60 frames per second"
    )
    return finite_number(rate, name=name, source=source, lo=MIN_RATE_HZ, hi=MAX_RATE_HZ, unit="Hz", fix=fix)


def check_time_axis(t_s: np.ndarray, *, source: str | Path, fix: str = "export the file again") -> None:
    """Times finite, strictly increasing, and no longer than ``MAX_DURATION_S``."""
    t = np.asarray(t_s, dtype=float)
    if t.size == 0:
        raise GaitscopeError(f"{source}: no samples; {fix}")
    bad = np.flatnonzero(~np.isfinite(t))
    if bad.size:
        raise GaitscopeError(f"{source}: the time of sample {int(bad[0])} is not a number; {fix}")
    back = np.flatnonzero(np.diff(t) <= 0)
    if back.size:
        i = int(back[0]) + 1
        raise GaitscopeError(f"{source}: time does not increase at sample {i} ({t[i - 1]:g} s then {t[i]:g} s); {fix}")
    if t[-1] - t[0] > MAX_DURATION_S:
        raise GaitscopeError(
            f"{source}: the recording lasts {t[-1] - t[0]:.0f} s, more than {MAX_DURATION_S:.0f} s; give one walking trial"
        )


def check_coordinates(values: np.ndarray, *, source: str | Path, frame: str, what: str = "coordinates") -> None:
    """Refuse infinite or absurd coordinates (NaN means missing and is allowed).

    ``frame`` is ``"world"`` (metres, limit :data:`MAX_COORDINATE_M`) or ``"image"`` (px,
    :data:`MAX_COORDINATE_PX`).
    """
    a = np.asarray(values, dtype=float)
    if np.isinf(a).any():
        raise GaitscopeError(f"{source}: the {what} hold infinite values; export the file again with missing samples left empty")
    lim, unit = (MAX_COORDINATE_M, "m") if frame == "world" else (MAX_COORDINATE_PX, "px")
    v = first_beyond(a, lim)
    if v is not None:
        raise GaitscopeError(
            f"{source}: the {what} reach {v:.3g} {unit}, beyond the {lim:g} {unit} a walking person can be from the origin "
            "(probably a fill value for missing data); export again with missing samples left empty"
        )


def first_beyond(values: np.ndarray, limit: float) -> float | None:
    """The first infinite value or value beyond +-``limit`` in ``values`` (NaN = missing, allowed), else None."""
    a = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        bad = np.isinf(a) | (np.abs(a) > limit)
    return float(a[bad].flat[0]) if bad.any() else None


def check_angles_deg(values: np.ndarray, *, source: str | Path, what: str = "joint angles") -> None:
    """Refuse infinite angles or angles beyond +-:data:`MAX_ANGLE_DEG` (NaN = missing, allowed)."""
    v = first_beyond(values, MAX_ANGLE_DEG)
    if v is not None:
        raise GaitscopeError(
            f"{source}: the {what} reach {v:.3g} deg, beyond +-{MAX_ANGLE_DEG:g} deg, which no joint angle can be; "
            "check the file's units (inDegrees) or export it again"
        )


@contextmanager
def quiet_numerics() -> Iterator[None]:
    """No numpy/pandas RuntimeWarnings (all-NaN slices, empty means) reach the terminal from an importer."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with np.errstate(all="ignore"):
            yield


# --------------------------------------------------------------------------------------------- C3D
def _c3d_fail(path: Path, what: str) -> GaitscopeError:
    return GaitscopeError(f"{path}: not a readable C3D file ({what}); export it again from the lab software")


def check_c3d_structure(path: str | Path) -> None:
    """Walk a C3D's header and parameter section in Python; refuse what would mislead or crash a reader.

    Checks (C3D.org "The C3D File Format User Guide", 2008, chapters 2-3): the header key byte 0x50, the
    parameter section inside the file, processor type 84/85/86, every group/parameter record inside the
    section with a known data type (-1, 1, 2, 4), at most 7 dimensions and data that fits before the end
    of the section, and every parameter belonging to a group that exists.
    """
    p = Path(path)
    size = p.stat().st_size
    with open(p, "rb") as fh:
        head = fh.read(512)
        if len(head) < 512 or head[1] != 0x50:
            raise _c3d_fail(p, "bad header")
        start_block = head[0]
        if start_block < 2:
            raise _c3d_fail(p, "the header points the parameter section at block 0")
        fh.seek((start_block - 1) * 512)
        first = fh.read(4)
        if len(first) < 4:
            raise _c3d_fail(p, "the parameter section lies beyond the end of the file")
        n_blocks, proc = first[2], first[3]
        if proc not in (84, 85, 86):
            raise _c3d_fail(p, f"unknown processor type {proc} in the parameter section")
        if n_blocks < 1:
            raise _c3d_fail(p, "the parameter section has no blocks")
        fh.seek((start_block - 1) * 512)
        sec = fh.read(n_blocks * 512)
    if len(sec) < n_blocks * 512 and (start_block - 1) * 512 + len(sec) >= size:
        # a short last parameter block is tolerated only when the records end before it (checked below)
        pass
    endian = ">" if proc == 86 else "<"
    pos = 4
    groups: set[int] = set()
    params: list[int] = []
    n_records = 0
    while pos + 2 <= len(sec):
        nchar = struct.unpack("b", sec[pos : pos + 1])[0]
        gid = struct.unpack("b", sec[pos + 1 : pos + 2])[0]
        if nchar == 0 or gid == 0:
            break
        n_records += 1
        if n_records > 100000:
            raise _c3d_fail(p, "more than 100000 parameter records")
        name_end = pos + 2 + abs(nchar)
        if name_end + 2 > len(sec):
            raise _c3d_fail(p, "a parameter name runs past the parameter section")
        off = struct.unpack(endian + "h", sec[name_end : name_end + 2])[0]
        body = name_end + 2
        if gid < 0:
            groups.add(-gid)
            if body + 1 > len(sec) or body + 1 + sec[body] > len(sec):
                raise _c3d_fail(p, "a group description runs past the parameter section")
        else:
            params.append(gid)
            if body + 2 > len(sec):
                raise _c3d_fail(p, "a parameter record runs past the parameter section")
            dtype = struct.unpack("b", sec[body : body + 1])[0]
            if dtype not in (-1, 1, 2, 4):
                raise _c3d_fail(p, f"a parameter has the unknown data type {dtype}")
            ndim = sec[body + 1]
            if ndim > 7:
                raise _c3d_fail(p, f"a parameter has {ndim} dimensions (at most 7)")
            if body + 2 + ndim > len(sec):
                raise _c3d_fail(p, "a parameter's dimensions run past the parameter section")
            count = 1
            for d in sec[body + 2 : body + 2 + ndim]:
                count *= d
            data_end = body + 2 + ndim + count * abs(dtype)
            if data_end + 1 > len(sec) or data_end + 1 + sec[data_end] > len(sec):
                raise _c3d_fail(p, "a parameter's data run past the parameter section")
        if off == 0:
            break
        if off < 0:
            raise _c3d_fail(p, "a parameter record points backwards")
        nxt = name_end + off
        if nxt > len(sec):
            raise _c3d_fail(p, "a parameter record points past the parameter section")
        pos = nxt
    if not groups:
        raise _c3d_fail(p, "the parameter section holds no groups")
    orphan = sorted(set(params) - groups)
    if orphan:
        raise _c3d_fail(p, f"parameters belong to group {orphan[0]}, which is not defined")


@contextmanager
def open_native(path: str | Path) -> Iterator[str]:
    """Yield a UTF-8 path string for ``path`` usable by native readers (ezc3d), even when the file name
    holds bytes that are not UTF-8 (opened once, read through ``/proc/self/fd/N``)."""
    s = str(path)
    try:
        s.encode("utf-8")
        yield s
        return
    except UnicodeEncodeError:
        pass
    if not os.path.isdir("/proc/self/fd"):
        shown = s.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
        raise GaitscopeError(f"{shown}: the file name holds bytes that are not UTF-8; rename the file and try again")
    fd = os.open(s, os.O_RDONLY)
    try:
        yield f"/proc/self/fd/{fd}"
    finally:
        os.close(fd)


def display_path(path: str | Path) -> str:
    """A path for messages: bytes that are not UTF-8 shown as ``\\xNN`` instead of failing to print."""
    s = str(path)
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return os.fsencode(s).decode("utf-8", "backslashreplace")


def _limit_child_memory(extra_bytes: int) -> None:
    """Cap the (forked child's) address space at its current size plus ``extra_bytes``."""
    try:
        import resource

        with open("/proc/self/statm") as fh:
            vm_bytes = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = vm_bytes + extra_bytes
        if hard == resource.RLIM_INFINITY or want < hard:
            resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    except (OSError, ValueError, ImportError):
        pass


def probe_c3d_in_child(path: str | Path, *, timeout_s: float = C3D_PROBE_TIMEOUT_S) -> None:
    """Read the C3D once with ezc3d in a forked child: a native crash or a hang becomes a refusal.

    Only where ``os.fork`` exists (Linux, macOS); elsewhere the Python checks of
    :func:`check_c3d_structure` are the only guard.
    """
    if not hasattr(os, "fork") or os.environ.get("GAITSCOPE_NO_C3D_PROBE") == "1":
        return
    p = Path(path)
    with open_native(p) as native:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # child: read and leave without running the parent's cleanup
            code = 0
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                _limit_child_memory(C3D_PROBE_EXTRA_BYTES)
                import faulthandler

                faulthandler.disable()  # the crash is expected here; the parent reports it in one line
                import ezc3d

                ezc3d.c3d(native)
            except MemoryError:
                code = 4
            except BaseException:  # noqa: BLE001 - a Python-level failure is reported by the parent's own read
                code = 3
            os._exit(code)
        deadline = time.monotonic() + timeout_s
        status = None
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise _c3d_fail(p, f"reading it did not finish within {timeout_s:g} s")
            time.sleep(0.005)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 4:
        raise _c3d_fail(p, f"reading it needs more than {C3D_PROBE_EXTRA_BYTES / 1e9:.0f} GB of memory; its sizes are damaged")
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        raise _c3d_fail(p, f"the C3D reader crashed on it with {name}: its parameter or data section is damaged")


# --------------------------------------------------------------------------------------------- CLI
#: Characters refused in text options: C0/C1 controls, and bidirectional overrides/isolates that can make
#: a name display as something else (Unicode TR #36, "Unicode Security Considerations").
_BIDI = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f",
         "\u061c"}


def check_text_option(value: str | None, *, option: str, max_chars: int = MAX_NAME_CHARS) -> str | None:
    """A short, printable text option (e.g. ``--name``)."""
    if value is None:
        return None
    if len(value) > max_chars:
        raise GaitscopeError(f"{option} is {len(value)} characters long; give at most {max_chars}")
    for ch in value:
        if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in ("\u200d",):
            raise GaitscopeError(
                f"{option} holds the invisible or control character U+{ord(ch):04X}; type the name with visible characters only"
            )
    if not value.strip():
        raise GaitscopeError(f"{option} is empty; give the name or leave the option out")
    return value


#: Command-line options checked by :func:`check_cli_args`: attribute -> (option, low, high, unit, what to do).
CLI_NUMBERS: dict[str, tuple[str, float, float, str, str]] = {
    "fps": ("--fps", MIN_RATE_HZ, MAX_RATE_HZ, "Hz",
            f"give the frame rate of the recording (gait events need at least {MIN_RATE_HZ:g} frames per second)"),
    "age_years": ("--age-years", 0.0, 120.0, "years", "give the person's age in years (normal ranges are chosen by age)"),
    "height_m": ("--height-m", 0.5, 2.5, "m", "give the standing height in metres (e.g. 1.68)"),
    "workers": ("--workers", 1, 64, "", "give a number of processes from 1 to the number of cores"),
    "duration_s": ("--duration-s", 1.0, 600.0, "s", "give the walk's length in seconds"),
    "rate_hz": ("--rate-hz", MIN_RATE_HZ, 2000.0, "Hz", "give a sampling rate in Hz"),
    "speed_mps": ("--speed-mps", 0.1, 3.0, "m/s", "give a walking speed in metres per second"),
    "cadence_spm": ("--cadence-spm", 20.0, 200.0, "steps/min", "give a walking cadence in steps per minute"),
    "noise_px": ("--noise-px", 0.0, 100.0, "px", "give the pixel noise SD"),
    "drop_fraction": ("--drop-fraction", 0.0, 0.9, "", "give the fraction of frames to drop (0-0.9)"),
}


def check_cli_args(args: Any) -> None:
    """Check every numeric and text option of a parsed command line (``argparse.Namespace``)."""
    for attr, (option, lo, hi, unit, fix) in CLI_NUMBERS.items():
        value = getattr(args, attr, None)
        if value is None:
            continue
        if attr == "fps" and getattr(args, "command", None) == "phantom":
            lo, fix = 1.0, "give the virtual camera's frame rate"
        finite_number(value, name=option, source=None, lo=lo, hi=hi, unit=unit, fix=fix)
    for attr, option in (("name", "--name"),):
        check_text_option(getattr(args, attr, None), option=option)


# --------------------------------------------------------------------------------------------- tables
def read_bytes_capped(path: str | Path, *, what: str, fix: str, max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of a file no larger than ``max_bytes`` (refused by name otherwise)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise GaitscopeError(f"{p}: the {what} is {size / 1e6:.1f} MB, more than the {max_bytes / 1e6:.0f} MB accepted; {fix}")
        return p.read_bytes()
    except IsADirectoryError:
        raise GaitscopeError(f"{p}: is a folder, not a {what}; give the file's path") from None
    except OSError as err:
        raise GaitscopeError(f"{p}: cannot read the {what} ({one_line(err.strerror or err)}); check the path") from None


def read_csv_table(path: str | Path, *, what: str, fix: str, data: bytes | None = None, **kw: Any) -> Any:
    """``pandas.read_csv`` with the size cap, UTF-8 (BOM accepted) and one-line refusals (``data``: the file's
    bytes when the caller has read them already)."""
    import io

    import pandas as pd

    p = Path(path)
    if data is None:
        data = read_bytes_capped(p, what=what, fix=fix)
    if b"\x00" in data[:65536]:
        raise GaitscopeError(f"{p}: the {what} holds binary data (NUL bytes), not text; {fix}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", **kw)
    except UnicodeDecodeError as err:
        raise GaitscopeError(f"{p}: the {what} is not UTF-8 text (byte at position {err.start}); save it as UTF-8 and try again") from None
    except (OSError, ValueError, IndexError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise GaitscopeError(f"{p}: cannot read the {what} ({one_line(err)}); {fix}") from None


def numeric_column(values: Any, *, source: str | Path, column: str, fix: str) -> np.ndarray:
    """A table column as float64; text cells are refused naming the row (empty cells are NaN)."""
    import pandas as pd

    s = pd.Series(values)
    if s.dtype.kind in "fiu":
        return s.to_numpy(dtype=float)
    if s.dtype.kind == "b":
        raise GaitscopeError(f"{source}: column {column!r} holds true/false values, not numbers; {fix}")
    num = pd.to_numeric(s, errors="coerce")
    bad = num.isna() & s.notna() & (s.astype(str).str.strip() != "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise GaitscopeError(f"{source}: column {column!r} row {i + 1} holds {one_line(s.iloc[i])[:20]!r}, not a number; {fix}")
    return num.to_numpy(dtype=float)
