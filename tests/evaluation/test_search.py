"""The platform's search (header box, instant results, results page): what each role finds, in French, and
nothing of the sites it may not see."""

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from collectives.enums import AgreementPart
from evaluation import search as engine
from evaluation.reports.enums import ReportState
from tests.collectives.factories import MembershipFactory, agreement_for
from tests.evaluation.factories import LearningFactory, ReportFactory, indicator_for
from tests.sessions.factories import make_session
from tests.sites.factories import SiteFactory

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
        for query in (next(iter(links)), f"Bilan {next(iter(links))}", "bilans"):
            content = client.get(URL, {"q": query}).content.decode()
            assert (bilan in content) == (site in BILANS[role]), (role, query, site)
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


HOSTILE = [
    ("x" * 5000, "seuls ses 200 premiers caractères"),
    ("<script>alert(1)</script>", ""),
    ("\x00\x01\x1b[31m\u202e", ""),
    ("%", "Saisissez des lettres ou des chiffres"),
    ("_", "Saisissez des lettres ou des chiffres"),
    ("%_%", "Saisissez des lettres ou des chiffres"),
    ("a & b | !c:* (d)", ""),
    ("l’équipe d'animation", ""),
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


def test_every_page_has_the_search_box_for_signed_in_people(client, world):
    assert 'role="search"' not in client.get(reverse("legal_notice")).content.decode()
    world.login(client, world.partner_a)
    content = client.get(reverse("legal_notice")).content.decode()
    assert 'id="qic-search-label">Rechercher sur la plateforme' in content
    assert f'action="{URL}"' in content
