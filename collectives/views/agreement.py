"""The cooperation agreement editor: five parts edited inline (HTMX, or full pages without JavaScript),
spaces of cooperation as records, signatures, versions and the PDF export."""

from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import retarget

from qic import access
from qic.idempotency import ALREADY_SAVED, AlreadySubmitted, once
from qic.locking import EditConflict, conflict_context
from qic.params import parse_int
from qic.pdf import pdf_response

from ..enums import AgreementPart
from ..forms import SectionForm, SpaceForm
from ..guide import AGREEMENT_HELP, AGREEMENT_PURPOSE, AGREEMENT_QUESTIONS
from ..handover import render_agreement
from ..models import AgreementSection, CooperationSpace
from ..services import agreement as services

SECTION_FIELDS = {"text": "Texte"}


def _part(part: AgreementPart, section, index: int) -> dict:
    return {
        "part": part.value,
        "label": part.label,
        "index": index,
        "questions": AGREEMENT_QUESTIONS[part],
        "help_key": AGREEMENT_HELP[part],
        "text": section.text if section else "",
        "version": section.version if section else 1,
        "updated_by": section.updated_by if section else None,
        "updated_at": section.updated_at if section else None,
    }


def _with_contents(agreement):
    """The version with its parts and spaces (and who last wrote each), read once: what the page shows and
    what its status checks (the parts still empty) both use them."""
    if agreement is not None:
        prefetch_related_objects(
            [agreement],
            Prefetch("sections", queryset=AgreementSection.objects.select_related("updated_by")),
            Prefetch("spaces", queryset=CooperationSpace.objects.select_related("updated_by")),
        )
    return agreement


def _parts(agreement) -> list[dict]:
    """The five parts of a version read `_with_contents`."""
    sections = {s.part: s for s in agreement.sections.all()} if agreement else {}
    return [_part(part, sections.get(part), i) for i, part in enumerate(AgreementPart, start=1)]


def _status(request, site, *, notice: str = "", versions=None) -> dict:
    """The signatures' panel; `versions`: the site's (draft, in force), when the view already read them."""
    draft, force = versions or services.current_versions(site)
    working = draft or force
    board = services.signature_board(working, site) if working else services.signature_board(None, site)
    missing = services.missing_parts(working) if working else [p.label for p in AgreementPart]
    site_access = request.site_access
    my_seat = site_access.membership.role if site_access.is_seat_holder else None
    signed_seats = {row["seat"] for row in board if row["signature"]}
    can_sign = bool(
        working
        and working.is_draft
        and site_access.can_sign_agreement
        and my_seat not in signed_seats
        and not missing
    )
    return {
        "agreement": working,
        "in_force": force if force and working and force.pk != working.pk else None,
        "board": board,
        "missing": missing,
        "can_sign": can_sign,
        "stamp": services.content_stamp(working) if can_sign else "",  # what the sign form signs
        "my_seat": my_seat,
        "notice": notice,
    }


def _context(request, site, **extra) -> dict:
    return {"site": site, "editable": request.site_access.can_edit_work, **extra}


def _outcome_notice(outcome: services.Outcome) -> str:
    notes = []
    if outcome.opened_draft and outcome.agreement.based_on_id:
        notes.append(
            f"Votre modification ouvre la version {outcome.agreement.number}, en projet : "
            "la version signée reste en vigueur et consultable jusqu’à la signature de la nouvelle."
        )
    if outcome.withdrawn_signatures:
        notes.append("Les signatures déjà recueillies ont été retirées : le texte a changé depuis.")
    return " ".join(notes)


@require_safe
def agreement(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_read)
    versions = services.current_versions(site)
    working = _with_contents(versions[0] or versions[1])
    context = _context(
        request,
        site,
        page_title=f"Entente de coopération — {site.name}",
        purpose=AGREEMENT_PURPOSE,
        parts=_parts(working),
        spaces=list(working.spaces.all()) if working else [],
        status=_status(request, site, versions=versions),
    )
    return render(request, "collectives/agreement/page.html", context)


def _part_or_404(part: str) -> AgreementPart:
    if part not in AgreementPart.values:
        raise Http404("Partie inconnue")
    return AgreementPart(part)


