"""The platform's search (header box, instant results, results page): what each role finds, in French, and
nothing of the sites it may not see."""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from collectives.enums import AgreementPart, AgreementStatus, MemberRole
from evaluation import search as engine
from evaluation.reports.enums import ReportState
from sites import notifications
from sites.enums import NotificationKind
from sites.models import Site
from tests.collectives.factories import MembershipFactory, agreement_for
from tests.evaluation.factories import LearningFactory, ReportFactory, indicator_for
from tests.queries import columns_read
from tests.sessions.factories import make_session
from tests.sites.factories import SiteFactory, department

pytestmark = pytest.mark.every_database

URL = reverse("evaluation:search")
# Who sees which site's data (site A: Loire; site B: Nord); bilans only for those who may download them.
SEES = {
    "national": "AB",
    "steering": "AB",
    "facilitator_a": "A",
    "seat_holder_a": "A",
    "partner_a": "A",
    "seat_holder_b": "B",
    "outsider": "",
}
BILANS = {**SEES, "partner_a": ""}


def _plant(site, holder, marker: str) -> dict:
    """One thing of each kind on `site`, each found by its own unique word; what a result links to."""
    site.name = f"Quartier {marker}site"
    site.save()
    holder.last_name = f"{marker}person"
    holder.save()
    session = make_session([site], title=f"Atelier {marker}session")
    learning = LearningFactory(site=site, what_we_learned=f"Le mot {marker}learning revient souvent.")
    indicator = indicator_for(site, name=f"Part des {marker}indicator")
    agreement_for(site, texts={AgreementPart.PRINCIPLES: f"Nos principes {marker}document partagés."})
    bilan = ReportFactory(site=site, state=ReportState.DONE)
    slug = site.slug
    return {
        f"{marker}site": f'href="/sites/{slug}/"',
        f"{marker}person": f'href="/sites/{slug}/collectif/"',
        f"{marker}session": f'href="{session.get_absolute_url()}"',
        f"{marker}learning": f"#apprentissage-{learning.pk}",
        f"{marker}indicator": f"#indicateur-{indicator.pk}",
        f"{marker}document": f'href="/sites/{slug}/entente/"',
        "bilan": f'href="{bilan.get_absolute_url()}"',
    }


@pytest.fixture
def planted(world):
    return {
        "A": _plant(world.site_a, world.seat_holder_a, "quokka"),
        "B": _plant(world.site_b, world.seat_holder_b, "zorglub"),
    }


@pytest.mark.parametrize("role", SEES)
def test_each_role_finds_its_own_sites_data_and_nothing_of_the_others(client, world, planted, role):
    world.login(client, getattr(world, role))
    for site, links in planted.items():
        bilan = links.pop("bilan")
        for marker, link in links.items():
            content = client.get(URL, {"q": marker}).content.decode()
            assert (link in content) == (site in SEES[role]), (role, marker)
        # A bilan is found by its site's name, with or without the word "bilan", or by that word alone, by
        # those who may download it.
        for query in (next(iter(links)), f"Bilan {next(iter(links))}", "bilans", "bilan annuel 2026"):
            content = client.get(URL, {"q": query}).content.decode()
            assert (bilan in content) == (site in BILANS[role]), (role, query, site)
        # An agreement by the words of its title, or by the kind of document alone.
        agreement = links[f"{next(iter(links))[:-4]}document"]
        for query in (f"Entente de coopération {next(iter(links))}", "convention", "documents"):
            content = client.get(URL, {"q": query}).content.decode()
            assert (agreement in content) == (site in SEES[role]), (role, query, site)
    # The instant results of the header obey the same rule.
    panel = client.get(URL, {"q": "zorglubsession"}, headers={"HX-Request": "true"}).content.decode()
    assert ("Atelier <mark>zorglubsession</mark>" in panel) == ("B" in SEES[role])
    assert "<h1" not in panel


