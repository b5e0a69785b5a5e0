"""chain stage."""
