"""Worker process for the pose stage: ``python -m gaitscope.pose._worker``.

Reads one pickled job from stdin, runs it, writes a pickled ``("ok", result)`` or
``("error", GaitscopeError)`` to stdout. A plain subprocess (not ``multiprocessing``) so the
caller's main module is never re-imported, whatever script calls :func:`run_pose`.
"""

from __future__ import annotations

import pickle
import sys


def main() -> int:
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
