"""The national roll-up's snapshot: counts and progress, funnel, distributions, alerts, every site in scope.

Counts by wave and region, the funnel and the alerts are the national dashboard's
(`evaluation.dashboard.rollups`, aggregate queries); progress (overall, by wave and by region),
distributions and the list of sites come from the sites' facts (`facts.py`, read from the sites' progress
read model). Both read a fixed number of queries for any number of sites. Ordinal facts (continuum,
conditions, statuses) are kept as distributions — counts per level — never as averages alone.

The document is a synthesis for a steering committee: its size depends on the number of waves and regions,
not of sites. Every site, with each of its facts, is in the spreadsheet (`render.national_xlsx`).

HOOK: `NATIONAL_SECTIONS` lists one function per section, `(context) -> dict`; a section whose data has not
landed says so (`pending`). Distributions of a new ordinal fact come for free once its fact family is wired.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from functools import cached_property

from django.db.models import QuerySet
from django.utils import timezone

from evaluation.dashboard import rollups
from sites import geography
from sites.enums import SiteStatus
from sites.models import Region, Site, Wave

from . import facts as fact_families
from .snapshot import SCHEMA, Section, annex_rows, iso, pending

STATUS_LABELS = list(SiteStatus.labels)
ALERT_EXAMPLES = 40


@dataclass
class Context:
    sites: QuerySet
    table: fact_families.FactTable
    rows: list[dict]
    definitions: dict[str, dict]

    @cached_property
    def grouped(self) -> list[tuple]:
        """The dashboard's grouped rows (wave, region, status, continuum, funnel stage), one query."""
        return rollups.grouped(self.sites)

    @cached_property
    def waves(self) -> list[Wave]:
        return list(Wave.objects.filter(pk__in={row[0] for row in self.grouped}).order_by("number"))

    @cached_property
    def totals(self) -> rollups.Totals:
        """The dashboard's totals by wave and region and its alert counts, summed from the grouped rows."""
        regions = dict(Region.objects.values_list("pk", "name"))
        return rollups.totals_of(self.grouped, self.waves, regions)


def scope_sites(wave_id: int | None = None, region_id: int | None = None) -> QuerySet:
    sites = Site.objects.all()
    if wave_id:
        sites = sites.filter(wave_id=wave_id)
    if region_id:
        sites = sites.filter(department__region_id=region_id)
    return sites


def _counts(rows: list[dict]) -> dict:
    statuses = Counter(r["facts"].get("status") for r in rows)
    return {
        "total": len(rows),
        "by_status": [statuses.get(label, 0) for label in STATUS_LABELS],
        "engaged": statuses.get(SiteStatus.IN_TRAINING.label, 0) + statuses.get(SiteStatus.ACTIVE.label, 0),
        "trinome_complete": sum(1 for r in rows if r["facts"].get("trinome_complete")),
    }


