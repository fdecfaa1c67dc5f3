"""Portfolio placeholder (filled in next)."""
