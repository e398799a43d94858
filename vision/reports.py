"""The vision and the change strategy laid out for printed documents (the handover pack, the bilans).

Reports show the adopted version; a site with none yet shows its draft, said as such. The diagram is the same
server-drawn SVG as in the pages.
"""

from __future__ import annotations

from qic.sanitize import render_markdown

from . import document, selectors
from .diagram import render_svg

_DRAFT = "_vision_draft_snapshot"


def _draft(site) -> dict:
    """The draft's snapshot, read once for one site object: a document that prints both the vision and the
    strategy of a site with neither adopted read the whole draft (seven queries) twice."""
    snap = site.__dict__.get(_DRAFT)
    if snap is None:
        snap = site.__dict__[_DRAFT] = selectors.draft_snapshot(site)
    return snap


def _source(site):
    """The snapshot to print and where it comes from: the adopted version, else the draft."""
    revision = selectors.adopted_revision(site)
    if revision is not None:
        return revision.snapshot, revision
    return _draft(site), None


def vision_section(site) -> dict | None:
    snap, revision = _source(site)
    if not snap["vision"]["statement"] and not snap["factors"]:
        return None
    return {
        "adopted": revision,
        "statement": snap["vision"]["statement"],
        "horizon_year": snap["vision"]["horizon_year"],
        "positive": [f["text"] for f in snap["factors"] if f["kind"] == "positive"],
        "negative": [f["text"] for f in snap["factors"] if f["kind"] == "negative"],
    }


def strategy_section(site) -> dict | None:
    strategy = selectors.adopted_strategy(site)
    if strategy is not None:
        snap, adopted = strategy.snapshot, strategy
    else:
        snap, adopted = _draft(site), None
    if not snap["changes"]:
        return None
    titles = {c["id"]: c["title"] for c in snap["changes"]}
    return {
        "adopted": adopted,
        "svg": render_svg(snap, title="Stratégie de changement", id_prefix="qic-pdf"),
        "chain": document.chain(snap),
        "snap": snap,
        "counts": {
            level.plural: sum(1 for c in snap["changes"] if c["level"] == level) for level in document.LEVELS
        },
        "actions": [
            {
                "name": a["name"],
                "lead": a["lead"],
                "status": document.status_label(a["status"]),
                "changes": [titles[pk] for pk in a["changes"] if pk in titles],
            }
            for a in snap["actions"]
        ],
        # Under the bilan's "Le récit", a level 3 heading (reports/pdf/site/strategy.html).
        "narrative": render_markdown(snap["narrative"], under=3) if snap["narrative"] else "",
    }
