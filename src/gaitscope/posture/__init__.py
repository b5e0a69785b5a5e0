"""posture stage."""