def test_results_page_groups_kinds_highlights_and_paginates(client, world):
    for n in range(25):
        LearningFactory(site=world.site_a, title=f"Réunion {n}", what_happened="Les équipements du quartier.")
    world.login(client, world.national)
    content = client.get(URL, {"q": "equipement"}).content.decode()
    assert "Apprentissages" in content
    assert "<mark>équipements</mark>" in content  # the snippet, highlighted
    assert "type=apprentissages" in content  # more than shown: a link to every result of that kind
    content = client.get(URL, {"q": "equipement", "type": "apprentissages", "page": "2"}).content.decode()
    assert "25 résultats pour «\u00a0equipement\u00a0»" in content
    assert 'aria-current="page" title="Page 2"' in content


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("equipement", "Les équipements sportifs du quartier."),  # accents and plural
        ("Équipements", "Un équipement neuf."),
        ("habitants", "Chaque habitant compte."),
        ("habitant", "Les habitants viennent le samedi."),
        ("helene", "Hélène a animé la réunion."),
        ("mont", "La rue de Montreuil."),  # the word being typed is a prefix
    ],
)
def test_french_matching_on_both_engines(world, query, text):
    LearningFactory(site=world.site_a, what_happened=text)
    LearningFactory(site=world.site_a, what_happened="Le budget est voté.")
    assert engine.search_learnings(world.national, query).count() == 1


def test_people_are_found_without_their_accents(world):
    MembershipFactory(site=world.site_a, user__first_name="Élodie", user__last_name="Bérégovoy")
    groups = engine.overview(world.facilitator_a, "elodie beregovoy", per_kind=5)
    assert [group.kind.key for group in groups] == ["personnes"]
    assert "<mark>Élodie</mark> <mark>Bérégovoy</mark>" in groups[0].hits[0].title


@pytest.mark.skipif(connection.vendor != "postgresql", reason="French stemming needs PostgreSQL")
def test_postgresql_stems_verbs_and_every_kind_uses_its_index(world, planted):
    LearningFactory(site=world.site_a, what_happened="Nous avons mobilisé les jeunes.")
    assert engine.search_learnings(world.national, "mobiliser").count() == 1
    found = engine.words("zorglub")
    indexes = {
        "sites.Site": "qic_search_site_gin",
        "collectives.User": "qic_search_user_gin",
        "collectives.Session": "qic_search_session_gin",
        "evaluation.LearningEntry": "evaluation_learning_search_gin",
        "evaluation.Indicator": "qic_search_indicator_gin",
        "collectives.AgreementSection": "qic_search_agreement_gin",
    }
    assert set(indexes) == set(engine.FIELDS)
    with connection.cursor() as cursor:
        # A few rows: the planner would read the table, or walk an index that gives the default ordering
        # (the sites' name index) and filter. A GIN index is read by a bitmap scan, left as the only way.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        for label, index in indexes.items():
            rows = apps.get_model(label).objects.all()
            # The migration's expression is the search's: the index is used.
            assert index in engine.matching(rows, found).explain(), index
        # A word that names a department: the sites' index or their department's, OR-ed by PostgreSQL (an
        # `IN (subquery)` there made it compute the text of every site).
        plan = engine.site_matching(
            apps.get_model("sites.Site").objects.all(), engine.words("loire")
        ).explain()
        assert "qic_search_site_gin" in plan and "BitmapOr" in plan, plan


HOSTILE = [
    ("x" * 5000, "seuls ses 200 premiers caractères"),
    ("<script>alert(1)</script>", ""),
    ("\x00\x01\x1b[31m\u202e", ""),
    ("%", "Saisissez des lettres ou des chiffres"),
    ("_", "Saisissez des lettres ou des chiffres"),
    ("%_%", "Saisissez des lettres ou des chiffres"),
    ("a & b | !c:* (d)", ""),
    ("l’équipe d'animation", ""),
    ("bilan " + "9" * 30, ""),  # not a year
    ("bilan 2025 " + "mars " * 40, ""),
    ("2147483648 9223372036854775808", ""),
    ("\U0001f600" * 100, ""),
    ("\u202e\u200b\ufeff", "Saisissez un ou plusieurs mots"),  # invisible characters only
    ("\\' OR 1=1 --", ""),
    ("a:* & " * 50, ""),
    ("", "Saisissez un ou plusieurs mots"),
    ("   ", "Saisissez un ou plusieurs mots"),
]


