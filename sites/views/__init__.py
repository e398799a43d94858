"""Views of the sites registry, by area: registry (list, site page), lifecycle, dashboard (the registrations
import is in collectives)."""
