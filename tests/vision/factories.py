"""Factories and helpers for the vision app's tests."""

import factory

from collectives.enums import MemberRole
from tests.collectives.factories import MembershipFactory
from vision import services
from vision.enums import ChangeLevel, ChangeRegister
from vision.models import Change, Vision


class ChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Change

    site = factory.SubFactory("tests.sites.factories.SiteFactory")
    level = ChangeLevel.DIRECT
    register = ChangeRegister.KNOWLEDGE
    title = factory.Sequence(lambda n: f"Changement {n}")
    position = factory.Sequence(lambda n: n)


def full_trinome(site, civil_society=None):
    """The three seat holders of a site (reusing an existing civil-society holder if given)."""
    seats = {}
    for role in (MemberRole.PREFECT_DELEGATE, MemberRole.MUNICIPALITY, MemberRole.CIVIL_SOCIETY):
        if role == MemberRole.CIVIL_SOCIETY and civil_society is not None:
            seats[role] = civil_society
        else:
            seats[role] = MembershipFactory(site=site, role=role).user
    return seats


def chain_strategy(site, user, *, directs=2, intermediates=1, statement=None):
    """A complete small strategy: directs -> intermediates -> one ultimate -> vision. Returns the changes."""
    services.save_statement(
        site,
        user,
        expected_version=Vision.objects.filter(site=site).values_list("version", flat=True).first() or 1,
        statement=statement
        or "En 2040, chaque habitant du quartier trouve sa place et fait vivre ses projets.",
        horizon_year=2045,
    )
    ultimate = services.add_change(
        site,
        user,
        level=ChangeLevel.ULTIMATE,
        register=ChangeRegister.LIVING_ENVIRONMENT,
        title="Un quartier où l’on choisit de rester",
        to_vision=True,
    )
    mids = [
        services.add_change(
            site,
            user,
            level=ChangeLevel.INTERMEDIATE,
            register=ChangeRegister.PRACTICES,
            title=f"Pratique partagée {i + 1}",
            targets=[ultimate],
        )
        for i in range(intermediates)
    ]
    directs_list = [
        services.add_change(
            site,
            user,
            level=ChangeLevel.DIRECT,
            register=ChangeRegister.KNOWLEDGE,
            title=f"Connaissance {i + 1}",
            targets=[mids[i % len(mids)]],
        )
        for i in range(directs)
    ]
    return {"ultimate": ultimate, "intermediates": mids, "directs": directs_list}