@pytest.mark.parametrize(("query", "message"), HOSTILE)
def test_hostile_queries_get_a_page_never_an_error(client, world, planted, query, message):
    world.login(client, world.seat_holder_a)
    response = client.get(URL, {"q": query})
    content = response.content.decode()
    assert response.status_code == 200
    assert message in content
    assert "<script>alert" not in content
    assert "\x1b" not in content
    panel = client.get(URL, {"q": query}, headers={"HX-Request": "true"})
    assert panel.status_code == 200
    assert "<script>alert" not in panel.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"type": "../../etc"},
        {"type": "sites", "page": "-1"},
        {"type": "sites", "page": "9" * 30},
        {"type": "sites", "page": "abc"},
        {"type": ["sites", "bilans"], "page": ["1", "2"]},
    ],
)
def test_odd_kinds_and_pages_get_a_page_never_an_error(client, world, planted, params):
    world.login(client, world.seat_holder_a)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(URL, {"q": "quokkasite", **params}, headers=headers)
        assert response.status_code == 200, params
        assert "zorglub" not in response.content.decode()


def test_results_page_costs_a_fixed_number_of_queries(client, world, planted, django_assert_num_queries):
    for n in range(6):  # more of each kind than the page shows
        site = SiteFactory()
        LearningFactory(site=site, title=f"Quokkasite {n}")
        agreement_for(site, texts={AgreementPart.PRINCIPLES: "Comme à Quokkasite."})
        MembershipFactory(site=site, user__last_name=f"Quokkasite{n}")
    world.login(client, world.national)
    # Session and user (2), then one query per kind: sites, people, sessions, learnings, indicators,
    # agreements (+ their parts, prefetched), bilans; and the header's unread notifications count (1).
    with django_assert_num_queries(11):
        response = client.get(URL, {"q": "quokkasite"})
    assert "Quartier <mark>quokkasite</mark>" in response.content.decode()


def test_a_members_results_page_reads_their_sites_once(client, world, django_assert_num_queries):
    """A member's sites (and the seats they hold there) are read once for the seven kinds (`access.Scope`)."""
    LearningFactory(site=world.site_a, title="Quokkasite")
    agreement_for(world.site_a, texts={AgreementPart.PRINCIPLES: "Comme à Quokkasite."})
    MembershipFactory(site=world.site_a, user__last_name="Quokkasite")
    MembershipFactory(site=world.site_b, user__last_name="Quokkasite", role=MemberRole.PARTNER)
    world.login(client, world.seat_holder_a)
    # Session and user (2), the member's sites (1: the navigation's "Bilans" entry and the header's unread
    # count read them too), one query per kind (7), the agreements' parts (1), the unread count (1).
    with django_assert_num_queries(12):
        response = client.get(URL, {"q": "quokkasite"})
    content = response.content.decode()
    assert content.count("<mark>Quokkasite</mark>") == 3  # the learning, the agreement, the person of site A
    assert "Quartier B" not in content  # the person of site B, not a site of this member
    assert f'href="{reverse("reports:archive")}"' in content  # a seat: their site's bilans


def test_the_search_pages_header_counts_and_links_what_the_member_may_see(client, world):
    """The navigation and the unread count read the member's sites from the page's scope: a partner (no
    seat) has no "Bilans" entry, and a notification of a site they left is not counted."""
    left = MembershipFactory(site=world.site_b, user=world.partner_a, role=MemberRole.PARTNER)
    for site in (world.site_a, world.site_b):
        notifications.notify(
            NotificationKind.SESSION_PLANNED, [world.partner_a], title="Session", url="/", site=site
        )
    left.ended_on = left.started_on
    left.save()
    world.login(client, world.partner_a)
    content = client.get(URL, {"q": "quartier"}).content.decode()
    assert 'class="qic-navbar-notify__count" aria-hidden="true">1<' in content
    assert f'href="{reverse("reports:archive")}"' not in content
    world.login(client, world.seat_holder_a)
    assert f'href="{reverse("reports:archive")}"' in client.get(URL, {"q": "quartier"}).content.decode()


def test_every_page_has_the_search_box_for_signed_in_people(client, world):
    assert 'role="search"' not in client.get(reverse("legal_notice")).content.decode()
    world.login(client, world.partner_a)
    content = client.get(reverse("legal_notice")).content.decode()
    assert 'id="qic-search-label">Rechercher sur la plateforme' in content
    assert f'action="{URL}"' in content


