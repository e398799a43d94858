"""Views of the sites registry, by area: registry (list, site page), lifecycle, dashboard, imports."""
