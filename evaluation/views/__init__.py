"""Views of the evaluation loop, one module per area (learning log, indicators, self-assessments, cycles,
what is due); the reports' views are in evaluation/reports/views.py."""
