"""Credit risk scoring model."""
