"""Views of the collectives, one module per area; permissions come from `request.site_access` only."""
