"""The endpoints of `/api/v1/`: every list reads its rows in a fixed number of queries, every object is
looked up within what the request may see (`qic.access`: 404 outside), writes go through the apps'
services."""

from __future__ import annotations

import hashlib
import uuid

import django_filters
from django.contrib.auth.decorators import login_not_required
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from collectives.services.coaching import minutes_by_site, to_hours
from collectives.sessions import services as session_services
from collectives.sessions.models import Participant, Session
from evaluation import services as evaluation_services
from evaluation.forms import MeasurementForm
from evaluation.models import Indicator, Measurement
from evaluation.reports.enums import ReportKind, ReportState
from evaluation.reports.models import Report
from qic import access, audit
from qic.idempotency import ALREADY_SAVED, FIELD, AlreadySubmitted, once, was_sent
from sites import progress
from sites.enums import SiteKind, SiteStatus
from sites.models import Region, Site, Wave
from vision import selectors

from . import serializers as s
from .authentication import caller, key_label, key_of
from .problems import CONTENT_TYPE, Conflict, problem, problem_body

PROBLEM = OpenApiResponse(description="Erreur (problem details, RFC 9457, application/problem+json).")
ERRORS = dict.fromkeys((401, 403, 404, 429), PROBLEM)


class ApiView(generics.GenericAPIView):
    """Every endpoint: conditional GETs (`ETag` / `If-None-Match` → 304), revalidated by clients, never
    stored by shared caches (answers depend on the key)."""

    site: Site | None = None  # the site the request named, once found in its scope (for the audit log)

    def finalize_response(self, request, response, *args, **kwargs):
        response = self._conditional(request, super().finalize_response(request, response, *args, **kwargs))
        if response.status_code == 412:  # If-Match names another version
            refused = problem(412, instance=request.path)
            response = super().finalize_response(request, refused, *args, **kwargs)
        user, label, ref = caller(request)
        audit.record_request(
            user=user,
            label=label,
            ref=ref,
            method=request.method,
            path=request.get_full_path(),
            status=response.status_code,
            site=self.site or getattr(self.key, "site", None),
        )
        return response

    def _conditional(self, request, response):
        if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.streaming:
            return response
        response.render()
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ("Authorization", "Cookie"))
        return get_conditional_response(request, etag=response["ETag"], response=response)

    @property
    def key(self):
        return key_of(self.request)

    def sites(self):
        """The sites this request reads (its key's scope, or the signed-in person's sites)."""
        return access.api_sites(self.request.user, self.key)

    def get_site(self) -> Site:
        site = (
            self.sites().select_related("department__region", "wave").filter(slug=self.kwargs["slug"]).first()
        )
        if site is None:
            raise Http404
        self.site = site
        return site


# --- Reference data: waves, regions -------------------------------------------------------------------------


@extend_schema(tags=["Programme"], summary="Vagues du programme", responses={200: s.WaveSerializer, **ERRORS})
class WaveList(ApiView, generics.ListAPIView):
    serializer_class = s.WaveSerializer
    queryset = Wave.objects.order_by("number")


@extend_schema(
    tags=["Programme"],
    summary="Régions et leurs départements",
    responses={200: s.RegionSerializer, **ERRORS},
)
class RegionList(ApiView, generics.ListAPIView):
    serializer_class = s.RegionSerializer
    queryset = Region.objects.order_by("name").prefetch_related("departments")


# --- Sites and their progress -------------------------------------------------------------------------------


class SiteFilter(django_filters.FilterSet):
    wave = django_filters.NumberFilter(field_name="wave__number", label="Numéro de la vague.")
    region = django_filters.CharFilter(
        field_name="department__region__code", label="Code INSEE de la région."
    )
    department = django_filters.CharFilter(field_name="department__code", label="Code du département.")
    status = django_filters.ChoiceFilter(choices=SiteStatus.choices, label="Statut du site.")
    kind = django_filters.ChoiceFilter(choices=SiteKind.choices, label="Type de site.")