# --- Sites: one matching for the header's search and the dashboard's filter ------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("montreynaud", True),
        ("Saint-Étienne", True),  # the communes, accents aside
        ("saint etienne montreynaud", True),
        ("QN04201M", True),
        ("loire", True),  # the department's name
        ("montreynaud loire", True),  # one word in the name, the other the department
        ("42", True),  # its code
        ("montr", True),  # the word being typed
        ("montreynaud nord", False),
        ("quimper", False),
    ],
)
def test_a_site_is_found_by_name_communes_qpv_code_or_department(world, query, found):
    site = SiteFactory(
        name="Montreynaud", communes="Saint-Étienne", qpv_code="QN04201M", department=department("42")
    )
    assert (site in engine.site_matching(Site.objects.all(), engine.words(query))) == found, query


def test_a_renamed_site_is_found_by_its_new_name_however_it_was_saved(world):
    site = SiteFactory(name="Montreynaud")
    site.name = "Crêt de Roc"
    site.save(update_fields=["name"])
    assert site in engine.site_matching(Site.objects.all(), engine.words("cret de roc"))
    Site.objects.filter(pk=site.pk).update(name="Beaubrun")  # no save(): nothing stored to forget
    assert site in engine.site_matching(Site.objects.all(), engine.words("beaubrun"))
    assert site not in engine.site_matching(Site.objects.all(), engine.words("cret"))


# --- Documents: by their kind, their period, their title ---------------------------------------------------


def _titles(user, query: str, key: str) -> list[str]:
    groups = {group.kind.key: group for group in engine.overview(user, query, per_kind=20)}
    return [str(hit.title) + " | " + hit.context for hit in groups[key].hits] if key in groups else []


def test_bilans_are_found_by_kind_period_and_site(world):
    Site.objects.filter(pk=world.site_a.pk).update(name="Montreynaud")
    done = {"state": ReportState.DONE, "site": world.site_a}
    older = ReportFactory(data_date=dt.date(2024, 12, 31), **done)
    march = ReportFactory(data_date=dt.date(2025, 3, 31), **done)
    june = ReportFactory(data_date=dt.date(2025, 6, 30), **done)
    ReportFactory(data_date=dt.date(2025, 7, 1), site=world.site_a)  # not finished: never found

    def found(query):
        return {int(row.pk) for row in engine.of_kind(world.national, query, engine.KIND_KEYS["bilans"])}

    assert found("bilan 2025") == {march.pk, june.pk}
    assert found("2025") == {march.pk, june.pk}  # a period alone
    assert found("bilan mars 2025") == {march.pk}
    assert found("Bilans annuels") == {older.pk, march.pk, june.pk}
    assert found("bilan de Montreynaud 2024") == {older.pk}
    assert found("bilan de Montreynaud décembre 2024") == {older.pk}
    assert found(f"bilan {world.site_b.name}") == set()
    assert found("bilan 2023") == set()
    assert found("de la") == set()  # small words only: nothing, not everything
    assert found("mars") == set()  # a month alone is a word like any other
    # The period shows on the result, the words found highlighted.
    assert "<mark>Bilan</mark> de " in _titles(world.national, "bilan 2025", "bilans")[0]


def test_bilan_results_leave_the_frozen_data_unread(client, world):
    """A bilan's snapshot (the data its files were drawn from, tens of kB a site) is not read to list it."""
    from django.test.utils import CaptureQueriesContext

    ReportFactory(state=ReportState.DONE, site=world.site_a, data_date=dt.date(2025, 6, 30))
    world.login(client, world.national)
    for params in ({"q": "bilan 2025"}, {"q": "bilan 2025", "type": "bilans"}):
        with CaptureQueriesContext(connection) as captured:
            content = client.get(URL, params).content.decode()
        assert "<mark>Bilan</mark> de" in content
        assert not [q for q in captured if re.search(r'"evaluation_report"\."snapshot"(?!_)', q["sql"])]


