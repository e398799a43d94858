"""The workspace pages: plain forms without JavaScript, HTMX fragments, conflicts, adoption, comments."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collectives.enums import MemberRole
from tests.conftest import StrictClient
from tests.queries import columns_read
from tests.vision.factories import chain_strategy, full_trinome
from vision import services
from vision.models import Change, Comment, ContextFactor, Revision

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def url(name, site, **kwargs):
    return reverse(f"vision:{name}", kwargs={"site_slug": site.slug, **kwargs})


def _change(site, user, level, title, **kwargs):
    register = {"direct": "knowledge", "intermediate": "practices", "ultimate": "living_environment"}[level]
    return services.add_change(site, user, level=level, register=register, title=title, **kwargs)


def _post_change(client, site, change, **overrides):
    data = {
        "version": change.version,
        "level": change.level,
        "register": change.register,
        "title": change.title,
        "description": change.description,
        **overrides,
    }
    return client.post(url("change_edit", site, change_id=change.pk), data)


# The workspace ---------------------------------------------------------------------------------------------


def test_an_empty_workspace_invites_the_trinome_to_write(client, world):
    world.login(client, world.seat_holder_a)
    page = client.get(url("workspace", world.site_a)).content.decode()
    assert "La vision n’est pas encore écrite" in page
    assert "Écrire la vision" in page
    assert "Ajouter un changement direct" in page


def test_readers_see_the_workspace_without_editing_controls(client, world):
    chain_strategy(world.site_a, world.seat_holder_a)
    for reader in (world.partner_a, world.facilitator_a, world.steering):
        world.login(client, reader)
        page = client.get(url("workspace", world.site_a)).content.decode()
        assert "Un quartier où l’on choisit de rester" in page
        assert "Modifier la vision" not in page
        assert "Ajouter un changement" not in page
        assert "Approuver la version" not in page


def test_the_workspace_query_count_does_not_grow_with_the_strategy(
    client, world, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    site = world.site_a
    chain_strategy(site, world.seat_holder_a, directs=2, intermediates=1)
    world.login(client, world.seat_holder_a)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url("workspace", site)).status_code == 200
    chain = chain_strategy(site, world.seat_holder_a, directs=24, intermediates=12)
    for change in chain["directs"]:
        services.add_comment(site, world.partner_a, body="Une remarque", change=change)
    services.add_action(site, world.seat_holder_a, name="Action", lead_organisation="Asso", status="running",
                        changes=chain["directs"][:10])  # fmt: skip
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("workspace", site))
    assert Change.objects.filter(site=site).count() > 40
    assert response.content.decode().count('class="qic-change') >= 40


# Vision statement -----------------------------------------------------------------------------------------


def test_the_statement_is_written_with_a_plain_form(client, world):
    world.login(client, world.seat_holder_a)
    assert client.get(url("statement", world.site_a)).status_code == 200
    response = client.post(
        url("statement", world.site_a),
        {"version": 1, "statement": "Un quartier où chacun trouve sa place.", "horizon_year": 2045},
    )
    assert response.status_code == 302 and response.url.endswith("#vision")
    assert Revision.objects.get(site=world.site_a).author == world.seat_holder_a


def test_a_near_horizon_is_refused_next_to_the_field(client, world):
    world.login(client, world.seat_holder_a)
    response = client.post(
        url("statement", world.site_a), {"version": 1, "statement": "Un rêve", "horizon_year": 2027}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "L’horizon d’une vision est d’au moins dix ans" in page
    assert 'id="horizon-errors"' in page
    assert not Revision.objects.exists()


def test_hints_follow_the_typing(client, world):
    world.login(client, world.seat_holder_a)
    long = " ".join(["mot"] * 45)
    response = client.post(
        url("statement_hints", world.site_a), {"statement": long, "horizon_year": "2045"}, **HX
    )
    assert "45 mots" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_the_statement_form_opens_in_place_with_htmx(client, world):
    world.login(client, world.seat_holder_a)
    response = client.get(url("statement", world.site_a), **HX)
    assert response.headers["HX-Retarget"] == "#vision-panel"
    assert response.content.decode().lstrip().startswith('<div id="vision-panel"')


def test_a_saved_statement_answers_with_its_panel_and_out_of_band_updates(client, world):
    world.login(client, world.seat_holder_a)
    response = client.post(
        url("statement", world.site_a),
        {"version": 1, "statement": "Un quartier fier", "horizon_year": 2045},
        **HX,
    )
    page = response.content.decode()
    assert response.headers["HX-Retarget"] == "#vision-panel"
    assert page.lstrip().startswith('<div id="vision-panel"')
    assert 'id="diagram-panel" hx-swap-oob="outerHTML"' in page
    assert 'id="adoption-panel" hx-swap-oob="outerHTML"' in page
    assert "Un quartier fier" in page


# Conflicts: two members save the same item from the same base version --------------------------------------


def test_two_members_saving_the_same_change_lose_nothing(world):
    site = world.site_a
    seats = full_trinome(site, civil_society=world.seat_holder_a)
    change = _change(site, world.seat_holder_a, "direct", "Les familles connaissent l’école")
    nadia, karim = StrictClient(), StrictClient()
    nadia.force_login(seats[MemberRole.CIVIL_SOCIETY])
    karim.force_login(seats[MemberRole.PREFECT_DELEGATE])
    # Both open the form: same base version.
    for member in (nadia, karim):
        assert member.get(url("change_edit", site, change_id=change.pk)).status_code == 200
    first = _post_change(nadia, site, change, title="Les familles connaissent l’école et le collège")
    assert first.status_code == 302
    second = _post_change(karim, site, change, description="Avec les médiateurs du quartier")
    page = second.content.decode()
    assert second.status_code == 200
    assert "Enregistrement refusé" in page
    assert "Les familles connaissent l’école et le collège" in page  # the saved version, shown
    assert "Avec les médiateurs du quartier" in page  # the refused one, kept for merging
    change.refresh_from_db()
    assert change.title == "Les familles connaissent l’école et le collège"
    assert change.description == ""
    # Karim merges from the form he was handed back (now on the saved version): both edits survive.
    version = change.version
    third = _post_change(
        karim,
        site,
        change,
        version=version,
        title=change.title,
        description="Avec les médiateurs du quartier",
    )
    assert third.status_code == 302
    change.refresh_from_db()
    assert (change.title, change.description) == (
        "Les familles connaissent l’école et le collège",
        "Avec les médiateurs du quartier",
    )


def test_a_conflict_answers_in_place_with_htmx(client, world):
    site = world.site_a
    change = _change(site, world.seat_holder_a, "direct", "Avant")
    services.edit_change(
        change, world.national, expected_version=1, level="direct", register="knowledge",
        title="Par quelqu’un d’autre", description="", targets=[], to_vision=False,
    )  # fmt: skip
    world.login(client, world.seat_holder_a)
    response = client.post(
        url("change_edit", site, change_id=change.pk),
        {"version": 1, "level": "direct", "register": "knowledge", "title": "Le mien", "description": ""},
        **HX,
    )
    assert response.headers["HX-Retarget"] == f"#change-{change.pk}"
    page = response.content.decode()
    assert "Par quelqu’un d’autre" in page and "Le mien" in page
    assert 'name="version" value="2"' in page  # the form moved to the saved version


def test_a_stale_delete_shows_the_saved_item_and_deletes_nothing(client, world):
    site = world.site_a
    factor = services.add_factor(site, world.seat_holder_a, kind="positive", text="Un marché")
    services.edit_factor(factor, world.national, expected_version=1, text="Un grand marché")
    world.login(client, world.seat_holder_a)
    response = client.post(url("factor_delete", site, factor_id=factor.pk), {"version": 1})
    assert "Suppression refusée" in response.content.decode()
    assert "Un grand marché" in response.content.decode()
    assert ContextFactor.objects.filter(pk=factor.pk).exists()


# Strategy editing -----------------------------------------------------------------------------------------


def test_add_edit_move_and_delete_changes_with_htmx(client, world):
    site = world.site_a
    world.login(client, world.seat_holder_a)
    form = client.get(url("change_add", site) + "?niveau=intermediate", **HX)
    assert form.headers["HX-Retarget"] == "#change-add-intermediate"
    for title in ("Première pratique", "Seconde pratique"):
        response = client.post(
            url("change_add", site), {"level": "intermediate", "register": "practices", "title": title}, **HX
        )
        assert response.headers["HX-Retarget"] == "#strategy-panel"
        assert title in response.content.decode()
    first, second = Change.objects.filter(site=site).order_by("position")
    client.post(url("change_move", site, change_id=second.pk), {"sens": "haut"}, **HX)
    assert list(Change.objects.filter(site=site).order_by("position")) == [second, first]
    response = client.post(url("change_delete", site, change_id=first.pk), {"version": first.version}, **HX)
    assert "Première pratique" not in response.content.decode().split('id="diagram-panel"')[0]
    assert list(Change.objects.filter(site=site)) == [second]


def test_the_change_form_offers_only_changes_it_may_contribute_to(client, world):
    """An intermediate change contributes to ultimate ones: the other intermediate changes are not offered
    (hidden, to be shown by the page's script if another level is chosen), so no refusal follows a choice."""
    site = world.site_a
    practice = _change(site, world.seat_holder_a, "intermediate", "Pratique voisine")
    culture = _change(site, world.seat_holder_a, "ultimate", "Culture commune")
    world.login(client, world.seat_holder_a)
    page = client.get(url("change_add", site) + "?niveau=intermediate", **HX).content.decode()
    assert 'data-qic-level="intermediate" hidden>' in page and f'value="{practice.pk}"' in page
    assert 'data-qic-level="ultimate">' in page and f'value="{culture.pk}"' in page
    direct_form = client.get(url("change_add", site) + "?niveau=direct", **HX).content.decode()
    assert "hidden>" not in direct_form.split("Contribue à")[1].split("</fieldset>")[0]


def test_an_invalid_link_is_explained_next_to_the_field(client, world):
    site = world.site_a
    direct = _change(site, world.seat_holder_a, "direct", "Connaissance")
    middle = _change(site, world.seat_holder_a, "intermediate", "Pratique")
    world.login(client, world.seat_holder_a)
    response = client.post(
        url("change_edit", site, change_id=middle.pk),
        {"version": middle.version, "level": "intermediate", "register": "practices", "title": "Pratique",
         "contributes_to": [direct.pk]},
        **HX,
    )  # fmt: skip
    page = response.content.decode()
    assert response.headers["HX-Retarget"] == f"#change-{middle.pk}"
    assert "id_contributes_to-errors" in page
    # "Connaissance" is a direct change: not even offered, the form says the choice is not valid.
    assert "Sélectionnez un choix valide" in page or "niveau supérieur" in page
    assert not middle.contributes_to.exists()


def test_a_same_level_link_gets_the_methods_message(client, world):
    site = world.site_a
    one = _change(site, world.seat_holder_a, "intermediate", "Pratique A")
    two = _change(site, world.seat_holder_a, "intermediate", "Pratique B")
    world.login(client, world.seat_holder_a)
    response = client.post(
        url("change_links", site, change_id=two.pk), {"version": two.version, "contributes_to": [one.pk]}
    )
    # The quick link editor only offers higher levels: a same-level id is not a valid choice.
    assert "Sélectionnez un choix valide" in response.content.decode()
    response = client.post(
        url("change_edit", site, change_id=two.pk),
        {"version": two.version, "level": "intermediate", "register": "practices", "title": "Pratique B",
         "contributes_to": [one.pk]},
    )  # fmt: skip
    assert "sont au même niveau" in response.content.decode()


def test_links_are_set_with_the_quick_editor(client, world):
    site = world.site_a
    ultimate = _change(site, world.seat_holder_a, "ultimate", "Ultime")
    direct = _change(site, world.seat_holder_a, "direct", "Direct")
    world.login(client, world.seat_holder_a)
    page = client.get(url("change_links", site, change_id=direct.pk), **HX).content.decode()
    assert "Ultime" in page
    response = client.post(
        url("change_links", site, change_id=direct.pk), {"version": 1, "contributes_to": [ultimate.pk]}
    )
    assert response.status_code == 302
    assert list(direct.contributes_to.all()) == [ultimate]
    client.post(url("change_links", site, change_id=ultimate.pk), {"version": 1, "to_vision": "on"})
    ultimate.refresh_from_db()
    assert ultimate.contributes_to_vision


def test_partner_actions_serve_changes(client, world):
    site = world.site_a
    change = _change(site, world.seat_holder_a, "direct", "Connaître les métiers")
    world.login(client, world.seat_holder_a)
    response = client.post(
        url("action_add", site),
        {"name": "Forum des métiers", "lead_organisation": "Mission locale", "status": "running",
         "changes": [change.pk]},
        **HX,
    )  # fmt: skip
    page = response.content.decode()
    assert response.headers["HX-Retarget"] == "#actions-panel"
    assert "Forum des métiers" in page and "Mission locale" in page
    assert 'id="strategy-panel" hx-swap-oob="outerHTML"' in page  # the change card lists its actions
    assert list(change.actions.values_list("name", flat=True)) == ["Forum des métiers"]
    response = client.post(
        url("action_add", site), {"name": "", "lead_organisation": "", "status": "running"}
    )
    assert "Nommez l’action ou le projet." in response.content.decode()


def test_factors_are_added_edited_and_moved(client, world):
    site = world.site_a
    world.login(client, world.seat_holder_a)
    for text in ("Un tissu associatif", "Des espaces verts"):
        client.post(url("factor_add", site), {"kind": "positive", "text": text})
    response = client.post(url("factor_add", site), {"kind": "negative", "text": ""}, **HX)
    assert response.headers["HX-Retarget"] == "#factor-add-negative"
    assert "Décrivez le facteur en quelques mots." in response.content.decode()
    first, second = ContextFactor.objects.filter(site=site).order_by("position")
    client.post(url("factor_move", site, factor_id=second.pk), {"sens": "haut"})
    assert list(ContextFactor.objects.filter(site=site).order_by("position")) == [second, first]
    client.post(
        url("factor_edit", site, factor_id=first.pk),
        {"version": 1, "kind": "positive", "text": "Associations"},
    )
    first.refresh_from_db()
    assert first.text == "Associations"


def test_the_narrative_is_rendered_as_formatted_text(client, world):
    world.login(client, world.seat_holder_a)
    client.post(
        url("narrative", world.site_a),
        {"version": 1, "narrative": "### Le chemin\n\nD’abord **se connaître**.\n\n### Puis agir"},
    )
    page = client.get(url("workspace", world.site_a)).content.decode()
    # Under the page's "Le récit" (level 2): the text's headings are level 3, side by side as typed.
    assert "<h3>Le chemin</h3>" in page and "<h3>Puis agir</h3>" in page
    assert "<strong>se connaître</strong>" in page


def test_the_narrative_headings_never_skip_a_level_of_the_pages_outline(client, world):
    """Screen readers list a page's headings (RGAA 9.1): typed headings nest under the page's, one level at
    a time, whatever marks were typed."""
    world.login(client, world.seat_holder_a)
    narrative = "#### Avant tout\n\n## Le chemin\n\n### D’abord\n\n###### Ensuite\n\n# Enfin"
    client.post(url("narrative", world.site_a), {"version": 1, "narrative": narrative})
    page = client.get(url("workspace", world.site_a)).content.decode()
    text = page[page.index('class="qic-text qic-narrative"') :]
    headings = re.findall(r"<h([1-6])>([^<]+)</h\1>", text[: text.index("</div>")])
    assert headings == [
        ("3", "Avant tout"),  # the first never deeper than level 3
        ("3", "Le chemin"),
        ("4", "D’abord"),
        ("4", "Ensuite"),
        ("3", "Enfin"),
    ]
    # ... under the section's own heading, level 2.
    assert page.index('<h2 id="recit-title">Le récit</h2>') < page.index('class="qic-text qic-narrative"')


# Diagram ---------------------------------------------------------------------------------------------------


def test_the_diagram_is_in_the_page_and_as_a_download(client, world):
    chain_strategy(world.site_a, world.seat_holder_a)
    world.login(client, world.partner_a)
    page = client.get(url("workspace", world.site_a)).content.decode()
    assert page.count("<svg") >= 1 and "Un quartier où l’on choisit de rester" in page
    response = client.get(url("diagram_svg", world.site_a))
    assert response["Content-Type"] == "image/svg+xml"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().startswith('<?xml version="1.0"')
    assert "default-src 'none'" in response["Content-Security-Policy"]
    old = client.get(url("diagram_svg", world.site_a) + "?version=1")
    assert "version-1.svg" in old["Content-Disposition"]
    assert client.get(url("diagram", world.site_a)).status_code == 200


# History ---------------------------------------------------------------------------------------------------


def test_history_compare_and_restore(client, world):
    site = world.site_a
    world.login(client, world.seat_holder_a)
    client.post(
        url("statement", site),
        {"version": 1, "statement": "Un quartier vivant et fier", "horizon_year": 2045},
    )
    client.post(
        url("statement", site),
        {"version": 2, "statement": "Un quartier vivant et ouvert", "horizon_year": 2046},
    )
    history = client.get(url("history", site)).content.decode()
    assert "Version 2" in history and "Vision modifiée (horizon 2046)" in history
    # The pickers tell versions apart: number, day, author.
    author = world.seat_holder_a.get_full_name() or world.seat_holder_a.email
    day = r"\d+(er)? \w+ \d{4}"  # "1er décembre 2026" (qic.text.date)
    assert re.search(rf'<option value="2" selected>Version 2 · {day} · {re.escape(author)}</option>', history)
    with CaptureQueriesContext(connection) as queries:
        compare = client.get(url("compare", site) + "?de=1&a=2").content.decode()
    assert "Version 1 · " in compare
    assert "<del>fier</del>" in compare and "<ins>ouvert</ins>" in compare
    assert "<del>2045</del>" in compare and "<ins>2046</ins>" in compare
    # A version is a whole document (its changes, actions, narrative): the comparison reads the two it
    # compares, a version's page its own, once (what restoring it would remove included).
    assert len(columns_read(queries, '"vision_revision"."snapshot"')) == 2
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("revision", site, number=1)).status_code == 200
    assert len(columns_read(queries, '"vision_revision"."snapshot"')) == 1
    # The confirmation says what the draft is now (version 2): another edit since refuses the restoration.
    assert 'name="actuelle" value="2"' in client.get(url("revision", site, number=1)).content.decode()
    refused = client.post(url("restore", site, number=1), {"actuelle": "1"}, follow=True).content.decode()
    assert "Rien n’a été restauré\u00a0: le brouillon a changé" in refused
    assert services.head(site).number == 2
    response = client.post(url("restore", site, number=1), {"actuelle": "2"})
    assert response.status_code == 302
    head = services.head(site)
    assert head.number == 3 and head.restored_from == 1
    assert head.snapshot["vision"]["statement"] == "Un quartier vivant et fier"
    assert client.get(url("revision", site, number=99)).status_code == 404


