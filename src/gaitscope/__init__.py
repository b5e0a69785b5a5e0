"""gaitscope: posture and gait assessment from ordinary video, offline. Screening, not diagnosis."""

__version__ = "0.1.0"