@require_http_methods(["GET", "HEAD", "POST"])
def edit_section(request: HttpRequest, site_slug: str, part: str) -> HttpResponse:
    site = request.site
    part = _part_or_404(part)
    index = list(AgreementPart).index(part) + 1
    if request.method in ("GET", "HEAD") and request.GET.get("mode") == "view":
        access.require(request.site_access.can_read)
        section = services.section_for_edit(site, part)
        working = services.working_version(site)
        context = _context(request, site, part=_part(part, section, index))
        context["spaces"] = list(working.spaces.all()) if working else []
        return render(request, "collectives/agreement/_part.html", context)
    access.require(request.site_access.can_edit_work)
    section = services.section_for_edit(site, part)
    current = _part(part, section, index)
    form = SectionForm(request.POST or None, initial={"text": current["text"], "version": current["version"]})
    conflict = {}
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.save_section(
                site,
                part,
                form.cleaned_data["text"],
                expected_version=form.cleaned_data["version"],
                user=request.user,
            )
        except EditConflict as error:
            form.take_conflict(error)
            conflict = conflict_context(error, SECTION_FIELDS)
        else:
            notice = _outcome_notice(outcome)
            if not request.htmx:
                messages.success(request, f"« {part.label} » enregistrée. {notice}".strip())
                return redirect(reverse("collectives:agreement", args=[site.slug]) + f"#part-{part.value}")
            section = services.section_for_edit(site, part)
            working = services.working_version(site)
            context = _context(
                request,
                site,
                part=_part(part, section, index),
                spaces=list(working.spaces.all()),
                status=_status(request, site, notice=notice),
                oob_status=True,
                saved=True,
            )
            return render(request, "collectives/agreement/_part.html", context)
    context = _context(request, site, part=current, form=form, **conflict)
    context["withdraws"] = services.signatures_to_withdraw(site)
    if request.htmx:
        return render(request, "collectives/agreement/_part_form.html", context)
    context["page_title"] = f"{part.label} — entente de coopération"
    return render(request, "collectives/agreement/part_edit.html", context)


def _space_data(form) -> dict:
    return {name: form.cleaned_data[name] for name in services.SPACE_FIELDS}


def _site_space(request, pk) -> CooperationSpace:
    """A space of any version of this site's agreement (another site's space is a 404)."""
    return get_object_or_404(CooperationSpace.objects.filter(agreement__site=request.site), pk=pk)


