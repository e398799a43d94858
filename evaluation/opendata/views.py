"""The public open-data page and its files: no sign-in (each view opts out of `LoginRequiredMiddleware`).

They show only what a generation published (`services.latest()`: one query); national staff may ask for a
generation now, through the queue that keeps the task while the broker is away."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from qic import access, queue
from sites import geography

from . import schemas, services
from .tasks import generate_open_data


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    can_generate = access.can_generate_open_data(request.user)
    if request.method == "POST":
        access.require(can_generate)
        pending = queue.enqueue(generate_open_data)
        messages.success(
            request,
            "La génération des fichiers est demandée : ils seront publiés ici dans quelques instants.",
        )
        queue.warn_if_held(request, pending, "la génération démarrera dès son retour.")
        return redirect("opendata:index")
    release = services.latest()
    context = {
        "page_title": "Données ouvertes du programme",
        "release": release,
        "can_generate": can_generate,
        "licence": schemas.LICENCE,
    }
    if release is not None:
        context["files"] = release.files
        context["rows"] = services.page_rows(release)
        if release.departments:  # a release published before the map has none
            context["site_map"] = geography.site_map(release.departments, map_id="carte-donnees-ouvertes")
    return render(request, "opendata/index.html", context)


@login_not_required
@require_safe
def download(request: HttpRequest, name: str) -> FileResponse:
    release = services.latest()
    item = release.file(name) if release is not None else None
    if item is None or not default_storage.exists(item["path"]):
        raise Http404("Fichier introuvable")
    # Data files are downloaded; schemas and the package description open in the browser.
    response = FileResponse(
        default_storage.open(item["path"], "rb"),
        as_attachment=item["kind"] == "data",
        filename=name,
        content_type=item["media_type"],
    )
    response["Access-Control-Allow-Origin"] = "*"  # open data: reusable from any web page
    return response
