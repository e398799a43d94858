import datetime as dt

import factory
from django.core.files.storage import default_storage

from evaluation.models import LearningEntry, Report
from evaluation.reports.enums import ReportKind, ReportState
from evaluation.reports.services import scope_key
from tests.sites.factories import SiteFactory


class LearningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningEntry

    site = factory.SubFactory(SiteFactory)
    title = factory.Sequence(lambda n: f"Apprentissage {n}")
    occurred_on = dt.date(2026, 3, 12)
    what_happened = "Une réunion publique au centre social."
    what_we_learned = "Les horaires comptent."
    what_we_change = ""
    tags = ""


FAKE_PDF = b"%PDF-1.7\n% test report\n%%EOF\n"


class ReportFactory(factory.django.DjangoModelFactory):
    """A site bilan by default; `state=done` writes a stand-in file for each format."""

    class Meta:
        model = Report

    kind = ReportKind.SITE
    site = factory.SubFactory("tests.sites.factories.SiteFactory")
    data_date = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n))
    scope_key = factory.LazyAttribute(
        lambda r: scope_key(
            r.kind, site=r.site, wave=getattr(r, "wave", None), region=getattr(r, "region", None)
        )
    )
    state = ReportState.PENDING
    snapshot = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        report = super()._create(model_class, *args, **kwargs)
        if report.state == ReportState.DONE:
            fields = {
                ReportKind.SITE: ["pdf"],
                ReportKind.NATIONAL: ["pdf", "xlsx"],
                ReportKind.BATCH: ["archive"],
            }
            for name in fields[report.kind]:
                extension = "zip" if name == "archive" else name
                path = f"reports/test/report-{report.pk}.{extension}"
                if default_storage.exists(path):
                    default_storage.delete(path)
                setattr(report, name, default_storage.save(path, _content(extension)))
            report.progress = 100
            report.save()
        return report


def _content(extension):
    from django.core.files.base import ContentFile

    return ContentFile(FAKE_PDF if extension == "pdf" else b"PK\x05\x06" + b"\x00" * 18)


def national_report(**kwargs):
    kwargs.setdefault("kind", ReportKind.NATIONAL)
    kwargs.setdefault("site", None)
    return ReportFactory(**kwargs)


def change_for(site, title="Les habitants prennent part aux décisions"):
    from vision.models import Change

    return Change.objects.create(site=site, level="intermediate", register="practices", title=title)


def indicator_for(site, change=None, **fields):
    from evaluation.models import Indicator

    defaults = {
        "name": "Habitants présents aux réunions",
        "kind": "quantitative",
        "unit": "personnes",
        "baseline_on": dt.date(2026, 1, 15),
        "baseline_value": 12,
        "target_value": 40,
        "data_source": "Feuilles d’émargement",
        "frequency": "3",
    }
    return Indicator.objects.create(site=site, change=change or change_for(site), **{**defaults, **fields})


def cycle_for(site, **fields):
    from evaluation.models import EvaluationCycle

    defaults = {
        "title": "Printemps 2026",
        "starts_on": dt.date(2026, 3, 1),
        "ends_on": dt.date(2026, 6, 30),
        "planned": "Trois réunions publiques au centre social.",
        "observed": "Les habitants sont venus en nombre à la deuxième.",
        "learned": "Les réunions du soir réunissent davantage d’habitants.",
    }
    return EvaluationCycle.objects.create(site=site, **{**defaults, **fields})


def action_for(site, name="Café des parents", status="running"):
    from vision.models import PartnerAction

    return PartnerAction.objects.create(
        site=site, name=name, lead_organisation="Centre social", status=status
    )
