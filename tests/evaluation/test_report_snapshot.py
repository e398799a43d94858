"""The data snapshot of reports: what a site's bilan and a national roll-up hold, what is not there yet."""

import datetime as dt
import json

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from collectives.enums import MemberRole
from evaluation.reports import facts, national, snapshot
from sites import journal
from sites.enums import EventKind, SiteStatus
from sites.models import SiteProgress
from tests.collectives.factories import MembershipFactory
from tests.sites.factories import SiteFactory, WaveFactory, department


def _sections(data):
    return {s["key"]: s for s in data["sections"]}


def test_site_snapshot_holds_every_section_and_says_which_are_not_available_yet(world):
    MembershipFactory(site=world.site_a, role=MemberRole.PREFECT_DELEGATE, started_on=dt.date(2024, 9, 1))
    MembershipFactory(
        site=world.site_a,
        role=MemberRole.PREFECT_DELEGATE,
        started_on=dt.date(2022, 4, 1),
        ended_on=dt.date(2024, 8, 31),
        organisation="Préfecture de la Loire",
    )
    journal.record(world.site_a, EventKind.NOTE, "Réunion de lancement du collectif")

    data = snapshot.site_snapshot(world.site_a.pk)

    json.dumps(data)  # frozen as JSON: nothing but JSON values
    sections = _sections(data)
    assert [s.key for s in snapshot.SITE_SECTIONS] == list(sections)
    assert sections["identity"]["name"] == "Quartier A"
    assert sections["identity"]["wave"]["number"] == world.site_a.wave.number
    trinome = sections["trinome"]
    assert [seat["seat"] for seat in trinome["seats"]] == [s.label for s in MemberRole][:3]
    assert trinome["seats"][0]["holder"] is not None and trinome["seats"][1]["holder"] is None
    assert not trinome["complete"]
    assert trinome["handovers"] == [
        {
            "seat": "Délégué·e du préfet",
            "holder": trinome["handovers"][0]["holder"],
            "organisation": "Préfecture de la Loire",
            "from": "2022-04-01",
            "to": "2024-08-31",
        }
    ]
    assert trinome["partners"] == 1
    assert sections["journal"]["events"][0]["summary"] == "Réunion de lancement du collectif"
    # Families whose issue has not landed say so rather than vanish.
    for key in ("vision", "strategy", "agreement", "indicators", "learnings", "self_assessments", "sessions"):
        if not sections[key]["available"]:
            assert sections[key]["message"], key
    if not sections["sessions"]["available"]:  # the budget is known before the sessions' issue lands
        assert sections["sessions"]["coaching_budget"] == float(world.site_a.coaching_budget)
    # The site's comparable facts travel with the snapshot.
    assert data["sites"][0]["facts"]["status"] == "Actif"
    assert data["sites"][0]["facts"]["seats_filled"] == 2
    assert data["sites"][0]["facts"]["handovers"] == 1


def _grow(site, n):
    for i in range(n):
        journal.record(site, EventKind.NOTE, f"Note {i}")
        MembershipFactory(site=site, role=MemberRole.RESIDENT)
        MembershipFactory(
            site=site,
            role=MemberRole.MUNICIPALITY,
            started_on=dt.date(2020, 1, 1),
            ended_on=dt.date(2020, 1, 2 + i),
        )


def test_site_snapshot_query_count_does_not_grow_with_the_sites_data(world, django_assert_num_queries):
    small, big = world.site_a, world.site_b
    _grow(big, 30)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        snapshot.site_snapshot(small.pk)
    with django_assert_num_queries(len(few.captured_queries)):
        data = snapshot.site_snapshot(big.pk)
    assert len(_sections(data)["trinome"]["handovers"]) == 30
    assert len(few.captured_queries) <= 45  # a fixed budget: each family reads a few queries