def _share(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _steps(ctx: Context) -> list[dict]:
    """The yes/no facts (trinôme complete, vision adopted...): the steps of the approach of a site."""
    return [d for d in ctx.definitions.values() if d["kind"] == "bool"]


def overview(ctx: Context) -> dict:
    counts = _counts(ctx.rows)
    progress = []
    for definition in _steps(ctx):
        item = {"label": definition["label"], "available": definition["available"]}
        if definition["available"]:
            done = sum(1 for r in ctx.rows if r["facts"].get(definition["key"]))
            item.update(count=done, share=_share(done, counts["total"]))
        else:
            item["pending"] = definition["pending"]
        progress.append(item)
    return {"available": True, "statuses": STATUS_LABELS, **counts, "progress": progress}


def _with_progress(ctx: Context, rows: list[dict], group: str) -> dict:
    """The dashboard's rows of a grouping (`group`: the sites' "wave" or "region"), each with how many of its
    sites reached each step of the approach, and the share of the group's sites."""
    steps = [d for d in _steps(ctx) if d["available"]]
    done: dict = {}
    for site in ctx.rows:
        counts = done.setdefault(site[group], [0] * len(steps))
        for index, step in enumerate(steps):
            if site["facts"].get(step["key"]):
                counts[index] += 1
    for row in rows:
        counts = done.get(row["key"], [0] * len(steps))
        row["progress"] = [{"count": n, "share": _share(n, row["total"])} for n in counts]
    return {
        "available": True,
        "statuses": STATUS_LABELS,
        "steps": [step["label"] for step in steps],
        "rows": rows,
    }


def by_wave(ctx: Context) -> dict:
    return _with_progress(ctx, ctx.totals.by_wave, "wave")


def by_region(ctx: Context) -> dict:
    return _with_progress(ctx, ctx.totals.by_region, "region")


def site_map(ctx: Context) -> dict:
    """The sites by department, status and wave (one grouped query): the map of France and its table are
    drawn from these rows when the document is rendered (`render.national_charts`)."""
    return {"available": True, "rows": [list(row) for row in geography.department_counts(ctx.sites)]}


def funnel(ctx: Context) -> dict:
    """Per wave (the dashboard's funnel): how many sites reached each stage, whatever they became since."""
    result = []
    for wave in ctx.waves:
        data = rollups.funnel_of(ctx.grouped, wave)
        result.append(
            {
                "wave": wave.name,
                "stages": [asdict(stage) for stage in data["stages"]],
                "paused": data["paused"],
                "withdrawn": data["withdrawn"],
            }
        )
    return {"available": True, "waves": result}


def _distribution(ctx: Context, key: str) -> dict:
    definition = ctx.definitions[key]
    levels = definition["levels"]
    values = [r["facts"].get(key) for r in ctx.rows]
    known = [v for v in values if v is not None]
    counts = Counter(known)
    if not levels:
        levels = sorted(counts, key=str)
    dist = [
        {"level": level, "count": counts.get(level, 0), "share": _share(counts.get(level, 0), len(known))}
        for level in levels
    ]
    median = None
    if known and all(v in levels for v in known):
        ranks = sorted(levels.index(v) for v in known)
        median = levels[ranks[(len(ranks) - 1) // 2]]
    return {
        "key": key,
        "label": definition["label"],
        "levels": dist,
        "known": len(known),
        "unknown": len(values) - len(known),
        "median": median,
    }


def continuum(ctx: Context) -> dict:
    definition = ctx.definitions["continuum"]
    if not definition["available"]:
        return pending(f"La répartition des sites sur le continuum de coopération {definition['pending']}.")
    return {"available": True, "distributions": [_distribution(ctx, "continuum")]}


def conditions(ctx: Context) -> dict:
    keys = [k for k in ctx.definitions if k.startswith("condition_")]
    if not all(ctx.definitions[k]["available"] for k in keys):
        return pending(
            "La répartition des sites sur les cinq conditions de l’impact collectif "
            f"{ctx.definitions[keys[0]]['pending']}."
        )
    return {"available": True, "distributions": [_distribution(ctx, k) for k in keys]}


def alerts(ctx: Context) -> dict:
    """The dashboard's alerts (same definitions and thresholds), with the sites they concern."""
    items = []
    summary = rollups.alert_summary(
        ctx.sites,
        ctx.totals.alert_counts,
        examples=ALERT_EXAMPLES,
        vision_due_by_wave=ctx.totals.vision_due_by_wave,
    )
    for alert in summary:
        if not alert.tracked:
            items.append({"title": alert.title, "pending": "Cette alerte arrive avec la vision adoptée."})
            continue
        items.append(
            {
                "key": alert.key,
                "title": alert.title,
                "description": alert.description,
                "count": alert.count,
                "sites": [{"name": site.name} for site in alert.examples],
            }
        )
    return {"available": True, "alerts": items}


def annex(ctx: Context) -> dict:
    """Where each site's facts are: the spreadsheet's "Sites" sheet, one column per available fact.

    A per-site table does not belong in a committee's synthesis (2,000 sites made 70 landscape pages nobody
    reads, and most of the document's cost); a spreadsheet can be sorted and filtered, and each site has its
    own bilan.
    """
    definitions = ctx.definitions.values()
    return {
        "available": True,
        "count": len(ctx.rows),
        "columns": [d["key"] for d in definitions if d["available"]],
        "waiting": [d["label"] for d in definitions if not d["available"]],
    }


NATIONAL_SECTIONS: tuple[Section, ...] = (
    Section("overview", "Chiffres clés", overview),
    Section("by_wave", "Par vague", by_wave),
    Section("by_region", "Par région", by_region),
    Section("map", "Carte des sites", site_map),
    Section("funnel", "Mobilisation des sites", funnel),
    Section("continuum", "Continuum de coopération", continuum),
    Section("conditions", "Les cinq conditions", conditions),
    Section("alerts", "Alertes", alerts),
    Section("annex", "Le détail par site", annex),
)


def scope_label(wave_id: int | None, region_id: int | None) -> str:
    wave = Wave.objects.filter(pk=wave_id).first() if wave_id else None
    region = Region.objects.filter(pk=region_id).first() if region_id else None
    return ", ".join(
        [str(wave) if wave else "toutes les vagues", str(region) if region else "toutes les régions"]
    )


def national_snapshot(wave_id: int | None = None, region_id: int | None = None) -> dict:
    sites = scope_sites(wave_id, region_id)
    table = fact_families.collect(sites)
    rows = annex_rows(sites, table)
    ctx = Context(sites, table, rows, {d["key"]: d for d in table.definitions})
    label = scope_label(wave_id, region_id)
    return {
        "schema": SCHEMA,
        "kind": "national",
        "title": f"Synthèse nationale — {label}",
        "scope": {"label": label, "wave": wave_id, "region": region_id},
        "taken_at": iso(timezone.now()),
        "sections": [{"key": s.key, "title": s.title, **s.build(ctx)} for s in NATIONAL_SECTIONS],
        "facts": table.definitions,
        "sites": rows,
    }
