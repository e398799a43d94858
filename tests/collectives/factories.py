import datetime as dt

import factory
from django.utils import timezone

from collectives.enums import AgreementPart, AgreementStatus, MemberRole, PlatformRole
from collectives.models import (
    AgreementSection,
    CooperationAgreement,
    CooperationSpace,
    Invitation,
    Membership,
    User,
    hash_token,
)

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

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        """An account in use has verified its address (an invitation link, or staff's assignment);
        `verified_email=False` builds one whose address was only typed in."""
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


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


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation whose raw token is kept on the instance as `token` (the database keeps only its hash)."""

    class Meta:
        model = Invitation

    site = factory.SubFactory("tests.sites.factories.SiteFactory")
    email = factory.Sequence(lambda n: f"invite{n}@exemple.fr")
    first_name = "Alex"
    last_name = "Nouveau"
    role = MemberRole.PARTNER
    token = factory.LazyFunction(Invitation.new_token)
    token_hash = factory.LazyAttribute(lambda o: hash_token(o.token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        token = kwargs.pop("token")
        instance = super()._create(model_class, *args, **kwargs)
        instance.token = token
        return instance


def agreement_for(site, *, number=1, status=AgreementStatus.DRAFT, texts=None, spaces=1):
    """An agreement version with its five sections (filled with `texts`, or a sentence each) and spaces."""
    agreement = CooperationAgreement.objects.create(site=site, number=number, status=status)
    for part in AgreementPart:
        text = (texts or {}).get(part, f"Texte de la partie {part.label}.")
        AgreementSection.objects.create(agreement=agreement, part=part, text=text)
    for index in range(spaces):
        CooperationSpace.objects.create(agreement=agreement, name=f"Lieu {index + 1}", position=index + 1)
    return agreement
