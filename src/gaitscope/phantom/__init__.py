"""phantom stage."""
