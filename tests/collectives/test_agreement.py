"""The cooperation agreement: inline editing, spaces of cooperation, signatures, versions, the PDF export."""

import re

import pytest
from django.urls import reverse

from collectives.enums import AgreementPart, AgreementStatus
from collectives.models import CooperationAgreement, CooperationSpace
from collectives.services import agreement as services
from qic import text
from sites.enums import EventKind
from tests.collectives.factories import agreement_for
from tests.pdfs import table_tagging_faults

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _section_url(site, part="principles"):
    return reverse("collectives:agreement_section", args=[site.slug, part])


def _page(client, site):
    return client.get(reverse("collectives:agreement", args=[site.slug])).content.decode()


def _sign_all(site, trinome):
    for user in trinome.users:
        services.sign(site, user)


def test_page_shows_the_five_parts_with_their_guiding_questions(client, world):
    world.login(client, world.partner_a)
    page = _page(client, world.site_a)
    for part in AgreementPart:
        assert part.label in page
    for question in ("Qui décide de quoi ?", "Quelle place ont les citoyens et les habitant·es ?"):
        assert question in page
    assert "Pas encore commencée" in page
    assert "Modifier" not in page  # a partner reads, the trinôme writes


def test_the_page_reads_each_version_part_and_space_once(client, world, trinome, django_assert_num_queries):
    """The agreement's page shows the draft's parts and spaces and checks which are still empty to offer the
    signature: both read them once, and the draft and the version in force are one query."""
    agreement_for(world.site_a, status=AgreementStatus.IN_FORCE, spaces=2)
    agreement_for(world.site_a, number=2, spaces=3)
    world.login(client, trinome.prefect)
    # Session, person, site access, unread count; versions, parts, spaces; seat holders, signatures.
    with django_assert_num_queries(9):
        page = _page(client, world.site_a)
    assert "Lieu 3" in page and "Version 2, en projet" in page and "Signer pour le siège" in page


