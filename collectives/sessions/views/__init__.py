"""Views of the sessions, by area: list and planning, attendance, exercises, calendar, coaching hours."""
