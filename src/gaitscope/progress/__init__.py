"""Progress over time: the same person's assessments compared (``gaitscope progress``)."""

from gaitscope.progress.compare import (
    Session,
    check_same_person,
    compare_sessions,
    load_session,
    progress_markdown,
    progress_metrics,
    session_from_assessment,
    write_progress,
)

__all__ = ["Session", "check_same_person", "compare_sessions", "load_session", "progress_markdown", "progress_metrics", "session_from_assessment", "write_progress"]
