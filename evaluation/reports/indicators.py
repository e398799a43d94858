"""The "Indicateurs" section of a site's bilan: each indicator of the strategy's changes, its measurements and
its trend chart (the same SVG as the indicators page), frozen as JSON like every section."""

from __future__ import annotations

from sites.models import Site

MEASUREMENTS_SHOWN = 8  # the latest ones; the chart draws them all


def site_indicators(site: Site) -> dict:
    """Two queries, whatever the number of indicators and measurements."""
    from ..services import indicators_with_measurements

    indicators = indicators_with_measurements(site)
    return {
        "available": True,
        "indicators": [
            {
                "name": indicator.name,
                "change": indicator.change_label,
                "kind": indicator.get_kind_display(),
                "quantitative": indicator.is_quantitative,
                "direction": indicator.get_direction_display() if indicator.is_quantitative else "",
                "data_source": indicator.data_source,
                "frequency": indicator.get_frequency_display(),
                "baseline": {"on": indicator.baseline_on.isoformat(), "display": indicator.baseline_display},
                "target": {
                    "on": indicator.target_on.isoformat() if indicator.target_on else None,
                    "display": indicator.target_display,
                },
                "measurements": [
                    {"on": row.measured_on.isoformat(), "display": row.display, "comment": row.comment}
                    for row in indicator.rows[-MEASUREMENTS_SHOWN:]
                ],
                "count": len(indicator.rows),
                "next_due": indicator.next_due.isoformat(),
                "overdue": indicator.overdue,
                "chart": str(indicator.chart),
            }
            for indicator in indicators
        ],
    }
