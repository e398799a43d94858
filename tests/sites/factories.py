import datetime as dt

import factory

from sites.geography import ensure_geography
from sites.models import Department, Region, ResourceCentre, Site, Wave


class WaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wave
        django_get_or_create = ["number"]

    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda w: f"Vague {w.number}")
    starts_on = dt.date(2025, 5, 1)
    training_starts_on = dt.date(2025, 9, 30)


def region(code: str) -> Region:
    ensure_geography()  # transactional tests flush the data migration's rows
    return Region.objects.get(code=code)


def department(code: str) -> Department:
    ensure_geography()
    return Department.objects.get(code=code)


class ResourceCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourceCentre
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Centre de ressources {n}")
    short_name = factory.Sequence(lambda n: f"CRPV {n}")

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create:
            self.regions.set(extracted or [region("84")])


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Quartier {n}")
    slug = factory.Sequence(lambda n: f"quartier-{n}")
    communes = "Saint-Étienne"
    department = factory.LazyFunction(lambda: department("42"))
    wave = factory.SubFactory(WaveFactory, number=3)
    status = "active"