def with_coaching(sites: list) -> list:
    """The coaching hours held and to come of these sites (`minutes_by_site`, as the dashboard: which booked
    sessions are held depends on the hour), and an empty progress row for a site that has none yet."""
    progress.attach(sites)
    minutes = minutes_by_site({site.pk: site.progress.coaching_booked_minutes for site in sites})
    for site in sites:
        used, planned = minutes.get(site.pk, (0, 0))
        site.used_hours, site.planned_hours = to_hours(used), to_hours(planned)
    return sites


class SiteMixin(ApiView):
    serializer_class = s.SiteSerializer

    def get_serializer(self, instance=None, *args, **kwargs):
        rows = instance if isinstance(instance, list) else [instance] if instance is not None else []
        if rows:
            with_coaching(rows)
        return super().get_serializer(instance, *args, **kwargs)


@extend_schema(
    tags=["Sites"], summary="Sites et leur avancement", responses={200: s.SiteSerializer, **ERRORS}
)
class SiteList(SiteMixin, generics.ListAPIView):
    filterset_class = SiteFilter

    def get_queryset(self):
        return self.sites().select_related("department__region", "wave", "progress").order_by("name", "pk")

    def paginate_queryset(self, queryset):
        return list(super().paginate_queryset(queryset))


@extend_schema(
    tags=["Sites"], summary="Un site et son avancement", responses={200: s.SiteSerializer, **ERRORS}
)
class SiteDetail(SiteMixin, generics.RetrieveAPIView):
    def get_object(self):
        site = (
            self.sites()
            .select_related("department__region", "wave", "progress")
            .filter(slug=self.kwargs["slug"])
        )
        self.site = site.first()
        if self.site is None:
            raise Http404
        return self.site


@extend_schema(
    tags=["Sites"],
    summary="Vision et stratégie adoptées d’un site",
    description="La dernière version adoptée par le trinôme : les brouillons ne sont pas publiés.",
    responses={200: s.SiteVisionSerializer, **ERRORS},
)
class SiteVision(ApiView):
    serializer_class = s.SiteVisionSerializer

    def get(self, request, slug):
        site = self.get_site()
        vision, strategy = selectors.adopted(site)
        data = {"site": site.slug, "vision": vision, "strategy": None}
        if strategy is not None:
            data["strategy"] = {
                "adopted_at": strategy.adopted_at,
                "number": strategy.number,
                "narrative": strategy.narrative,
                "snapshot": strategy.snapshot,
            }
        return Response(self.get_serializer(data).data)


# --- Indicators and measurements ----------------------------------------------------------------------------


@extend_schema(
    tags=["Indicateurs"],
    summary="Indicateurs d’un site et leurs mesures",
    responses={200: s.IndicatorSerializer, **ERRORS},
)
class IndicatorList(ApiView, generics.ListAPIView):
    serializer_class = s.IndicatorSerializer
    queryset = Indicator.objects.none()  # the schema's model; rows: get_queryset

    def get_queryset(self):
        return (
            Indicator.objects.filter(site=self.get_site())
            .select_related("change")
            .defer("change__description")  # `change_label`: its title
            .prefetch_related(Prefetch("measurements", queryset=Measurement.objects.order_by("measured_on")))
        )


IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    description="Identifiant unique de l’envoi (UUID) : le même envoi répété ne crée la mesure qu’une fois "
    "(409 ensuite).",
)


