"""Views of the vision workspace, by area."""
