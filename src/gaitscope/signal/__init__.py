"""signal stage."""
