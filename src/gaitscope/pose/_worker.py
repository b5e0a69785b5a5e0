"""Worker process for the pose stage: ``python -m gaitscope.pose._worker``.

Reads one pickled job from stdin, runs it, writes a pickled ``("ok", result)`` or
``("error", GaitscopeError)`` to stdout. A plain subprocess (not ``multiprocessing``) so the
caller's main module is never re-imported, whatever script calls :func:`run_pose`.

A worker never outlives its parent (kill -9, SIGTERM, a crash): see :func:`die_with_parent`.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time

#: Environment variable carrying the parent's process id (set by :class:`gaitscope.pose.run._Child`).
PARENT_PID_ENV = "GAITSCOPE_PARENT_PID"
#: How often the fallback watchdog checks that the parent is alive (s).
WATCHDOG_INTERVAL_S = 0.2


def die_with_parent() -> None:
    """Make this process end when its parent ends, however the parent ends.

    On Linux the kernel sends SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``, set via
    ctypes). Everywhere, a daemon thread also checks every :data:`WATCHDOG_INTERVAL_S` that the
    parent is still ours (after the parent dies the worker is re-parented). If the parent died
    before this ran, exit at once.
    """
    try:
        parent = int(os.environ.get(PARENT_PID_ENV, "0"))
    except ValueError:
        parent = 0
    if not parent:
        return
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watchdog below still works
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(WATCHDOG_INTERVAL_S)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="gaitscope-parent-watchdog").start()


def main() -> int:
    die_with_parent()
    from gaitscope.pose.run import _run_job
    from gaitscope.types import GaitscopeError

    job = pickle.load(sys.stdin.buffer)
    try:
        out = ("ok", _run_job(job))
    except GaitscopeError as err:
        out = ("error", err)
    pickle.dump(out, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