@pytest.fixture
def two_waves(db):
    wave2 = WaveFactory(number=2, name="Vague 2")
    wave3 = WaveFactory(number=3, name="Vague 3")
    loire, nord = department("42"), department("59")
    sites = [
        SiteFactory(wave=wave2, department=loire, status=SiteStatus.ACTIVE),
        SiteFactory(wave=wave2, department=loire, status=SiteStatus.IN_TRAINING),
        SiteFactory(wave=wave2, department=nord, status=SiteStatus.WITHDRAWN),
        SiteFactory(wave=wave3, department=nord, status=SiteStatus.INTERESTED),
    ]
    for role in (MemberRole.PREFECT_DELEGATE, MemberRole.MUNICIPALITY, MemberRole.CIVIL_SOCIETY):
        MembershipFactory(site=sites[0], role=role)
    return wave2, wave3, sites


def test_national_snapshot_counts_by_wave_and_region_and_lists_every_site(two_waves):
    wave2, wave3, sites = two_waves
    SiteProgress.objects.update_or_create(site=sites[1], defaults={"vision_adopted_at": timezone.now()})

    data = national.national_snapshot(wave_id=wave2.pk)

    json.dumps(data)
    sections = _sections(data)
    assert [s.key for s in national.NATIONAL_SECTIONS] == list(sections)
    assert data["scope"]["label"] == "Vague 2, toutes les régions"
    overview = sections["overview"]
    assert overview["total"] == 3
    assert overview["engaged"] == 2
    assert overview["trinome_complete"] == 1
    assert dict(zip(overview["statuses"], overview["by_status"], strict=True))["Retiré"] == 1
    trinome = next(p for p in overview["progress"] if p["label"] == "Trinôme complet")
    assert (trinome["count"], trinome["share"]) == (1, 33)
    regions = {row["label"]: row["total"] for row in sections["by_region"]["rows"]}
    assert regions == {"Auvergne-Rhône-Alpes": 2, "Hauts-de-France": 1}
    assert [row["total"] for row in sections["by_wave"]["rows"]] == [3]
    # Each wave and region: how many of its sites reached each step, and their share of the group.
    steps = sections["by_region"]["steps"]
    assert steps[:2] == ["Trinôme complet", "Vision adoptée"]
    progress = {
        row["label"]: dict(zip(steps, row["progress"], strict=True)) for row in sections["by_region"]["rows"]
    }
    assert progress["Auvergne-Rhône-Alpes"]["Trinôme complet"] == {"count": 1, "share": 50}
    assert progress["Auvergne-Rhône-Alpes"]["Vision adoptée"] == {"count": 1, "share": 50}
    assert progress["Hauts-de-France"]["Vision adoptée"] == {"count": 0, "share": 0}
    wave = dict(zip(sections["by_wave"]["steps"], sections["by_wave"]["rows"][0]["progress"], strict=True))
    assert wave["Trinôme complet"] == {"count": 1, "share": 33}
    assert [f["wave"] for f in sections["funnel"]["waves"]] == ["Vague 2"]
    assert len(data["sites"]) == 3 and {r["id"] for r in data["sites"]} == {s.pk for s in sites[:3]}
    vacant = next(a for a in sections["alerts"]["alerts"] if a["title"] == "Siège du trinôme vacant")
    assert vacant["count"] == 1  # the site in training with no trinôme; the withdrawn one is not expected to
    continuum = sections["continuum"]["distributions"][0]
    assert continuum["known"] == 0 and continuum["unknown"] == 3  # nobody has positioned itself yet