def test_htmx_edit_swaps_the_part_in_place_and_opens_the_first_draft(client, world):
    world.login(client, world.seat_holder_a)
    form = client.get(_section_url(world.site_a), **HTMX)
    assert form.templates[0].name == "collectives/agreement/_part_form.html"
    assert "<html" not in form.content.decode()
    response = client.post(
        _section_url(world.site_a), {"text": "Nous avançons ensemble.", "version": 1}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert (
        "Nous avançons ensemble." in html
        and 'id="agreement-status" class="qic-status fr-mb-5w" hx-swap-oob="true"' in html
    )
    draft = CooperationAgreement.objects.get(site=world.site_a)
    assert draft.number == 1 and draft.status == AgreementStatus.DRAFT
    section = draft.sections.get(part="principles")
    assert (
        section.text == "Nous avançons ensemble."
        and section.version == 2
        and section.updated_by == world.seat_holder_a
    )


def test_without_javascript_the_same_url_is_a_full_page_and_redirects(client, world):
    world.login(client, world.seat_holder_a)
    page = client.get(_section_url(world.site_a, "power")).content.decode()
    assert "<html" in page and "Qui décide de quoi ?" in page
    response = client.post(_section_url(world.site_a, "power"), {"text": "Par consentement.", "version": 1})
    assert response.status_code == 302 and response.url.endswith("#part-power")
    assert "Par consentement." in _page(client, world.site_a)


def test_partners_and_facilitators_cannot_edit(client, world):
    for user in (world.partner_a, world.facilitator_a):
        world.login(client, user)
        assert client.get(_section_url(world.site_a)).status_code == 403
        assert client.post(_section_url(world.site_a), {"text": "x", "version": 1}).status_code == 403
    assert not CooperationAgreement.objects.exists()


def test_unknown_part_is_a_404(client, world):
    world.login(client, world.seat_holder_a)
    assert client.get(_section_url(world.site_a, "nope")).status_code == 404


def test_text_too_long_is_explained_next_to_the_field(client, world):
    world.login(client, world.seat_holder_a)
    response = client.post(_section_url(world.site_a), {"text": "a" * 10_001, "version": 1}, **HTMX)
    assert "Ce texte est trop long : 10000 caractères au plus." in response.content.decode()


def test_spaces_are_added_edited_and_deleted_inline(client, world):
    world.login(client, world.seat_holder_a)
    add = reverse("collectives:space_add", args=[world.site_a.slug])
    data = {"name": "Comité de pilotage", "purpose": "Tenir le cap", "frequency": "Mensuel",
            "participants": "Le trinôme", "decisions": "Les priorités", "version": 1}  # fmt: skip
    response = client.post(add, data, **HTMX)
    html = response.content.decode()
    assert 'hx-swap-oob="beforeend:#spaces-list"' in html and "Comité de pilotage" in html
    space = CooperationSpace.objects.get()
    edit = reverse("collectives:space_edit", args=[world.site_a.slug, space.pk])
    response = client.post(edit, {**data, "name": "Comité du trinôme", "version": space.version}, **HTMX)
    assert "Comité du trinôme" in response.content.decode()
    space.refresh_from_db()
    assert space.name == "Comité du trinôme" and space.version == 2
    delete = reverse("collectives:space_delete", args=[world.site_a.slug, space.pk])
    client.post(delete, {"version": 1}, **HTMX)  # stale: refused
    assert CooperationSpace.objects.filter(pk=space.pk).exists()
    client.post(delete, {"version": 2}, **HTMX)
    assert not CooperationSpace.objects.filter(pk=space.pk).exists()


def test_a_space_needs_a_name(client, world):
    world.login(client, world.seat_holder_a)
    response = client.post(
        reverse("collectives:space_add", args=[world.site_a.slug]), {"name": "", "version": 1}
    )
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not CooperationSpace.objects.exists()


def test_signing_needs_every_part_written(world, trinome):
    agreement_for(world.site_a, texts={"communication": ""})
    with pytest.raises(services.AgreementError, match="À compléter : Communication"):
        services.sign(world.site_a, trinome.prefect)


def test_three_signatures_put_the_agreement_in_force(client, world, trinome):
    draft = agreement_for(world.site_a)
    services.sign(world.site_a, trinome.prefect)
    services.sign(world.site_a, trinome.municipality)
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.DRAFT
    with pytest.raises(services.AgreementError, match="déjà signé"):
        services.sign(world.site_a, trinome.prefect)
    world.login(client, trinome.civil_society)
    page = _page(client, world.site_a)
    assert "Signer pour le siège «\u00a0Société civile\u00a0»" in page
    stamp = re.search(r'name="texte" value="(\w+)"', page)[1]  # the text the page showed
    response = client.post(
        reverse("collectives:agreement_sign", args=[world.site_a.slug]), {"texte": stamp}, follow=True
    )
    assert "la version 1 de l’entente est en vigueur" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.IN_FORCE and draft.in_force_since is not None
    assert world.site_a.events.filter(kind=EventKind.AGREEMENT_SIGNED).count() == 4  # 3 signatures + in force


def test_a_seat_signs_the_text_it_was_shown_not_one_changed_meanwhile(client, world, trinome):
    """Found by an adversarial sweep: a seat holder opened the agreement, another member rewrote a part, and
    the signature went to the rewritten text. The sign form carries the text it showed; changed, nothing is
    signed and the person is told to read it again."""
    agreement_for(world.site_a)
    world.login(client, trinome.municipality)
    page = _page(client, world.site_a)
    stamp = re.search(r'name="texte" value="(\w+)"', page)[1]
    section = world.site_a.agreements.get().sections.get(part="power")
    services.save_section(
        world.site_a,
        "power",
        "Texte remplacé en douce.",
        expected_version=section.version,
        user=trinome.prefect,
    )
    url = reverse("collectives:agreement_sign", args=[world.site_a.slug])
    refused = client.post(url, {"texte": stamp}, follow=True).content.decode()
    assert "Rien n’a été signé\u00a0: le texte de l’entente a changé" in refused
    assert not world.site_a.agreements.get().signatures.exists()
    client.post(url)  # without the stamp (a script, a page from before): refused the same way
    assert not world.site_a.agreements.get().signatures.exists()
    fresh = re.search(r'name="texte" value="(\w+)"', _page(client, world.site_a))[1]
    client.post(url, {"texte": fresh})
    assert world.site_a.agreements.get().signatures.filter(signed_by=trinome.municipality).exists()


def test_only_seat_holders_sign(client, world):
    agreement_for(world.site_a)
    for user in (world.partner_a, world.facilitator_a, world.national):
        world.login(client, user)
        assert client.post(reverse("collectives:agreement_sign", args=[world.site_a.slug])).status_code == 403
    assert not world.site_a.agreements.get().signatures.exists()


def test_signers_whose_signature_an_edit_withdrew_are_told_and_nobody_is_asked_twice(world, trinome):
    """Found by an adversarial sweep: two seats signed, a third member edited the draft, and the two were not
    told their signatures were withdrawn (their item "to sign" had closed when they signed); meanwhile each
    signature had opened another "to sign" item for those still waiting, two for the same version."""
    from sites.enums import NotificationKind
    from sites.models import Notification

    site = world.site_a
    agreement_for(site)

    def open_items(user):
        return Notification.objects.filter(
            user=user, kind=NotificationKind.AGREEMENT_TO_SIGN, closed_at__isnull=True
        ).count()

    services.sign(site, trinome.municipality)
    services.sign(site, trinome.prefect)
    assert open_items(trinome.civil_society) == 1  # asked once, though two seats signed
    section = services.draft_of(site).sections.get(part="power")
    changed = "Le collectif décide autrement."
    services.save_section(
        site, "power", changed, expected_version=section.version, user=trinome.civil_society
    )
    for signer in (trinome.municipality, trinome.prefect):
        item = Notification.objects.filter(user=signer, kind=NotificationKind.AGREEMENT_TO_SIGN).latest("id")
        assert item.closed_at is None and "votre signature est retirée" in item.title
        assert open_items(signer) == 1


def test_an_edit_after_signature_opens_a_new_draft_and_the_signed_version_stays(client, world, trinome):
    signed = agreement_for(world.site_a, texts={"power": "Le trinôme décide."})
    _sign_all(world.site_a, trinome)
    world.login(client, trinome.prefect)
    section = signed.sections.get(part="power")
    response = client.post(
        _section_url(world.site_a, "power"),
        {"text": "Tout le collectif décide.", "version": section.version},
        **HTMX,
    )
    assert "Votre modification ouvre la version 2" in response.content.decode()
    signed.refresh_from_db()
    draft = services.draft_of(world.site_a)
    assert signed.status == AgreementStatus.IN_FORCE and draft.number == 2 and draft.based_on == signed
    assert signed.sections.get(part="power").text == "Le trinôme décide."
    assert draft.sections.get(part="power").text == "Tout le collectif décide."
    assert draft.spaces.count() == signed.spaces.count() == 1
    old = client.get(reverse("collectives:agreement_version", args=[world.site_a.slug, 1])).content.decode()
    assert "Le trinôme décide." in old and "En vigueur depuis le" in old
    # The site page's panel (from the site's progress facts) says both: signed, a new version in draft.
    site_page = client.get(world.site_a.get_absolute_url()).content.decode()
    signed_on = text.date(signed.in_force_since)
    assert f"Signée le {signed_on}</span> <span" in site_page and "nouvelle version en projet" in site_page
    # The new draft goes in force once the three seats sign it; the first is then superseded.
    _sign_all(world.site_a, trinome)
    signed.refresh_from_db()
    draft.refresh_from_db()
    assert signed.status == AgreementStatus.SUPERSEDED and draft.status == AgreementStatus.IN_FORCE
    site_page = client.get(world.site_a.get_absolute_url()).content.decode()
    assert f"Signée le {text.date(draft.in_force_since)}" in site_page
    assert "nouvelle version en projet" not in site_page


def test_editing_a_space_of_the_signed_version_edits_its_copy_in_the_new_draft(client, world, trinome):
    signed = agreement_for(world.site_a)
    _sign_all(world.site_a, trinome)
    space = signed.spaces.get()
    world.login(client, trinome.prefect)
    url = reverse("collectives:space_edit", args=[world.site_a.slug, space.pk])
    client.post(url, {"name": "Nouveau nom", "version": space.version})
    space.refresh_from_db()
    copy = services.draft_of(world.site_a).spaces.get()
    assert space.name == "Lieu 1" and copy.name == "Nouveau nom" and copy.uid == space.uid


def test_an_edit_withdraws_the_signatures_already_given(world, trinome):
    draft = agreement_for(world.site_a)
    services.sign(world.site_a, trinome.prefect)
    section = draft.sections.get(part="talents")
    outcome = services.save_section(
        world.site_a, "talents", "Autre texte", expected_version=section.version, user=trinome.municipality
    )
    assert outcome.withdrawn_signatures == 1 and not draft.signatures.exists()


def test_versions_are_listed_with_their_authors(client, world, trinome, django_assert_max_num_queries):
    services.save_section(world.site_a, "principles", "Un", expected_version=1, user=trinome.prefect)
    services.save_section(world.site_a, "power", "Deux", expected_version=1, user=trinome.municipality)
    world.login(client, world.partner_a)
    with django_assert_max_num_queries(12):
        page = client.get(
            reverse("collectives:agreement_versions", args=[world.site_a.slug])
        ).content.decode()
    assert "Version 1" in page and "Karim Benali, Sophie Durand" in page
    assert "« Pouvoir et décisions » modifiée" in page


def test_a_missing_version_is_a_404(client, world):
    world.login(client, world.seat_holder_a)
    assert (
        client.get(reverse("collectives:agreement_version", args=[world.site_a.slug, 7])).status_code == 404
    )


def test_pdf_export_carries_the_text_the_spaces_and_the_signatures(client, world, trinome, pdf_text):
    agreement_for(world.site_a, texts={"principles": "Confiance et régularité."})
    services.sign(world.site_a, trinome.prefect)
    world.login(client, world.steering)
    response = client.get(reverse("collectives:agreement_pdf", args=[world.site_a.slug, 1]))
    assert response["Content-Type"] == "application/pdf"
    assert "entente-de-cooperation-quartier-a-v1.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Entente de coopération" in text and "Confiance et régularité." in text
    assert "Lieu 1" in text and "Karim Benali" in text and "Page 1 sur" in text
    assert "Comment créer un climat de confiance" in text  # a draft carries the writing prompts


def test_the_signed_agreement_is_printed_without_the_writing_prompts(client, world, trinome, pdf_text):
    agreement_for(world.site_a, texts={"principles": "Confiance et régularité."})
    _sign_all(world.site_a, trinome)
    world.login(client, world.steering)
    content = client.get(reverse("collectives:agreement_pdf", args=[world.site_a.slug, 1])).content
    text = pdf_text(content)
    assert "EN VIGUEUR" in text.upper() and "Confiance et régularité." in text
    assert table_tagging_faults(content) == []
    assert "Comment créer un climat de confiance" not in text and "Qui décide de quoi" not in text


def test_dashboard_column_shows_the_signed_agreement(client, world, trinome):
    agreement_for(world.site_a)
    _sign_all(world.site_a, trinome)
    world.login(client, world.national)
    response = client.get(reverse("sites:dashboard"))
    html = response.content.decode()
    assert "Signée le" in html
    rows = {site.pk: site for site in response.context["board"].page}
    assert rows[world.site_a.pk].progress.agreement_in_force_since is not None
    assert rows[world.site_b.pk].progress.agreement_in_force_since is None
