"""Models of the vision app (filled by its own issue)."""