def test_national_snapshot_query_count_does_not_grow_with_sites_or_waves(
    two_waves, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        national.national_snapshot()
    wave2 = two_waves[0]
    for _ in range(40):
        SiteFactory(wave=wave2, department=department("13"))
    for number in (4, 5):
        SiteFactory(wave=WaveFactory(number=number, name=f"Vague {number}"), department=department("29"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = national.national_snapshot()
    assert len(data["sites"]) == 46
    assert len(_sections(data)["funnel"]["waves"]) == 4  # one funnel per wave, from the same grouped rows


def test_a_fact_family_plugged_in_later_fills_distributions_and_the_annex(two_waves, monkeypatch):
    """The hook: a later issue sets `collect` on its family; the roll-up's distribution appears by itself."""
    wave2, _, sites = two_waves
    levels = {sites[0].pk: "Collaboration", sites[1].pk: "Coexistence", sites[2].pk: "Collaboration"}

    def collect_self_assessment(queryset: QuerySet) -> dict:
        return {pk: {"continuum": levels.get(pk)} for pk in queryset.values_list("pk", flat=True)}

    plugged = tuple(
        facts.FactFamily(f.key, f.label, f.facts, collect_self_assessment)
        if f.key == "self_assessment"
        else f
        for f in facts.FAMILIES
    )
    monkeypatch.setattr(facts, "FAMILIES", plugged)
    monkeypatch.setattr(facts.collect, "__defaults__", (plugged,))

    sections = _sections(national.national_snapshot(wave_id=wave2.pk))

    continuum = sections["continuum"]
    assert continuum["available"]
    distribution = continuum["distributions"][0]
    counts = {level["level"]: level["count"] for level in distribution["levels"]}
    assert [level["level"] for level in distribution["levels"]] == list(facts.CONTINUUM_LEVELS)
    assert counts["Collaboration"] == 2 and counts["Coexistence"] == 1 and counts["Intégration"] == 0
    assert distribution["median"] == "Collaboration"
    assert "continuum" in sections["annex"]["columns"]


def test_a_site_bilan_and_the_handover_pack_leave_the_texts_they_do_not_print_unread(world):
    """Made for every site each month: the bilan names the agreement's spaces and the backbone's holders,
    rates the conditions, lists the sessions; the handover pack lists the sessions to come. Neither reads
    what a space is for, how a role is held, a rating's comment, a session's agenda or notes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from collectives.enums import BackboneRole, SessionKind
    from collectives.handover import pack_context
    from collectives.models import BackboneAssignment, CooperationSpace
    from evaluation.enums import ConditionKey
    from evaluation.models import SelfAssessment
    from tests.collectives.factories import agreement_for
    from tests.queries import columns_read
    from tests.sessions.factories import at, make_session

    site, long = world.site_a, "Un texte long. " * 100
    agreement_for(site, spaces=2)
    CooperationSpace.objects.filter(agreement__site=site).update(
        purpose=long, participants=long, decisions=long
    )
    BackboneAssignment.objects.create(
        site=site, role=BackboneRole.VISION, organisation="Centre social", note=long
    )
    assessment = SelfAssessment.objects.create(site=site, assessed_on=dt.date(2026, 5, 1), continuum_level=3)
    for key in ConditionKey.values:
        assessment.conditions.create(condition=key, level=2, comment=long)
    for days in (-3, 4):
        make_session([site], kind=SessionKind.SITE_COACHING, starts_at=at(days=days), agenda=long, notes=long)
    unprinted = [
        *(f'"collectives_cooperationspace"."{name}"' for name in ("purpose", "participants", "decisions")),
        '"collectives_backboneassignment"."note"',
        '"evaluation_conditionassessment"."comment"',
        '"collectives_session"."agenda"',
        '"collectives_session"."notes"',
    ]
    with CaptureQueriesContext(connection) as queries:
        data = snapshot.site_snapshot(site.pk)
    sections = _sections(data)
    assert sections["agreement"]["draft"]["spaces"] == ["Lieu 1", "Lieu 2"]
    assert columns_read(queries, *unprinted) == []
    with CaptureQueriesContext(connection) as queries:
        pack = pack_context(site, world.national)
    assert any(section["key"] == "sessions" and section["content"] for section in pack["sections"])
    assert columns_read(queries, *unprinted[-2:]) == []