@extend_schema_view(
    get=extend_schema(
        tags=["Indicateurs"],
        summary="Mesures d’un indicateur",
        responses={200: s.MeasurementSerializer, **ERRORS},
    ),
    post=extend_schema(
        tags=["Indicateurs"],
        summary="Enregistrer une mesure",
        description="Mêmes règles et mêmes messages que le formulaire de saisie : une mesure par date, "
        "après la situation de départ ; une valeur pour un indicateur quantitatif, un niveau de l’échelle "
        "pour un qualitatif. Clé « lecture et saisie » seulement.",
        parameters=[IDEMPOTENCY],
        request=s.MeasurementSerializer,
        responses={201: s.MeasurementSerializer, 400: PROBLEM, 409: PROBLEM, **ERRORS},
    ),
)
class MeasurementList(ApiView, generics.ListAPIView):
    serializer_class = s.MeasurementSerializer
    queryset = Measurement.objects.none()

    def get_indicator(self) -> Indicator:
        return get_object_or_404(Indicator.objects.filter(site=self.get_site()), pk=self.kwargs["pk"])

    def get_queryset(self):
        return Measurement.objects.filter(indicator=self.get_indicator()).order_by("measured_on", "pk")

    def post(self, request, slug, pk):
        indicator = self.get_indicator()
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ["Le corps de la requête est un objet JSON."]})
        data = {
            name: "" if request.data.get(name) is None else str(request.data[name])
            for name in ("measured_on", "value", "level", "comment", "evidence_url")
        }
        if request.headers.get("Idempotency-Key"):
            data[FIELD] = _idempotency_key(request.headers["Idempotency-Key"])
        form = MeasurementForm(data, indicator=indicator)
        if was_sent(form):
            raise Conflict(ALREADY_SAVED)
        if not form.is_valid():
            raise ValidationError(form.errors)
        try:
            with audit.acting_as(None, label=key_label(self.key)), once(form):
                measurement = evaluation_services.save_measurement(form, indicator=indicator, user=None)
        except AlreadySubmitted:
            raise Conflict(ALREADY_SAVED) from None
        location = reverse("api:measurements", kwargs={"slug": slug, "pk": indicator.pk})
        return Response(
            s.MeasurementSerializer(measurement).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


def _idempotency_key(value: str) -> str:
    """The Idempotency-Key header: a UUID, said by its name when it is not one (a form's hidden token error
    would speak of reloading a page)."""
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise ValidationError(
            {
                "Idempotency-Key": [
                    "L’en-tête Idempotency-Key est un UUID, par exemple 0f8e4c1a-5b6d-4e7f-9a0b-1c2d3e4f5a6b."
                ]
            }
        ) from None


# --- Sessions and attendance --------------------------------------------------------------------------------


class SessionFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="session_sites__site__slug", label="Identifiant d’un site.")
    starts_after = django_filters.IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="gte", label="Sessions commençant à partir de (ISO 8601)."
    )
    starts_before = django_filters.IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="lt", label="Sessions commençant avant (ISO 8601)."
    )


class SessionMixin(ApiView):
    serializer_class = s.SessionSerializer

    def sessions(self):
        visible = self.sites().only("pk", "slug").order_by("name")
        queryset = session_services.with_list_data(access.api_sessions(self.request.user, self.key))
        return queryset.prefetch_related(Prefetch("sites", queryset=visible, to_attr="api_sites"))

    def get_session(self) -> Session:
        session = access.api_sessions(self.request.user, self.key).filter(pk=self.kwargs["pk"]).first()
        if session is None:
            raise Http404
        return session


@extend_schema(tags=["Sessions"], summary="Sessions", responses={200: s.SessionSerializer, **ERRORS})
class SessionList(SessionMixin, generics.ListAPIView):
    filterset_class = SessionFilter

    def get_queryset(self):
        return self.sessions().order_by("-starts_at", "-pk")

    def filter_queryset(self, queryset):
        # A session of several sites, filtered on one, stays one row.
        return super().filter_queryset(queryset).distinct()


@extend_schema(tags=["Sessions"], summary="Une session", responses={200: s.SessionSerializer, **ERRORS})
class SessionDetail(SessionMixin, generics.RetrieveAPIView):
    def get_object(self):
        session = self.sessions().filter(pk=self.kwargs["pk"]).first()
        if session is None:
            raise Http404
        return session