def test_agreements_are_found_by_the_words_of_their_title_their_year_or_their_text(world):
    Site.objects.filter(pk=world.site_a.pk).update(name="Montreynaud")
    Site.objects.filter(pk=world.site_b.pk).update(name="Crêt de Roc")
    in_force = agreement_for(world.site_a, status=AgreementStatus.IN_FORCE)
    in_force.in_force_since = dt.date(2025, 9, 1)
    in_force.save()
    draft = agreement_for(world.site_b, texts={AgreementPart.POWER: "Le comité décide à la majorité."})

    def found(query):
        return {int(row.pk) for row in engine.of_kind(world.national, query, engine.KIND_KEYS["ententes"])}

    for query in ("entente", "ententes de coopération", "Convention", "documents"):
        assert found(query) == {in_force.pk, draft.pk}, query
    assert found("entente de coopération Montreynaud") == {in_force.pk}
    assert found("convention du Crêt de Roc") == {draft.pk}
    assert found("entente 2025") == {in_force.pk}
    assert found("majorité") == {draft.pk}  # its text, as before
    assert found("entente majorité") == {draft.pk}
    assert found("bilan") == set()  # another kind's word
    assert found("de la") == set()
    # Only what this person may see.
    assert {
        int(row.pk) for row in engine.of_kind(world.seat_holder_a, "convention", engine.KIND_KEYS["ententes"])
    } == {in_force.pk}


def test_the_instant_results_show_titles_without_reading_passages(client, world):
    """The header's instant results show titles only: an agreement found by its text does not have its parts
    read for a passage there; the results page shows the passage, highlighted."""
    from django.test.utils import CaptureQueriesContext

    agreement_for(world.site_a, texts={AgreementPart.PRINCIPLES: "Les habitants décident ensemble."})
    world.login(client, world.national)
    with CaptureQueriesContext(connection) as captured:
        panel = client.get(URL, {"q": "décident"}, headers={"HX-Request": "true"}).content.decode()
    assert "Entente de coopération" in panel and "ensemble" not in panel
    assert not [q for q in captured if q["sql"].startswith('SELECT "collectives_agreementsection"')]
    page = client.get(URL, {"q": "décident"}).content.decode()
    assert "Les habitants <mark>décident</mark> ensemble." in page
    # Nor are the texts of the sessions and learnings found (10,000 and 3 × 5,000 characters each) read
    # there, at each pause of the typing; a session's notes are read by no list of results.
    make_session([world.site_a], title="Atelier décident", agenda="Ordre du jour : les habitants décident.")
    LearningFactory(site=world.site_a, title="Ce que décident les habitants")
    texts = [
        f"{table}.{field}"
        for table in ('"collectives_session"', '"evaluation_learningentry"')
        for field in ('"agenda"', '"notes"', '"what_happened"', '"what_we_learned"', '"what_we_change"')
    ]
    with CaptureQueriesContext(connection) as captured:
        panel = client.get(URL, {"q": "décident"}, headers={"HX-Request": "true"}).content.decode()
    assert "Atelier <mark>décident</mark>" in panel and "Ce que <mark>décident</mark>" in panel
    assert columns_read(captured, *texts) == []
    with CaptureQueriesContext(connection) as captured:
        page = client.get(URL, {"q": "décident"}).content.decode()
    assert "les habitants <mark>décident</mark>." in page  # the session's passage, from its agenda
    assert columns_read(captured, '"collectives_session"."notes"') == []


def test_the_help_is_found_by_the_words_of_its_questions_in_each_roles_help_centre(client, world):
    """Found by a review of the help centre: searching "comment adopter la vision", the title of a help page,
    found nothing. The search now looks in the help of the person's role too (its titles, questions and
    texts, as words' beginnings), with no query more than the page made."""
    world.login(client, world.seat_holder_a)
    page = client.get(URL, {"q": "comment adopter la vision"}).content.decode()
    assert f'href="{reverse("help:topic", kwargs={"key": "adopter-une-version"})}"' in page
    panel = client.get(URL, {"q": "visions"}, headers={"HX-Request": "true"}).content.decode()
    assert f'href="{reverse("help:topic", kwargs={"key": "vision"})}"' in panel
    # Only the topics of one's own help centre: a how-to of the national team is not a member's.
    from qic import help as help_centre

    national_only = {t.key for t in help_centre.for_audience("national")} - {
        t.key for t in help_centre.for_audience("trinome")
    }
    assert national_only
    key = sorted(national_only)[0]
    title = help_centre.topic(key).title
    assert (
        f'href="{reverse("help:topic", kwargs={"key": key})}"'
        not in client.get(URL, {"q": title}).content.decode()
    )