@require_http_methods(["GET", "HEAD", "POST"])
def add_space(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_edit_work)
    if request.method in ("GET", "HEAD") and request.GET.get("mode") == "cancel":
        return render(request, "collectives/agreement/_space_add_button.html", _context(request, site))
    form = SpaceForm(request.POST or None, initial={"version": 1})
    if request.method == "POST" and form.is_valid():
        try:
            with once(form):
                space, outcome = services.add_space(site, _space_data(form), user=request.user)
        except AlreadySubmitted:
            messages.info(request, ALREADY_SAVED)
            return redirect(reverse("collectives:agreement", args=[site.slug]) + "#part-spaces")
        if not request.htmx:
            messages.success(request, f"Lieu de coopération « {space.name} » ajouté.")
            return redirect(reverse("collectives:agreement", args=[site.slug]) + "#part-spaces")
        context = _context(
            request,
            site,
            space=space,
            status=_status(request, site, notice=_outcome_notice(outcome)),
            oob_status=True,
        )
        return render(request, "collectives/agreement/_space_added.html", context)
    context = _context(request, site, form=form, space=None, withdraws=services.signatures_to_withdraw(site))
    if request.htmx:
        return render(request, "collectives/agreement/_space_form.html", context)
    context["page_title"] = "Ajouter un lieu de coopération"
    return render(request, "collectives/agreement/space_edit.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def edit_space(request: HttpRequest, site_slug: str, pk: int) -> HttpResponse:
    site = request.site
    space = _site_space(request, pk)
    if request.method in ("GET", "HEAD") and request.GET.get("mode") == "view":
        access.require(request.site_access.can_read)
        context = _context(request, site, space=space, replaced_pk=None)
        return render(request, "collectives/agreement/_space.html", context)
    access.require(request.site_access.can_edit_work)
    initial = {name: getattr(space, name) for name in services.SPACE_FIELDS} | {"version": space.version}
    form = SpaceForm(request.POST or None, initial=initial)
    conflict = {}
    if request.method == "POST" and form.is_valid():
        try:
            saved, outcome = services.update_space(
                site,
                space,
                _space_data(form),
                expected_version=form.cleaned_data["version"],
                user=request.user,
            )
        except EditConflict as error:
            form.take_conflict(error)
            conflict = conflict_context(error, services.SPACE_FIELDS)
        else:
            if not request.htmx:
                messages.success(request, f"Lieu de coopération « {saved.name} » enregistré.")
                return redirect(reverse("collectives:agreement", args=[site.slug]) + "#part-spaces")
            context = _context(
                request,
                site,
                space=saved,
                replaced_pk=space.pk,
                status=_status(request, site, notice=_outcome_notice(outcome)),
                oob_status=True,
            )
            return render(request, "collectives/agreement/_space.html", context)
    context = _context(request, site, form=form, space=space, **conflict)
    context["withdraws"] = services.signatures_to_withdraw(site)
    if request.htmx:
        return render(request, "collectives/agreement/_space_form.html", context)
    context["page_title"] = f"{space.name} — lieu de coopération"
    return render(request, "collectives/agreement/space_edit.html", context)


def delete_space(request: HttpRequest, site_slug: str, pk: int) -> HttpResponse:
    site = request.site
    space = _site_space(request, pk)  # another site's space is a 404, whatever the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    access.require(request.site_access.can_edit_work)
    version = parse_int(request.POST.get("version"))
    version = -1 if version is None else version
    try:
        outcome = services.delete_space(site, space, expected_version=version, user=request.user)
    except EditConflict as error:
        text = (
            f"« {space.name} » n’a pas été supprimé : quelqu’un l’a modifié entre-temps. "
            "Relisez la version enregistrée avant de le supprimer."
        )
        if error.current is None:
            text = f"« {space.name} » a déjà été supprimé par quelqu’un d’autre."
        if not request.htmx:
            messages.error(request, text)
            return redirect(reverse("collectives:agreement", args=[site.slug]) + "#part-spaces")
        current = error.current or space
        context = _context(request, site, space=current, replaced_pk=space.pk, error=text)
        return retarget(render(request, "collectives/agreement/_space.html", context), f"#space-{space.pk}")
    if not request.htmx:
        messages.success(request, f"Lieu de coopération « {space.name} » supprimé.")
        return redirect(reverse("collectives:agreement", args=[site.slug]) + "#part-spaces")
    context = _context(
        request, site, status=_status(request, site, notice=_outcome_notice(outcome)), oob_status=True
    )
    return render(request, "collectives/agreement/_space_deleted.html", context)


@require_POST
def sign(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_sign_agreement)
    try:
        signed = services.sign(site, request.user, seen_stamp=request.POST.get("texte", ""))
    except services.AgreementError as error:
        messages.error(request, str(error))
    else:
        if signed.is_in_force:
            messages.success(
                request,
                f"Vous avez signé : les trois sièges ont signé, "
                f"la version {signed.number} de l’entente est en vigueur.",
            )
        else:
            messages.success(
                request, f"Vous avez signé la version {signed.number} de l’entente pour votre siège."
            )
    return redirect(reverse("collectives:agreement", args=[site.slug]) + "#agreement-status")


@require_safe
def version_list(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_read)
    context = _context(
        request, site, page_title=f"Versions de l’entente — {site.name}", versions=services.versions(site)
    )
    return render(request, "collectives/agreement/versions.html", context)


def _site_version(request, number):
    return get_object_or_404(request.site.agreements.select_related("created_by"), number=number)


@require_safe
def version_detail(request: HttpRequest, site_slug: str, number: int) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_read)
    version = _with_contents(_site_version(request, number))
    context = {
        "site": site,
        "editable": False,
        "page_title": f"Entente de coopération, version {version.number} — {site.name}",
        "version": version,
        "parts": _parts(version),
        "spaces": list(version.spaces.all()),
        "board": services.signature_board(version, site),
    }
    return render(request, "collectives/agreement/version.html", context)


@require_safe
def version_pdf(request: HttpRequest, site_slug: str, number: int) -> HttpResponse:
    site = request.site
    access.require(request.site_access.can_read)
    version = _site_version(request, number)
    return pdf_response(
        render_agreement(version, site), f"entente-de-cooperation-{site.slug}-v{version.number}.pdf"
    )
