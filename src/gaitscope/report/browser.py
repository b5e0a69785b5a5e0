"""Headless Chromium for the report: print it to PDF, screenshot it, dump its DOM after load.

Chromium is an optional system program (Debian package ``chromium``); :func:`find_chromium` returns None
when it is absent. The flags keep it off the network (the report needs none) and in a fresh profile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from gaitscope.types import GaitscopeError

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Headless, sandbox off (containers, root), no GPU, and no background network traffic.
BROWSER_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
)
INSTALL_HINT = "install Chromium (Debian/Ubuntu: `apt-get install chromium`) or set GAITSCOPE_CHROMIUM to its path"


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable (``$GAITSCOPE_CHROMIUM`` if set, else on PATH), or None.

    A ``$GAITSCOPE_CHROMIUM`` that is not a file gives None (the user asked for that binary: no silent fallback).
    """
    env = os.environ.get("GAITSCOPE_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(args: list[str], *, timeout_s: float) -> subprocess.CompletedProcess:
    exe = find_chromium()
    if exe is None:
        env = os.environ.get("GAITSCOPE_CHROMIUM")
        where = f" (GAITSCOPE_CHROMIUM={env} is not a file)" if env else ""
        raise GaitscopeError(f"headless Chromium is needed for this step but was not found{where}; {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="gaitscope-chromium-") as profile:
        cmd = [exe, *BROWSER_FLAGS, f"--user-data-dir={profile}", *args]
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise GaitscopeError(f"Chromium did not finish within {timeout_s:.0f} s ({args[-1]}); try again") from None


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout_s: float = 120.0) -> Path:
    """Print the HTML file to PDF (A4, the report's print styles, no browser header or footer)."""
    html = Path(html_path).resolve()
    from gaitscope.outputs import atomic_path

    pdf = Path(os.path.abspath(pdf_path))  # not resolve(): a symlink named report.pdf is replaced, not followed
    with atomic_path(pdf) as tmp:  # Chromium prints to a temporary file; renamed into place only when complete
        tmp.unlink()
        res = _run([f"--print-to-pdf={tmp}", "--no-pdf-header-footer", "--virtual-time-budget=5000", html.as_uri()],
                   timeout_s=timeout_s)
        if not tmp.is_file() or tmp.stat().st_size == 0:
            tail = (res.stderr or "").strip().splitlines()[-1:] or [""]
            raise GaitscopeError(f"Chromium could not print {html.name} to PDF ({tail[0][:120]}); open the HTML report instead")
    return pdf


def screenshot(html_path: str | Path, png_path: str | Path, *, width_px: int = 1100, height_px: int = 1400,
               timeout_s: float = 120.0) -> Path:
    """A PNG of the top ``width_px`` x ``height_px`` of the rendered page."""
    html = Path(html_path).resolve()
    png = Path(png_path).resolve()
    png.unlink(missing_ok=True)
    res = _run([f"--screenshot={png}", f"--window-size={width_px},{height_px}", "--virtual-time-budget=5000",
                html.as_uri()], timeout_s=timeout_s)
    if not png.is_file():
        raise GaitscopeError(f"Chromium could not screenshot {html.name}: {(res.stderr or '').strip()[-200:]}")
    return png


def dump_dom(html_path: str | Path, *, timeout_s: float = 120.0, width_px: int = 1100) -> str:
    """The DOM after load (scripts run) as HTML text."""
    html = Path(html_path).resolve()
    res = _run(["--dump-dom", f"--window-size={width_px},1400", "--virtual-time-budget=5000", html.as_uri()],
               timeout_s=timeout_s)
    return res.stdout
