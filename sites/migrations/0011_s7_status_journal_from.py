"""Journal entries of status changes written as "Statut : X → X": the summary named the new status twice
(the former was overwritten before the summary was written). Each is rewritten from its dated transition,
which kept the status the site came from."""

import re

from django.db import migrations

SUMMARY = re.compile(r"^Statut : (?P<was>[^→]+?) → (?P<now>[^(]+?)(?P<rest> \(.*)?$", re.DOTALL)


def name_the_former_status(apps, schema_editor):
    from sites.enums import SiteStatus

    SiteEvent = apps.get_model("sites", "SiteEvent")
    SiteStatusChange = apps.get_model("sites", "SiteStatusChange")
    by_label = {status.label: status.value for status in SiteStatus}
    for event in SiteEvent.objects.filter(kind="status_changed", summary__contains=" → ").iterator():
        match = SUMMARY.match(event.summary)
        if not match or match["was"] != match["now"] or match["now"] not in by_label:
            continue
        change = (
            SiteStatusChange.objects.filter(
                site_id=event.site_id, to_status=by_label[match["now"]], changed_at__lte=event.occurred_at
            )
            .order_by("-changed_at", "-pk")
            .first()
        )
        if change is None or change.from_status not in SiteStatus.values:
            continue
        was = SiteStatus(change.from_status).label
        event.summary = f"Statut : {was} → {match['now']}{match['rest'] or ''}"
        SiteEvent.objects.filter(pk=event.pk).update(summary=event.summary)


class Migration(migrations.Migration):
    dependencies = [("sites", "0010_t16_funnel_stage")]

    operations = [migrations.RunPython(name_the_former_status, migrations.RunPython.noop)]