def test_comparing_versions_shows_added_removed_and_changed_items(client, world):
    site = world.site_a
    chain = chain_strategy(site, world.seat_holder_a)
    before = services.head(site).number
    direct = chain["directs"][0]
    services.delete_change(direct, world.seat_holder_a, expected_version=direct.version)
    middle = chain["intermediates"][0]
    services.edit_change(middle, world.seat_holder_a, expected_version=middle.version, level="intermediate",
                         register="living_environment", title="Pratique renommée", description="",
                         targets=[chain["ultimate"]], to_vision=False)  # fmt: skip
    _change(site, world.seat_holder_a, "direct", "Nouvelle connaissance")
    world.login(client, world.facilitator_a)
    page = client.get(url("compare", site) + f"?de={before}&a={services.head(site).number}").content.decode()
    assert "Connaissance 1" in page and "supprimé" in page
    assert "Nouvelle connaissance" in page and "ajouté" in page
    assert "Pratique renommée" in page and "<ins>Cadre de vie</ins>" in page


# Adoption --------------------------------------------------------------------------------------------------


def test_the_three_seat_holders_adopt_through_the_page(world):
    site = world.site_a
    seats = full_trinome(site, civil_society=world.seat_holder_a)
    chain_strategy(site, world.seat_holder_a)
    number = services.head(site).number
    for user in seats.values():
        member = Client()
        member.force_login(user)
        page = member.get(url("workspace", site)).content.decode()
        assert f"Approuver la version {number}" in page
        response = member.post(url("approve", site), {"version": number}, **HX)
        assert response.headers["HX-Retarget"] == "#adoption-panel"
    revision = services.head(site)
    assert revision.is_adopted
    assert "Adoptée" in response.content.decode()
    site_page = Client()
    site_page.force_login(world.national)
    # The site page's card shows the adopted statement and horizon, read out of the version by the database:
    # not its whole document (changes, actions, narrative).
    with CaptureQueriesContext(connection) as queries:
        detail = site_page.get(reverse("sites:detail", kwargs={"site_slug": site.slug})).content.decode()
    statement = revision.snapshot["vision"]["statement"]
    assert "Vision adoptée le" in detail and "Stratégie adoptée" in detail
    assert f"«\u00a0{statement}\u00a0» — horizon {revision.snapshot['vision']['horizon_year']}" in detail
    assert columns_read(queries, '"vision_revision"."snapshot"') == []


