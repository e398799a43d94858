import datetime as dt

import factory

from collectives.enums import MemberRole, PlatformRole
from collectives.models import Membership, User

PASSWORD = "mot-de-passe-de-test-2025"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    role = PlatformRole.MEMBER
    password = factory.django.Password(PASSWORD)


class NationalFactory(UserFactory):
    role = PlatformRole.NATIONAL


class SteeringFactory(UserFactory):
    role = PlatformRole.STEERING


class FacilitatorFactory(UserFactory):
    role = PlatformRole.FACILITATOR
    resource_centre = factory.SubFactory("tests.sites.factories.ResourceCentreFactory")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    site = factory.SubFactory("tests.sites.factories.SiteFactory")
    user = factory.SubFactory(UserFactory)
    role = MemberRole.PARTNER
    started_on = dt.date(2024, 9, 1)
