"""Reading and writing the intake file.

The file is the small, strict subset of YAML that :func:`write_intake` emits (PyYAML is not needed):

* ``# comment`` lines and blank lines;
* ``key: value`` at the start of a line, keys ``[a-z_][a-z0-9_]*``;
* scalars: ``yes``/``no``/``true``/``false``, numbers, ``null``/``~``/empty, plain text, or a
  JSON-style ``"double-quoted"`` string (any text, escapes as in JSON) or a ``'single-quoted'`` one;
* a list: ``key:`` alone, then lines ``  - item`` (indented); an activity item is ``- name: score``;
  ``key: []`` is an empty list.

Anything else (nested mappings, tabs, flow lists, multi-line strings, anchors) is refused with the file
and line named. ``.json`` and ``.toml`` intake files with the same keys are accepted too.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from gaitscope.types import GaitscopeError

FORMAT_LINE = "# gaitscope intake, format 1 (a strict subset of YAML: key: value, and lists of '- item')"
_KEY = re.compile(r"^([a-z_][a-z0-9_]*):(?:\s+(.*))?$")
_ITEM = re.compile(r"^\s+-\s+(.*)$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_BOOLS = {"yes": True, "true": True, "no": False, "false": False}
_NULLS = {"", "~", "null"}


def _scalar(raw: str, where: str) -> Any:
    s = raw.strip()
    if s.startswith('"'):
        try:
            value = json.loads(s)
        except json.JSONDecodeError:
            raise GaitscopeError(f"{where}: a double-quoted value must be one complete string on one line") from None
        if not isinstance(value, str):
            raise GaitscopeError(f"{where}: a double-quoted value must be one string")
        return value
    if s.startswith("'"):
        if len(s) < 2 or not s.endswith("'") or "'" in s[1:-1].replace("''", ""):
            raise GaitscopeError(f"{where}: a single-quoted value must start and end with ' (write '' for one ')")
        return s[1:-1].replace("''", "'")
    if " #" in s:  # a trailing comment
        s = s.split(" #", 1)[0].rstrip()
    low = s.lower()
    if low in _NULLS:
        return None
    if low in _BOOLS:
        return _BOOLS[low]
    if _NUMBER.match(s):
        from gaitscope.capture.validate import MAX_INT_DIGITS

        if len(s.lstrip("+-").split(".")[0].split("e")[0].split("E")[0]) > MAX_INT_DIGITS:
            raise GaitscopeError(f"{where}: the number {s[:20]}... has more than {MAX_INT_DIGITS} digits; give a plain value")
        f = float(s)
        if not math.isfinite(f):
            raise GaitscopeError(f"{where}: the number {s[:20]} is too large; give a plain value")
        return int(f) if f.is_integer() and "." not in s and "e" not in low else f
    if s[0] in "[{&*!|>%@`" or ": " in s or s.endswith(":"):
        raise GaitscopeError(
            f"{where}: {s[:40]!r} is not a simple value; put text in double quotes, "
            "or write lists as lines starting with '- '"
        )
    return s


_ACTIVITY = re.compile(r"^(.*):\s+([+-]?(?:\d+(?:\.\d*)?|\.\d+))$")


def _item(raw: str, where: str) -> Any:
    s = raw.strip()
    m = _ACTIVITY.match(s)
    if m:  # activity: score
        return {"activity": str(_scalar(m.group(1), where)), "score": _scalar(m.group(2), where)}
    return _scalar(s, where)


def parse_simple_yaml(text: str, source: str = "intake file") -> dict[str, Any]:
    """Parse the intake subset of YAML (see the module docstring) into a flat dict."""
    out: dict[str, Any] = {}
    current: str | None = None
    open_lists: set[str] = set()
    for n, line in enumerate(text.splitlines(), 1):
        where = f"{source} line {n}"
        if "\t" in line:
            raise GaitscopeError(f"{where}: tabs are not allowed; indent list items with spaces")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line[0] == " ":
            m = _ITEM.match(line)
            if not m or current is None:
                raise GaitscopeError(f"{where}: an indented line must be a list item '  - value' under a 'key:' line")
            out[current].append(_item(m.group(1), where))
            open_lists.discard(current)
            continue
        m = _KEY.match(line.rstrip())
        if not m:
            raise GaitscopeError(f"{where}: expected 'key: value' with a lower-case key, got {stripped[:40]!r}")
        key, value = m.group(1), (m.group(2) or "").strip()
        if key in out:
            raise GaitscopeError(f"{where}: {key!r} is given twice")
        if value == "":
            out[key] = []
            current = key
            open_lists.add(key)
        elif value == "[]":
            out[key] = []
            current = None
        else:
            out[key] = _scalar(value, where)
            current = None
    for key in open_lists:  # "key:" with nothing under it: no answer
        out[key] = None
    return out


def read_intake_file(path: str | Path) -> dict[str, Any]:
    """Raw answers of an intake file (``.yaml``/``.yml`` subset, ``.json`` or ``.toml``)."""
    from gaitscope.capture.validate import MAX_SMALL_FILE_BYTES, parse_json, parse_toml, read_text

    p = Path(path)
    if not p.is_file():
        raise GaitscopeError(f"{p}: intake file not found; write one with `gaitscope intake --out {p.name}`")
    suf = p.suffix.lower()
    if suf not in (".json", ".toml", ".yaml", ".yml", ".txt"):
        raise GaitscopeError(f"{p}: give the intake as .yaml (the format `gaitscope intake` writes), .json or .toml")
    fix = "fix it or write it with `gaitscope intake`"
    text = read_text(p, what="intake file", max_bytes=MAX_SMALL_FILE_BYTES, fix=fix)
    if suf == ".json":
        data = parse_json(text, source=p, what="intake file", fix=fix)
    elif suf == ".toml":
        data = parse_toml(text, source=p, what="intake file", fix=fix)
    elif suf in (".yaml", ".yml", ".txt"):
        data = parse_simple_yaml(text, str(p))
    else:
        raise GaitscopeError(f"{p}: give the intake as .yaml (the format `gaitscope intake` writes), .json or .toml")
    if not isinstance(data, dict):
        raise GaitscopeError(f"{p}: the intake must be a set of 'key: value' answers")
    return data


def _quote_if_needed(s: str) -> str:
    try:
        round_trip = _scalar(s, "value")
    except GaitscopeError:
        round_trip = None
    if round_trip == s and s == s.strip() and "#" not in s and s:
        return s
    return json.dumps(s, ensure_ascii=False)


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return f"{value:g}"
    return _quote_if_needed(str(value))


def dump_simple_yaml(answers: dict[str, Any], comments: dict[str, str] | None = None) -> str:
    """Text of an intake file in the strict subset (readable back by :func:`parse_simple_yaml`)."""
    lines = [FORMAT_LINE]
    for key, value in answers.items():
        if comments and key in comments:
            lines.append(f"# {comments[key]}")
        if isinstance(value, (list, tuple)):
            if not value:
                lines.append(f"{key}: []")
                continue
            lines.append(f"{key}:")
            for item in value:
                if isinstance(item, dict):
                    name = str(item["activity"])
                    lines.append(f"  - {_quote_if_needed(name)}: {_fmt(item['score'])}")
                else:
                    lines.append(f"  - {_fmt(item)}")
        else:
            lines.append(f"{key}: {_fmt(value)}".rstrip())
    return "\n".join(lines) + "\n"


def write_intake_file(answers: dict[str, Any], path: str | Path, comments: dict[str, str] | None = None) -> Path:
    """Write answers as ``.yaml`` (the strict subset) or ``.json``, chosen by the suffix."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    from gaitscope.outputs import write_text

    if p.suffix.lower() == ".json":
        write_text(p, json.dumps(answers, indent=1, ensure_ascii=False) + "\n")
    else:
        write_text(p, dump_simple_yaml(answers, comments))
    return p