def test_approving_a_stale_version_is_explained(client, world):
    site = world.site_a
    full_trinome(site, civil_society=world.seat_holder_a)
    chain_strategy(site, world.seat_holder_a)
    world.login(client, world.seat_holder_a)
    response = client.post(url("approve", site), {"version": 1}, **HX)
    assert "n’est plus la dernière" in response.content.decode()


def test_national_staff_edit_but_do_not_approve(client, world):
    chain_strategy(world.site_a, world.seat_holder_a)
    world.login(client, world.national)
    assert client.post(url("approve", world.site_a), {"version": 1}).status_code == 403


# Comments --------------------------------------------------------------------------------------------------


def test_partners_and_facilitators_comment_and_the_trinome_resolves(client, world):
    site = world.site_a
    change = _change(site, world.seat_holder_a, "direct", "Connaître les dispositifs")
    world.login(client, world.partner_a)
    response = client.post(
        url("change_comments", site, change_id=change.pk), {"body": "Et les seniors ?"}, **HX
    )
    assert "Et les seniors ?" in response.content.decode()
    world.login(client, world.facilitator_a)
    client.post(url("vision_comments", site), {"body": "Belle vision"})
    assert Comment.objects.filter(site=site).count() == 2
    comment = Comment.objects.get(body="Et les seniors ?")
    assert client.post(url("comment_resolve", site, comment_id=comment.pk)).status_code == 403
    world.login(client, world.seat_holder_a)
    response = client.post(url("comment_resolve", site, comment_id=comment.pk), **HX)
    assert "Résolu" in response.content.decode()
    comment.refresh_from_db()
    assert comment.is_resolved and comment.resolved_by == world.seat_holder_a
    client.post(url("comment_resolve", site, comment_id=comment.pk), {"rouvrir": "1"})
    comment.refresh_from_db()
    assert not comment.is_resolved


def test_an_empty_comment_is_refused_in_french(client, world):
    world.login(client, world.partner_a)
    response = client.post(url("vision_comments", world.site_a), {"body": "  "})
    assert "Écrivez votre commentaire." in response.content.decode()
    assert not Comment.objects.exists()
