"""The method's rules enforced by the services: links, adoption, revisions, restore, locking."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from collectives.enums import MemberRole
from qic.locking import EditConflict
from sites.enums import EventKind
from sites.models import SiteEvent
from tests.vision.factories import chain_strategy, full_trinome
from vision import rules, selectors, services
from vision.enums import ChangeLevel, ChangeRegister, FactorKind
from vision.models import Approval, Change, Comment, Revision

pytestmark = pytest.mark.django_db


def _change(site, user, level, title, **kwargs):
    register = {"direct": "knowledge", "intermediate": "practices", "ultimate": "living_environment"}[level]
    return services.add_change(site, user, level=level, register=register, title=title, **kwargs)


# Links ----------------------------------------------------------------------------------------------------


def test_a_change_contributes_to_a_higher_level(world):
    site, user = world.site_a, world.seat_holder_a
    ultimate = _change(site, user, "ultimate", "Culture du faire ensemble", to_vision=True)
    middle = _change(site, user, "intermediate", "Les associations coopèrent", targets=[ultimate])
    direct = _change(site, user, "direct", "Les acteurs se connaissent", targets=[middle, ultimate])
    assert set(direct.contributes_to.all()) == {middle, ultimate}
    assert list(middle.contributes_to.all()) == [ultimate]


def test_a_link_to_the_same_level_is_refused(world):
    site, user = world.site_a, world.seat_holder_a
    one = _change(site, user, "intermediate", "Les écoles ouvrent le soir")
    with pytest.raises(ValidationError) as error:
        _change(site, user, "intermediate", "Les parents s’impliquent", targets=[one])
    assert "même niveau" in error.value.messages[0]
    assert Change.objects.filter(site=site).count() == 1


def test_a_downward_link_is_refused(world):
    site, user = world.site_a, world.seat_holder_a
    direct = _change(site, user, "direct", "Connaître les dispositifs")
    with pytest.raises(ValidationError) as error:
        _change(site, user, "ultimate", "Vivre ensemble", targets=[direct])
    assert "niveau supérieur" in error.value.messages[0]
    assert "Connaître les dispositifs" in error.value.messages[0]


def test_a_cycle_is_refused_with_its_own_message(world):
    site, user = world.site_a, world.seat_holder_a
    middle = _change(site, user, "intermediate", "Pratique B")
    direct = _change(site, user, "direct", "Connaissance A", targets=[middle])
    with pytest.raises(ValidationError) as error:
        services.set_links(middle, user, expected_version=middle.version, targets=[direct], to_vision=False)
    assert "boucle" in error.value.messages[0]
    assert list(middle.contributes_to.all()) == []


def test_a_link_to_another_sites_change_is_refused(world):
    other = _change(world.site_b, world.seat_holder_b, "intermediate", "Chez les voisins")
    with pytest.raises(ValidationError) as error:
        _change(world.site_a, world.seat_holder_a, "direct", "Chez nous", targets=[other])
    assert "autre site" in error.value.messages[0]
    assert not Change.objects.filter(site=world.site_a).exists()


def test_only_an_ultimate_change_contributes_to_the_vision(world):
    with pytest.raises(ValidationError) as error:
        _change(world.site_a, world.seat_holder_a, "intermediate", "Pratique", to_vision=True)
    assert "Seul un changement ultime" in error.value.messages[0]


def test_changing_a_level_under_incoming_links_is_refused_and_rolled_back(world):
    site, user = world.site_a, world.seat_holder_a
    middle = _change(site, user, "intermediate", "Pratique")
    _change(site, user, "direct", "Connaissance", targets=[middle])
    with pytest.raises(ValidationError) as error:
        services.edit_change(
            middle, user, expected_version=middle.version, level="direct", register="knowledge",
            title="Pratique", description="", targets=[], to_vision=False,
        )  # fmt: skip
    assert "« Connaissance » contribue à ce changement" in error.value.messages[0]
    middle.refresh_from_db()
    assert middle.level == "intermediate" and middle.version == 1


def test_link_rules_work_on_snapshot_dicts_too():
    a = {"id": 1, "level": "direct", "title": "A", "site_id": 1}
    b = {"id": 2, "level": "intermediate", "title": "B", "site_id": 1}
    assert rules.link_error(a, b, {}) is None
    assert "boucle" in rules.link_error(b, a, {1: [2]})
    assert rules.link_error(a, a, {}) == "Un changement ne peut pas contribuer à lui-même."


# Statement ------------------------------------------------------------------------------------------------


def test_statement_hints_are_gentle_and_precise():
    today = dt.date(2025, 10, 1)
    short = rules.statement_hints("Un quartier où chacun trouve sa place.", 2040, today)
    assert [h.level for h in short] == ["success"]
    long = " ".join(["mot"] * 45)
    assert any(
        h.level == "warning" and "45 mots" in h.message for h in rules.statement_hints(long, 2040, today)
    )
    two = rules.statement_hints("Un quartier vivant. Des habitants heureux.", 2040, today)
    assert any("une seule phrase" in h.message for h in two)
    problem = rules.statement_hints("Lutter contre l’insécurité dans le quartier", 2040, today)
    assert any("scénario positif" in h.message for h in problem)
    near = rules.statement_hints("Un quartier vivant", 2030, today)
    assert any("2035" in h.message for h in near)


def test_the_horizon_is_at_least_ten_years_ahead():
    today = dt.date(2025, 10, 1)
    assert rules.horizon_error(2034, today) == (
        "L’horizon d’une vision est d’au moins dix ans : choisissez 2035 ou une année plus lointaine."
    )
    assert rules.horizon_error(2035, today) is None
    assert "Indiquez" in rules.horizon_error(None, today)


# Revisions and history ------------------------------------------------------------------------------------


def test_every_save_is_a_numbered_revision_with_author(world):
    site, user = world.site_a, world.seat_holder_a
    services.save_statement(site, user, expected_version=1, statement="Un quartier fier", horizon_year=2045)
    factor = services.add_factor(site, world.national, kind=FactorKind.POSITIVE, text="Des associations")
    services.edit_factor(factor, user, expected_version=factor.version, text="Des associations actives")
    revisions = list(Revision.objects.filter(site=site).order_by("number"))
    assert [r.number for r in revisions] == [1, 2, 3]
    assert [r.author for r in revisions] == [user, world.national, user]
    assert revisions[2].snapshot["factors"][0]["text"] == "Des associations actives"
    assert revisions[0].snapshot["factors"] == []
    assert "Facteur positif modifié" in revisions[2].summary


def test_saving_the_same_content_adds_no_revision(world):
    site, user = world.site_a, world.seat_holder_a
    vision = services.save_statement(
        site, user, expected_version=1, statement="Un quartier", horizon_year=2045
    )
    services.save_statement(
        site, user, expected_version=vision.version, statement="Un quartier", horizon_year=2045
    )
    assert Revision.objects.filter(site=site).count() == 1


def test_revision_numbers_are_per_site(world):
    services.save_statement(
        world.site_a, world.seat_holder_a, expected_version=1, statement="A", horizon_year=2045
    )
    services.save_statement(
        world.site_b, world.seat_holder_b, expected_version=1, statement="B", horizon_year=2045
    )
    assert Revision.objects.get(site=world.site_b).number == 1


def test_restore_brings_an_old_version_back_as_a_new_one(world):
    site, user = world.site_a, world.seat_holder_a
    chain = chain_strategy(site, user)
    before = services.head(site)
    kept_snapshot = before.snapshot
    direct = chain["directs"][0]
    Comment.objects.create(site=site, change=direct, change_ref=direct.pk, author=user, body="À préciser")
    services.delete_change(direct, user, expected_version=direct.version)
    services.edit_change(
        chain["ultimate"], user, expected_version=chain["ultimate"].version, level="ultimate",
        register="living_environment", title="Titre changé", description="", targets=[], to_vision=True,
    )  # fmt: skip
    services.add_factor(site, user, kind=FactorKind.NEGATIVE, text="Un facteur ajouté après")
    revision = services.restore(site, user, before.number)
    assert revision.number == before.number + 4  # three saves, then the restore
    assert revision.restored_from == before.number
    assert revision.snapshot == kept_snapshot  # same ids, same content, same links
    assert Change.objects.filter(pk=direct.pk, site=site).exists()  # back under its old id
    assert Comment.objects.get(body="À préciser").change_id == direct.pk  # the thread found it again
    assert Revision.objects.filter(site=site).count() == revision.number  # nothing was rewritten


def test_restore_keeps_locking_versions_moving_forward(world):
    site, user = world.site_a, world.seat_holder_a
    vision = services.save_statement(site, user, expected_version=1, statement="Première", horizon_year=2045)
    services.save_statement(
        site, user, expected_version=vision.version, statement="Seconde", horizon_year=2045
    )
    services.restore(site, user, 1)
    # A form opened before the restore is now stale.
    with pytest.raises(EditConflict):
        services.save_statement(
            site, user, expected_version=vision.version + 1, statement="X", horizon_year=2045
        )


# Locking --------------------------------------------------------------------------------------------------


def test_a_stale_save_is_refused_and_the_first_save_survives(world):
    site = world.site_a
    change = _change(site, world.seat_holder_a, "direct", "Titre d’origine")
    base = change.version
    services.edit_change(
        change, world.seat_holder_a, expected_version=base, level="direct", register="knowledge",
        title="Titre de Nadia", description="", targets=[], to_vision=False,
    )  # fmt: skip
    with pytest.raises(EditConflict) as conflict:
        services.edit_change(
            Change.objects.get(pk=change.pk), world.national, expected_version=base, level="direct",
            register="knowledge", title="Titre de Karim", description="", targets=[], to_vision=False,
        )  # fmt: skip
    assert conflict.value.current.title == "Titre de Nadia"
    assert Change.objects.get(pk=change.pk).title == "Titre de Nadia"


def test_a_stale_delete_is_refused(world):
    site, user = world.site_a, world.seat_holder_a
    factor = services.add_factor(site, user, kind=FactorKind.POSITIVE, text="Un marché vivant")
    services.edit_factor(
        factor, world.national, expected_version=factor.version, text="Un marché très vivant"
    )
    with pytest.raises(EditConflict):
        services.delete_factor(factor, user, expected_version=1)
    assert site.context_factors.get().text == "Un marché très vivant"


def test_moving_reorders_within_a_level_and_is_recorded(world):
    site, user = world.site_a, world.seat_holder_a
    a = _change(site, user, "direct", "A")
    b = _change(site, user, "direct", "B")
    c = _change(site, user, "direct", "C")
    services.move_change(c, user, direction="up")
    order = list(Change.objects.filter(site=site).order_by("position").values_list("title", flat=True))
    assert order == ["A", "C", "B"]
    assert services.head(site).summary == "Changement déplacé : « C »"
    services.move_change(a, user, direction="up")  # already first: nothing happens
    assert services.head(site).summary == "Changement déplacé : « C »"
    assert b.version == 1


# Adoption -------------------------------------------------------------------------------------------------


def test_strategy_problems_name_what_is_missing(world):
    site, user = world.site_a, world.seat_holder_a
    _change(site, user, "direct", "Savoir où s’adresser")
    problems = rules.strategy_problems(selectors.draft_snapshot(site))
    assert any("pas encore de changement ultime" in p for p in problems)
    assert any("« Savoir où s’adresser »" in p for p in problems)


def test_three_current_seat_holders_adopt_a_version(world):
    site = world.site_a
    seats = full_trinome(site, civil_society=world.seat_holder_a)
    chain_strategy(site, world.seat_holder_a)
    number = services.head(site).number
    for role in (MemberRole.PREFECT_DELEGATE, MemberRole.MUNICIPALITY):
        revision = services.approve(site, seats[role], number=number)
        assert not revision.is_adopted
    assert not SiteEvent.objects.filter(site=site, kind=EventKind.VISION_ADOPTED).exists()
    revision = services.approve(site, seats[MemberRole.CIVIL_SOCIETY], number=number)
    assert revision.is_adopted and revision.adopted_with_strategy
    kinds = set(SiteEvent.objects.filter(site=site).values_list("kind", flat=True))
    assert {EventKind.VISION_ADOPTED, EventKind.STRATEGY_ADOPTED} <= kinds
    assert selectors.adopted_vision(site).number == number
    assert selectors.adopted_strategy(site).adopted_at == revision.adopted_at


def test_withdrawing_an_approval_says_when_nothing_was_withdrawn(world):
    """Withdrawn: said so. Adopted meanwhile by the third approval, or never given: said, not "withdrawn"."""
    site = world.site_a
    seats = full_trinome(site, civil_society=world.seat_holder_a)
    chain_strategy(site, world.seat_holder_a)
    number = services.head(site).number
    prefect, town = seats[MemberRole.PREFECT_DELEGATE], seats[MemberRole.MUNICIPALITY]
    assert "rien à retirer" in services.withdraw_approval(site, prefect, number=number)
    services.approve(site, prefect, number=number)
    assert services.withdraw_approval(site, prefect, number=number) is None
    assert not Approval.objects.filter(user=prefect).exists()
    for user in seats.values():
        services.approve(site, user, number=number)
    assert "déjà adoptée" in services.withdraw_approval(site, town, number=number)
    assert Approval.objects.filter(revision__number=number, user=town).exists()


def test_an_edit_after_approvals_starts_a_new_draft_and_keeps_the_adopted_version(world):
    site = world.site_a
    seats = full_trinome(site, civil_society=world.seat_holder_a)
    chain_strategy(site, world.seat_holder_a)
    adopted_number = services.head(site).number
    for user in seats.values():
        services.approve(site, user, number=adopted_number)
    services.add_factor(site, world.seat_holder_a, kind=FactorKind.POSITIVE, text="Un nouveau facteur")
    head = services.head(site)
    assert head.number == adopted_number + 1 and not head.is_adopted
    assert selectors.adopted_vision(site).number == adopted_number
    # One approval on the new draft does not adopt it; the old approvals do not carry over.
    services.approve(site, seats[MemberRole.MUNICIPALITY], number=head.number)
    assert Approval.objects.filter(revision=head).count() == 1
    assert selectors.adopted_revision(site).number == adopted_number


def test_approving_a_version_that_is_no_longer_the_latest_is_refused(world):
    site = world.site_a
    seats = full_trinome(site, civil_society=world.seat_holder_a)
    chain_strategy(site, world.seat_holder_a)
    number = services.head(site).number
    services.add_factor(site, world.seat_holder_a, kind=FactorKind.POSITIVE, text="Entre-temps")
    with pytest.raises(services.AdoptionRefused) as refusal:
        services.approve(site, seats[MemberRole.MUNICIPALITY], number=number)
    assert "n’est plus la dernière" in refusal.value.messages[0]


def test_an_incomplete_strategy_cannot_be_approved(world):
    site = world.site_a
    seats = full_trinome(site, civil_society=world.seat_holder_a)
    services.save_statement(
        site, world.seat_holder_a, expected_version=1, statement="Un rêve", horizon_year=2045
    )
    _change(site, world.seat_holder_a, "direct", "Orphelin")
    with pytest.raises(services.AdoptionRefused) as refusal:
        services.approve(site, seats[MemberRole.MUNICIPALITY], number=services.head(site).number)
    assert any("ne mène" in m for m in refusal.value.messages)


def test_a_vision_alone_can_be_adopted_without_a_strategy(world):
    site = world.site_a
    seats = full_trinome(site, civil_society=world.seat_holder_a)
    services.save_statement(
        site, world.seat_holder_a, expected_version=1, statement="Un rêve", horizon_year=2045
    )
    for user in seats.values():
        revision = services.approve(site, user, number=1)
    assert revision.is_adopted and not revision.adopted_with_strategy
    assert selectors.adopted_vision(site) is not None
    assert selectors.adopted_strategy(site) is None
    assert not SiteEvent.objects.filter(site=site, kind=EventKind.STRATEGY_ADOPTED).exists()


def test_the_adopted_vision_and_strategy_read_together_come_from_their_own_versions(world):
    """`selectors.adopted` reads the latest adopted version once when it holds both (the public page, the
    API); when it adopted the vision alone, the strategy is the one adopted before it (`adopted_strategy`)."""
    from django.utils import timezone

    from vision.models import Revision

    site, now = world.site_a, timezone.now()

    def version(number, statement, changes, adopted=True):
        snapshot = {"vision": {"statement": statement, "horizon_year": 2040}, "changes": changes}
        return Revision.objects.create(
            site=site,
            number=number,
            snapshot=snapshot,
            created_at=now - dt.timedelta(days=11 - number),
            adopted_at=now - dt.timedelta(days=10 - number) if adopted else None,
            adopted_with_strategy=bool(changes) and adopted,
        )

    assert selectors.adopted(site) == (None, None)
    version(1, "Un rêve", [{"id": 1, "title": "Les habitants décident"}])
    vision, strategy = selectors.adopted(site)
    assert vision.statement == "Un rêve" and strategy.number == 1
    version(2, "Un rêve partagé", [])  # the vision alone, adopted
    version(3, "Un brouillon", [{"id": 2, "title": "Pas encore adopté"}], adopted=False)
    vision, strategy = selectors.adopted(site)
    assert (vision.statement, vision.number) == ("Un rêve partagé", 2)
    assert strategy.number == 1 and strategy == selectors.adopted_strategy(site)


def test_only_current_seat_holders_approve_and_a_vacant_seat_blocks_adoption(world):
    site = world.site_a
    services.save_statement(
        site, world.seat_holder_a, expected_version=1, statement="Un rêve", horizon_year=2045
    )
    with pytest.raises(PermissionDenied):
        services.approve(site, world.partner_a, number=1)
    with pytest.raises(PermissionDenied):
        services.approve(site, world.national, number=1)
    # Only the civil-society seat is filled in the world: its approval alone adopts nothing.
    revision = services.approve(site, world.seat_holder_a, number=1)
    assert not revision.is_adopted


def test_an_approval_of_a_holder_who_left_no_longer_counts(world):
    site = world.site_a
    seats = full_trinome(site, civil_society=world.seat_holder_a)
    services.save_statement(
        site, world.seat_holder_a, expected_version=1, statement="Un rêve", horizon_year=2045
    )
    services.approve(site, seats[MemberRole.PREFECT_DELEGATE], number=1)
    site.memberships.filter(user=seats[MemberRole.PREFECT_DELEGATE]).update(ended_on=dt.date.today())
    from tests.collectives.factories import MembershipFactory

    newcomer = MembershipFactory(site=site, role=MemberRole.PREFECT_DELEGATE, started_on=dt.date.today()).user
    services.approve(site, seats[MemberRole.MUNICIPALITY], number=1)
    revision = services.approve(site, seats[MemberRole.CIVIL_SOCIETY], number=1)
    assert not revision.is_adopted
    revision = services.approve(site, newcomer, number=1)
    assert revision.is_adopted


def test_adoption_and_drafting_keep_the_sites_progress_facts_true(world):
    """What the dashboard, the roll-ups and the bilans read about a site's vision: stored by the services that
    adopt and draft, in the same transaction."""
    from sites import progress
    from sites.models import SiteProgress

    site = world.site_a
    seats = full_trinome(site, civil_society=world.seat_holder_a)
    chain_strategy(site, world.seat_holder_a)
    for user in seats.values():
        services.approve(site, user, number=services.head(site).number)
    _change(world.site_b, world.seat_holder_b, "direct", "Brouillon de B")

    rows = {row.site_id: row for row in SiteProgress.objects.filter(site__in=[site, world.site_b])}
    a, b = rows[site.pk], rows[world.site_b.pk]
    assert a.vision_adopted_at is not None and a.strategy_adopted_at == a.vision_adopted_at
    assert a.strategy_change_count == 4
    assert b.vision_adopted_at is None and b.strategy_change_count == 1
    assert progress.stale() == {}


def test_comments_keep_the_title_of_a_deleted_change(world):
    site, user = world.site_a, world.seat_holder_a
    change = _change(site, user, "direct", "Sera supprimé")
    comment = services.add_comment(site, world.partner_a, body="Pourquoi ?", change=change)
    services.delete_change(change, user, expected_version=change.version)
    comment.refresh_from_db()
    assert comment.change is None and comment.change_title == "Sera supprimé"
    assert not comment.about_vision


def test_a_comment_on_another_sites_change_is_refused(world):
    other = _change(world.site_b, world.seat_holder_b, "direct", "Ailleurs")
    with pytest.raises(ValidationError):
        services.add_comment(world.site_a, world.partner_a, body="Hop", change=other)


def test_register_and_level_enums_carry_the_method():
    assert ChangeLevel.DIRECT.focus == "connaissances"
    assert ChangeLevel("ultimate").rank == 3
    assert ChangeRegister.LIVING_ENVIRONMENT.label == "Cadre de vie"


def test_reordering_changes_is_not_shown_as_a_change_of_what_an_action_serves(world):
    from vision import document

    site, user = world.site_a, world.seat_holder_a
    first = _change(site, user, "direct", "Premier")
    second = _change(site, user, "direct", "Second")
    services.add_action(
        site, user, name="Forum", lead_organisation="Asso", status="running", changes=[first, second]
    )
    before = services.head(site).snapshot
    services.move_change(second, user, direction="up")
    sections = document.compare(before, services.head(site).snapshot)
    assert not document.has_differences(sections)
