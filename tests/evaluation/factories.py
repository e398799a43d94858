import datetime as dt

import factory

from evaluation.models import LearningEntry
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
