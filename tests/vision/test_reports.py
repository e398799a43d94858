"""The vision and the strategy in printed documents: the handover pack's two sections, with the same SVG."""

import pytest
from django.template.loader import render_to_string

from collectives import handover
from tests.vision.factories import chain_strategy, full_trinome
from vision import reports, services
from vision.models import Vision

pytestmark = pytest.mark.django_db


def test_a_site_with_nothing_written_says_so(world):
    assert reports.vision_section(world.site_a) is None
    assert reports.strategy_section(world.site_a) is None


def test_the_draft_is_printed_and_said_to_be_a_draft(world):
    chain_strategy(world.site_a, world.seat_holder_a, statement="Un quartier où chacun trouve sa place.")
    vision = reports.vision_section(world.site_a)
    assert vision["adopted"] is None and vision["statement"] == "Un quartier où chacun trouve sa place."
    strategy = reports.strategy_section(world.site_a)
    assert strategy["adopted"] is None and "<svg" in strategy["svg"]


def test_a_document_reads_a_sites_draft_once_for_its_vision_and_its_strategy(world):
    """A bilan or a handover pack prints both sections: a site with neither adopted has its draft read once
    (the adopted versions looked for, then the draft), and a fresh read of the site sees a later edit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sites.models import Site

    chain_strategy(world.site_a, world.seat_holder_a, statement="Un quartier où chacun trouve sa place.")
    site, other = Site.objects.get(pk=world.site_a.pk), Site.objects.get(pk=world.site_a.pk)
    with CaptureQueriesContext(connection) as vision_only:
        reports.vision_section(other)
    with CaptureQueriesContext(connection) as both:
        reports.vision_section(site)
        strategy = reports.strategy_section(site)
    assert len(both) == len(vision_only) + 1  # the same draft; one more look, for an adopted strategy
    assert "<svg" in strategy["svg"]
    Vision.objects.filter(site=world.site_a).update(statement="Une vision réécrite.")
    assert reports.vision_section(Site.objects.get(pk=site.pk))["statement"] == "Une vision réécrite."


def test_the_adopted_version_is_printed_not_the_later_draft(world):
    site = world.site_a
    seats = full_trinome(site, civil_society=world.seat_holder_a)
    chain_strategy(site, world.seat_holder_a, statement="La vision adoptée.")
    number = services.head(site).number
    for user in seats.values():
        services.approve(site, user, number=number)
    vision = services.save_statement(
        site,
        world.seat_holder_a,
        expected_version=Vision.objects.get(site=site).version,
        statement="Un brouillon",
        horizon_year=2050,
    )
    assert vision.statement == "Un brouillon"
    section = reports.vision_section(site)
    assert section["statement"] == "La vision adoptée." and section["adopted"].number == number
    assert reports.strategy_section(site)["adopted"].number == number


def test_the_handover_pack_carries_the_vision_and_the_diagram(world):
    site = world.site_a
    chain_strategy(site, world.seat_holder_a, statement="Un quartier <fier> & ouvert.")
    services.save_narrative(
        site,
        world.seat_holder_a,
        expected_version=1,
        narrative="## Le chemin\n\n### D’abord\n\nD’abord **se connaître**.",
    )
    context = handover.pack_context(site, world.seat_holder_a)
    html = render_to_string("collectives/pdf/handover_pack.html", context)
    assert "Un quartier &lt;fier&gt; &amp; ouvert." in html
    assert html.count("<svg") == 1 and "Un quartier où l’on choisit de rester" in html
    assert "<strong>se connaître</strong>" in html
    # The typed headings nest under the pack's "Le récit" (level 3): the tagged PDF's outline skips no level.
    assert '<h3>Le récit</h3><div class="text"><h4>Le chemin</h4>\n<h5>D’abord</h5>' in html
    pdf = handover.render_pack(site, world.seat_holder_a)
    assert pdf.startswith(b"%PDF")
