"""Views of the evaluation loop, one module per area (learning log, reports)."""