class ParticipantMixin(SessionMixin):
    serializer_class = s.ParticipantSerializer

    def participants(self, session):
        if not access.api_sees_participants(self.request.user, self.key, session):
            raise Http404
        rows = session.participants.select_related("user", "site").order_by("site__name", "name", "pk")
        if self.key is not None and self.key.scope != access.KEY_NATIONAL:
            rows = rows.filter(site__in=self.sites())  # a key sees the people of its sites only
        return rows


@extend_schema(
    tags=["Sessions"],
    summary="Personnes invitées et présences",
    responses={200: s.ParticipantSerializer, **ERRORS},
)
class ParticipantList(ParticipantMixin, generics.ListAPIView):
    queryset = Participant.objects.none()

    def get_queryset(self):
        return self.participants(self.get_session())


@extend_schema(
    tags=["Sessions"],
    summary="Noter une présence",
    description="Présente (true) ou absente (false). Répéter le même envoi ne change rien. Clé « lecture et "
    "saisie » seulement ; une session annulée ne change plus (409).",
    request=s.PresenceSerializer,
    responses={200: s.ParticipantSerializer, 400: PROBLEM, 409: PROBLEM, **ERRORS},
)
class Presence(ParticipantMixin):
    def post(self, request, pk, participant_pk):
        session = self.get_session()
        participant = get_object_or_404(self.participants(session), pk=participant_pk)
        body = s.PresenceSerializer(data=request.data)
        if not body.is_valid():
            raise ValidationError({"present": ["Indiquez « present » : true (présente) ou false (absente)."]})
        if session.is_cancelled:
            raise Conflict("Cette session est annulée : ses présences ne changent plus.")
        with audit.acting_as(None, label=key_label(self.key)):
            session_services.set_presence(participant, body.validated_data["present"], actor=None)
        participant = Participant.objects.select_related("user", "site").get(pk=participant.pk)
        return Response(s.ParticipantSerializer(participant).data)


# --- Bilans -------------------------------------------------------------------------------------------------


class ReportFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__slug", label="Identifiant d’un site.")
    wave = django_filters.NumberFilter(field_name="site__wave__number", label="Numéro de la vague.")
    region = django_filters.CharFilter(
        field_name="site__department__region__code", label="Code de la région."
    )


def published_reports(user, key):
    """Metadata and files only: not the frozen data each bilan was drawn from."""
    return (
        Report.objects.filter(
            kind=ReportKind.SITE, state=ReportState.DONE, site__in=access.api_report_sites(user, key)
        )
        .exclude(pdf="")
        .defer("snapshot")
    )


@extend_schema(
    tags=["Bilans"],
    summary="Bilans des sites publiés (métadonnées)",
    responses={200: s.ReportSerializer, **ERRORS},
)
class ReportList(ApiView, generics.ListAPIView):
    serializer_class = s.ReportSerializer
    filterset_class = ReportFilter

    def get_queryset(self):
        return (
            published_reports(self.request.user, self.key)
            .select_related("site")
            .order_by("-data_date", "-pk")
        )


@extend_schema(
    tags=["Bilans"],
    summary="Fichier PDF d’un bilan",
    responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERRORS},
)
class ReportFile(ApiView):
    def get(self, request, pk):
        report = published_reports(request.user, self.key).filter(pk=pk).first()
        if report is None or not default_storage.exists(report.pdf.name):
            raise Http404
        filename = report.pdf.name.rsplit("/", 1)[-1]
        return FileResponse(
            default_storage.open(report.pdf.name, "rb"),
            as_attachment=True,
            filename=filename,
            content_type="application/pdf",
        )


@login_not_required
def not_found(request, rest: str = ""):
    """Any other address under /api/v1/: a problem, not an HTML page."""
    return JsonResponse(
        problem_body(404, instance=request.path),
        status=404,
        content_type=CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
