"""Models of the evaluation app (filled by its own issue)."""
