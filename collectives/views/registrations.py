"""Import of a wave's registrations: upload, preview with every error in French, confirmation, result."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from qic import access, text
from sites.forms import RegistrationUploadForm
from sites.models import RegistrationImport

from ..services import registrations as imports

ALREADY_COMMITTED = "Cet import est déjà confirmé : rien n’a été importé deux fois."


def _require_manager(request: HttpRequest) -> None:
    access.require(access.can_manage_registry(request.user))


@require_http_methods(["GET", "HEAD", "POST"])
def registration_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the wave and the file. Nothing is written to the registry yet."""
    _require_manager(request)
    form = RegistrationUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        registration = imports.stash(
            upload.read(),
            upload.name,
            form.cleaned_data["wave"],
            form.cleaned_data["initial_status"],
            request.user,
        )
        return redirect(registration.get_absolute_url())
    # Their names and dates: not the lines read from each file (thousands, with personal data).
    recent = list(
        RegistrationImport.objects.filter(created_by=request.user)
        .select_related("wave")
        .defer("rows", "file_errors", "summary")[:5]
    )
    context = {
        "page_title": "Importer des inscriptions",
        "form": form,
        "recent": recent,
        "columns": imports.TEMPLATE_HEADERS,
    }
    return render(request, "sites/imports/upload.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def registration_preview(request: HttpRequest, token) -> HttpResponse:
    """Step 2: what the file would do, line by line; confirming writes it all at once, or nothing."""
    _require_manager(request)
    # Only the person who uploaded the file sees it: it holds personal data.
    registration = (
        RegistrationImport.objects.filter(token=token, created_by=request.user).select_related("wave").first()
    )
    if registration is None:
        raise Http404("Import introuvable")
    if request.method == "POST":
        already = registration.committed_at is not None
        try:
            summary = None if already else imports.commit(registration, request.user)
        except imports.ImportRefused as error:
            messages.error(request, str(error))
        else:
            if (
                summary is None or registration.committed_at is None
            ):  # confirmed before, or at the same moment
                messages.info(request, ALREADY_COMMITTED)
                return redirect(registration.get_absolute_url())
            messages.success(
                request,
                f"Import terminé : {text.plural(summary['new_sites'], 'site créé', 'sites créés')}, "
                f"{text.plural(summary['new_seats'], 'siège attribué', 'sièges attribués')}"
                + (
                    f", {text.plural(summary['invited_seats'], 'invitation envoyée', 'invitations envoyées')}"
                    " aux adresses non vérifiées."
                    if summary.get("invited_seats")
                    else "."
                ),
            )
        return redirect(registration.get_absolute_url())
    result = imports.plan(registration.rows, registration.wave, registration.file_errors)
    context = {
        "page_title": "Aperçu de l’import",
        "registration": registration,
        "result": result,
        "counts": result.counts(),
        "errors": result.errors,
    }
    return render(request, "sites/imports/preview.html", context)


@require_safe
def registration_template(request: HttpRequest) -> HttpResponse:
    """A file to fill in, with the expected columns and one example site."""
    _require_manager(request)
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="modele-inscriptions-qic.csv"'
    return response
