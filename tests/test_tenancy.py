"""The tenancy walk: every URL of the platform is checked against every role, so that no site's data leaks.

Each URL pattern of our apps must have a rule below; a new URL without one fails
`test_every_url_pattern_has_a_tenancy_rule`. Site-scoped URLs are requested with another site's identifiers
by every role that may not see that site: they must answer 403 or 404 to GET and to POST, and change nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from collectives.enums import MemberRole
from evaluation.reports.enums import ReportState
from sites.models import Notification, Site
from tests.collectives.factories import InvitationFactory, agreement_for
from tests.evaluation.factories import ReportFactory, national_report

pytestmark = pytest.mark.every_database

DENIED = (403, 404)


@dataclass(frozen=True)
class Rule:
    # "public": anyone; "authenticated": any signed-in user, content filtered; "site": one site's data;
    # "national": national staff only (everybody else gets 403).
    # "sign_in_flow": a step of signing in (open to anonymous visitors, shows no site data, may be off: 404).
    kind: str
    kwargs: Callable = field(default=lambda w: {})
    # For "site" rules: kwargs that point at site A's URL but at another site's object (must be refused too).
    cross_kwargs: Callable | None = None
    # Text of site B that must not appear on the page for users who may not see site B.
    leak: Callable | None = None
    # Whether staff roles that read everything (steering) may POST here.
    steering_writes: bool = False
    # For "site" rules: staff roles that must get 200 on GET (write pages: national; POST-only: none).
    readers: tuple = ("national", "steering")


RULES: dict[str, Rule] = {
    "home": Rule("authenticated"),
    "legal_notice": Rule("public"),
    "accessibility": Rule("public"),
    "personal_data": Rule("public"),
    "health": Rule("public"),
    "audit_log": Rule("national"),
    "people": Rule("national"),
    "person": Rule("national", kwargs=lambda w: {"user_id": w.seat_holder_b.pk}),
    "person_export": Rule("national", kwargs=lambda w: {"user_id": w.seat_holder_b.pk}),
    "sites:list": Rule("authenticated", leak=lambda w: w.site_b.name),
    "sites:detail": Rule("site", kwargs=lambda w: {"site_slug": w.site_b.slug}),
    # National tracking: a site's lifecycle.
    "sites:status": Rule("site", kwargs=lambda w: {"site_slug": w.site_b.slug}),
    "sites:prerequisites": Rule("site", kwargs=lambda w: {"site_slug": w.site_b.slug}),
    "sites:journal": Rule("site", kwargs=lambda w: {"site_slug": w.site_b.slug}),
    # Account security: a person's own account (another person's session is refused in test_sessions.py),
    # and ProConnect's sign-in flow, which answers 404 while ProConnect is not configured.
    "security:account_security": Rule("authenticated"),
    "security:end_session": Rule("authenticated", kwargs=lambda w: {"session_id": 1}),
    "security:email": Rule("authenticated"),
    # The current session's clock (its own only: there is no session id to give).
    "security:session_state": Rule("authenticated"),
    "security:session_extend": Rule("authenticated"),
    "security:proconnect_login": Rule("sign_in_flow"),
    "security:proconnect_callback": Rule("sign_in_flow"),
    "security:proconnect_unknown": Rule("sign_in_flow"),
    "security:proconnect_logout": Rule("sign_in_flow"),
    "security:proconnect_logged_out": Rule("sign_in_flow"),
    # National tracking: the dashboard (national roles; CRPV facilitators restricted to their regions).
    "sites:dashboard": Rule("dashboard", leak=lambda w: w.site_b.name),
    # National tracking: the registrations import (national staff only; a preview is its uploader's only).
    "sites:import": Rule("national"),
    "sites:import_template": Rule("national"),
    "sites:import_preview": Rule("national", kwargs=lambda w: {"token": _registration_import(w).token}),
    "sites:dashboard_export": Rule(
        "dashboard", kwargs=lambda w: {"fmt": "csv"}, leak=lambda w: w.site_b.name
    ),
    # The help centre and the guide of the method (issue 18): every signed-in role, no site's data.
    "help:index": Rule("authenticated", leak=lambda w: w.site_b.name),
    "help:audience": Rule(
        "authenticated", kwargs=lambda w: {"audience": "crpv"}, leak=lambda w: w.site_b.name
    ),
    "help:topic": Rule("authenticated", kwargs=lambda w: {"key": "vision"}, leak=lambda w: w.site_b.name),
    "help:guide": Rule("authenticated"),
    # Open data (issue 19): public, no site's work, for every visitor (signed in or not).
    "opendata:index": Rule("public", leak=lambda w: w.seat_holder_b.email),
    "opendata:file": Rule(
        "public", kwargs=lambda w: _open_data_file(w), leak=lambda w: w.seat_holder_b.email
    ),
}


def _open_data_file(w) -> dict:
    """The registry's CSV of the latest open-data files (generated once)."""
    from evaluation.opendata import services

    if services.latest() is None:
        services.generate()
    return {"name": "sites.csv"}


# Collectives: objects of site B addressed through site B's URLs, and through site A's URLs (cross_kwargs).
def _membership_b(w):
    return w.site_b.memberships.get(user=w.seat_holder_b).pk


def _invitation_b(w):
    invitation = w.site_b.invitations.first() or InvitationFactory(site=w.site_b)
    return invitation.pk


def _agreement_b(w):
    return w.site_b.agreements.first() or agreement_for(w.site_b)


def _space_b(w):
    return _agreement_b(w).spaces.first().pk


def _b(**extra):
    return lambda w: {"site_slug": w.site_b.slug, **{k: v(w) if callable(v) else v for k, v in extra.items()}}


def _a_with_b(**extra):
    return lambda w: {"site_slug": w.site_a.slug, **{k: v(w) for k, v in extra.items()}}


WRITERS = ("national",)
RULES.update(
    {
        "collectives:members": Rule("site", kwargs=_b()),
        "collectives:membership_end": Rule(
            "site", kwargs=_b(pk=_membership_b), cross_kwargs=_a_with_b(pk=_membership_b), readers=WRITERS
        ),
        "collectives:handover_pack": Rule("site", kwargs=_b()),
        "collectives:invite": Rule("site", kwargs=_b(), readers=WRITERS),
        "collectives:handover": Rule(
            "site", kwargs=_b(seat=MemberRole.PREFECT_DELEGATE.value), readers=WRITERS
        ),
        "collectives:invitations": Rule("site", kwargs=_b(), readers=WRITERS),
        "collectives:invitation_resend": Rule(
            "site", kwargs=_b(pk=_invitation_b), cross_kwargs=_a_with_b(pk=_invitation_b), readers=()
        ),
        "collectives:invitation_revoke": Rule(
            "site", kwargs=_b(pk=_invitation_b), cross_kwargs=_a_with_b(pk=_invitation_b), readers=()
        ),
        # The invitee's link is public: its secret token is the credential (see test_invitations.py).
        "collectives:accept_invitation": Rule(
            "public", kwargs=lambda w: {"token": InvitationFactory(site=w.site_a).token}
        ),
        "collectives:agreement": Rule("site", kwargs=_b()),
        "collectives:agreement_section": Rule("site", kwargs=_b(part="principles"), readers=WRITERS),
        "collectives:space_add": Rule("site", kwargs=_b(), readers=WRITERS),
        "collectives:space_edit": Rule(
            "site", kwargs=_b(pk=_space_b), cross_kwargs=_a_with_b(pk=_space_b), readers=WRITERS
        ),
        "collectives:space_delete": Rule(
            "site", kwargs=_b(pk=_space_b), cross_kwargs=_a_with_b(pk=_space_b), readers=()
        ),
        "collectives:agreement_sign": Rule("site", kwargs=_b(), readers=()),
        "collectives:agreement_versions": Rule("site", kwargs=_b()),
        "collectives:agreement_version": Rule("site", kwargs=_b(number=lambda w: _agreement_b(w).number)),
        "collectives:agreement_pdf": Rule("site", kwargs=_b(number=lambda w: _agreement_b(w).number)),
        "collectives:backbone": Rule("site", kwargs=_b()),
        "collectives:backbone_role": Rule("site", kwargs=_b(role="vision"), readers=WRITERS),
    }
)


# Evaluation loop (issue 6): learning log, search.
def _learning_b(w):
    from tests.evaluation.factories import LearningFactory

    return (w.site_b.learnings.first() or LearningFactory(site=w.site_b, title="Secret de B")).pk


# Sessions (issue 7). A session of site B (in Hauts-de-France, which facilitator A does not cover) is site B's
# data: its pages refuse every outsider of B. Ids of site B's session, participants and outputs are also tried
# through site A's session and site A's URLs (cross_kwargs): refused too.
SESSION_B = "Session du quartier B"


def _session_b(w):
    from tests.sessions.factories import make_session

    return w.site_b.sessions.filter(title=SESSION_B).first() or make_session([w.site_b], title=SESSION_B)


def _session_a(w):
    from tests.sessions.factories import make_session

    return w.site_a.sessions.filter(title="Session du quartier A").first() or make_session(
        [w.site_a], title="Session du quartier A"
    )


def _session_b_pk(w):
    return _session_b(w).pk


def _a_session_with_b_output(w):
    return {"site_slug": w.site_a.slug, "pk": _session_a(w).pk, "output_pk": _output_b(w)}


def _participant_b(w):
    return _session_b(w).participants.first().pk


def _output_b(w):
    from tests.sessions.factories import make_output

    session = _session_b(w)
    return (session.outputs.first() or make_output(session, w.site_b)).pk


def _with_session_b(kwargs):
    """URL kwargs that do not name the session, after making sure site B has one (for the leak checks)."""
    return lambda w: (_session_b(w), kwargs)[1]


def _calendar_token(w):
    from collectives.sessions.calendar import create_feed

    return create_feed(w.seat_holder_a)[1]


# Reports (bilans): the archive lists what each user may download; national roll-ups and batches are for the
# national roles only; a site's bilans are looked up within the site of the URL (another site's id is a 404).
def _bilan_b(w):
    return ReportFactory(site=w.site_b, state=ReportState.DONE).pk


def _roll_up(w):
    return national_report(state=ReportState.DONE).pk


def _site_b_bilan(w):
    return {"site_slug": w.site_b.slug, "report_id": _bilan_b(w)}


def _site_a_with_bilan_of_b(w):
    return {"site_slug": w.site_a.slug, "report_id": _bilan_b(w)}


def _cycle_b(w):
    from tests.evaluation.factories import cycle_for

    return (w.site_b.evaluation_cycles.first() or cycle_for(w.site_b, title="Cycle secret de B")).pk


def _adjustment_b(w):
    from evaluation.models import Adjustment

    cycle = w.site_b.evaluation_cycles.get(pk=_cycle_b(w))
    adjustment = cycle.adjustment_items.first() or Adjustment.objects.create(
        cycle=cycle, site=w.site_b, kind="link"
    )
    return adjustment.pk


def _a_with_b_cycle_adjustment(w):
    from tests.evaluation.factories import cycle_for

    cycle_a = w.site_a.evaluation_cycles.first() or cycle_for(w.site_a, title="Cycle de A")
    return {"site_slug": w.site_a.slug, "pk": cycle_a.pk, "adjustment_pk": _adjustment_b(w)}


def _measurement_b(w):
    from evaluation.models import Indicator, Measurement

    indicator = Indicator.objects.get(pk=_indicator_b(w))
    found = indicator.measurements.first() or Measurement.objects.create(
        indicator=indicator, site=w.site_b, measured_on=indicator.baseline_on, value=1
    )
    return found.pk


def _a_with_b_measurement(w):
    from tests.evaluation.factories import indicator_for

    indicator_a = w.site_a.indicators.first() or indicator_for(w.site_a, name="Indicateur de A")
    return {"site_slug": w.site_a.slug, "pk": indicator_a.pk, "measurement_pk": _measurement_b(w)}


def _indicator_b(w):
    from tests.evaluation.factories import indicator_for

    return (w.site_b.indicators.first() or indicator_for(w.site_b)).pk


RULES.update(
    {
        "evaluation:learnings": Rule("site", kwargs=_b()),
        "evaluation:learning_add": Rule("site", kwargs=_b(), readers=WRITERS),
        "evaluation:learning_edit": Rule(
            "site", kwargs=_b(pk=_learning_b), cross_kwargs=_a_with_b(pk=_learning_b), readers=WRITERS
        ),
        "evaluation:indicators": Rule("site", kwargs=_b()),
        "evaluation:assessments": Rule("site", kwargs=_b()),
        "evaluation:assessment_add": Rule("site", kwargs=_b(), readers=WRITERS),
        "evaluation:cycles": Rule("site", kwargs=_b()),
        "evaluation:cycle_add": Rule("site", kwargs=_b(), readers=WRITERS),
        "evaluation:cycle_detail": Rule("site", kwargs=_b(pk=_cycle_b), cross_kwargs=_a_with_b(pk=_cycle_b)),
        "evaluation:cycle_edit": Rule(
            "site", kwargs=_b(pk=_cycle_b), cross_kwargs=_a_with_b(pk=_cycle_b), readers=WRITERS
        ),
        "evaluation:cycle_close": Rule(
            "site", kwargs=_b(pk=_cycle_b), cross_kwargs=_a_with_b(pk=_cycle_b), readers=()
        ),
        "evaluation:adjustment_add": Rule(
            "site", kwargs=_b(pk=_cycle_b), cross_kwargs=_a_with_b(pk=_cycle_b), readers=WRITERS
        ),
        "evaluation:adjustment_delete": Rule(
            "site",
            kwargs=lambda w: {
                "site_slug": w.site_b.slug,
                "pk": _cycle_b(w),
                "adjustment_pk": _adjustment_b(w),
            },
            cross_kwargs=_a_with_b_cycle_adjustment,
            readers=(),
        ),
        "evaluation:indicator_add": Rule("site", kwargs=_b(), readers=WRITERS),
        "evaluation:indicator_edit": Rule(
            "site", kwargs=_b(pk=_indicator_b), cross_kwargs=_a_with_b(pk=_indicator_b), readers=WRITERS
        ),
        "evaluation:measurement_edit": Rule(
            "site",
            kwargs=lambda w: {
                "site_slug": w.site_b.slug,
                "pk": _indicator_b(w),
                "measurement_pk": _measurement_b(w),
            },
            cross_kwargs=_a_with_b_measurement,
            readers=WRITERS,
        ),
        "evaluation:measurement_add": Rule(
            "site", kwargs=_b(pk=_indicator_b), cross_kwargs=_a_with_b(pk=_indicator_b), readers=WRITERS
        ),
        "evaluation:due": Rule("authenticated", leak=lambda w: w.site_b.name),
        "evaluation:digest_preferences": Rule("authenticated"),
        "evaluation:learning_search": Rule(
            "authenticated", kwargs=lambda w: {}, leak=lambda w: w.site_b.name
        ),
        # The platform's search (issue 18); tests/evaluation/test_search.py plants markers in every kind of
        # site B's data and searches for them as every role.
        "evaluation:search": Rule("authenticated", leak=lambda w: w.site_b.name),
        # The kwargs create a bilan of site B first, so that the leak check means something.
        "reports:archive": Rule(
            "authenticated", kwargs=lambda w: _bilan_b(w) and {}, leak=lambda w: w.site_b.name
        ),
        "reports:request": Rule("national_roles"),
        "reports:detail": Rule("national_roles", kwargs=lambda w: {"report_id": _roll_up(w)}),
        "reports:compare": Rule("national_roles", kwargs=lambda w: {"report_id": _roll_up(w)}),
        "reports:download": Rule("national_roles", kwargs=lambda w: {"report_id": _roll_up(w), "fmt": "pdf"}),
        "reports:site_reports": Rule("site", kwargs=lambda w: {"site_slug": w.site_b.slug}),
        "reports:site_detail": Rule("site", kwargs=_site_b_bilan, cross_kwargs=_site_a_with_bilan_of_b),
        "reports:site_compare": Rule("site", kwargs=_site_b_bilan, cross_kwargs=_site_a_with_bilan_of_b),
        "reports:site_download": Rule("site", kwargs=_site_b_bilan, cross_kwargs=_site_a_with_bilan_of_b),
    }
)


# Vision and change strategy: the workspace, diagram, history and comment threads are read by every reader of
# the site; forms are opened by national staff (the trinôme edits); POST-only actions have no reader.
RULES.update(
    {
        "vision:workspace": Rule("site", kwargs=lambda w: _vision_b(w, "slug")),
        "vision:diagram": Rule("site", kwargs=lambda w: _vision_b(w, "slug")),
        "vision:diagram_svg": Rule("site", kwargs=lambda w: _vision_b(w, "slug")),
        "vision:history": Rule("site", kwargs=lambda w: _vision_b(w, "slug")),
        "vision:compare": Rule("site", kwargs=lambda w: _vision_b(w, "slug")),
        "vision:revision": Rule("site", kwargs=lambda w: _vision_b(w, "slug", "number")),
        "vision:vision_comments": Rule("site", kwargs=lambda w: _vision_b(w, "slug")),
        "vision:change_comments": Rule(
            "site",
            kwargs=lambda w: _vision_b(w, "slug", "change_id"),
            cross_kwargs=lambda w: _vision_x(w, "change_id"),
        ),
        **{
            f"vision:{name}": Rule("site", kwargs=lambda w: _vision_b(w, "slug"), readers=WRITERS)
            for name in ("statement", "narrative", "factor_add", "change_add", "action_add")
        },
        **{
            f"vision:{name}": Rule("site", kwargs=lambda w: _vision_b(w, "slug"), readers=())
            for name in ("statement_hints", "approve", "withdraw")
        },
        "vision:restore": Rule("site", kwargs=lambda w: _vision_b(w, "slug", "number"), readers=()),
        **{
            f"vision:{name}": Rule(
                "site",
                kwargs=lambda w, key=key: _vision_b(w, "slug", key),
                cross_kwargs=lambda w, key=key: _vision_x(w, key),
                readers=readers,
            )
            for name, key, readers in (
                ("factor_edit", "factor_id", WRITERS),
                ("factor_delete", "factor_id", ()),
                ("factor_move", "factor_id", ()),
                ("change_edit", "change_id", WRITERS),
                ("change_links", "change_id", WRITERS),
                ("change_delete", "change_id", ()),
                ("change_move", "change_id", ()),
                ("action_edit", "action_id", WRITERS),
                ("action_delete", "action_id", ()),
                ("comment_resolve", "comment_id", ()),
            )
        },
        "sessions:list": Rule("authenticated", kwargs=_with_session_b({}), leak=lambda w: SESSION_B),
        "sessions:plan": Rule("planner", leak=lambda w: w.site_b.name),
        "sessions:calendar": Rule("authenticated"),
        # The calendar feed is public: its secret token is the credential (tests/sessions/test_calendar.py).
        "sessions:calendar_feed": Rule("public", kwargs=lambda w: {"token": _calendar_token(w)}),
        "sessions:coaching": Rule("dashboard", kwargs=_with_session_b({}), leak=lambda w: w.site_b.name),
        "sessions:detail": Rule("site", kwargs=lambda w: {"pk": _session_b(w).pk}),
        "sessions:edit": Rule("site", kwargs=lambda w: {"pk": _session_b(w).pk}, readers=WRITERS),
        "sessions:cancel": Rule("site", kwargs=lambda w: {"pk": _session_b(w).pk}, readers=WRITERS),
        "sessions:attendance": Rule("site", kwargs=lambda w: {"pk": _session_b(w).pk}, readers=WRITERS),
        "sessions:mark": Rule(
            "site",
            kwargs=lambda w: {"pk": _session_b(w).pk, "participant_pk": _participant_b(w)},
            cross_kwargs=lambda w: {"pk": _session_a(w).pk, "participant_pk": _participant_b(w)},
            readers=(),
        ),
        "sessions:guest_add": Rule("site", kwargs=lambda w: {"pk": _session_b(w).pk}, readers=WRITERS),
        "sessions:participant_remove": Rule(
            "site",
            kwargs=lambda w: {"pk": _session_b(w).pk, "participant_pk": _participant_b(w)},
            cross_kwargs=lambda w: {"pk": _session_a(w).pk, "participant_pk": _participant_b(w)},
            readers=(),
        ),
        "sessions:sign_in_sheet": Rule("site", kwargs=lambda w: {"pk": _session_b(w).pk}, readers=WRITERS),
        "sessions:continuum": Rule("site", kwargs=lambda w: {"pk": _session_b(w).pk}),
        "sessions:continuum_open": Rule("site", kwargs=lambda w: {"pk": _session_b(w).pk}, readers=()),
        "sessions:continuum_close": Rule("site", kwargs=lambda w: {"pk": _session_b(w).pk}, readers=()),
        "sessions:site_sessions": Rule("site", kwargs=_b()),
        "sessions:site_continuum": Rule(
            "site", kwargs=_b(pk=_session_b_pk), cross_kwargs=_a_with_b(pk=_session_b_pk)
        ),
        "sessions:site_outputs": Rule(
            "site", kwargs=_b(pk=_session_b_pk), cross_kwargs=_a_with_b(pk=_session_b_pk)
        ),
        "sessions:site_output": Rule(
            "site",
            kwargs=_b(pk=_session_b_pk, output_pk=_output_b),
            cross_kwargs=_a_session_with_b_output,
            readers=WRITERS,
        ),
        "sessions:site_output_delete": Rule(
            "site",
            kwargs=_b(pk=_session_b_pk, output_pk=_output_b),
            cross_kwargs=_a_session_with_b_output,
            readers=(),
        ),
    }
)


# Notifications (issue 18): a person's own. The list's kwargs plant site B's notifications addressed to every
# role, as if each had once seen site B: only those who may see it now read them (the leak check). Opening or
# marking another person's notification is a 404 to everyone else ("personal").
SECRET_NOTE = "Notification secrète de B"


def _plant_notifications(w) -> dict:
    from sites import notifications
    from sites.enums import NotificationKind

    roles = ("national", "steering", "facilitator_a", "seat_holder_a", "partner_a", "outsider")
    people = [getattr(w, role, None) for role in roles]  # the layout check's world has fewer people
    notifications.notify(NotificationKind.COMMENT, people, title=SECRET_NOTE, url="/", site=w.site_b)
    return {}


def _note_of_b(w) -> dict:
    from sites import notifications
    from sites.enums import NotificationKind

    [note] = notifications.notify(
        NotificationKind.COMMENT, [w.seat_holder_b], title=SECRET_NOTE, url="/", site=w.site_b
    )
    return {"pk": note.pk}


RULES.update(
    {
        "notifications:list": Rule("authenticated", kwargs=_plant_notifications, leak=lambda w: SECRET_NOTE),
        "notifications:read_all": Rule("authenticated"),
        "notifications:preferences": Rule("authenticated"),
        "notifications:open": Rule("personal", kwargs=_note_of_b),
        "notifications:read": Rule("personal", kwargs=_note_of_b),
    }
)


def _vision_objects(w) -> dict:
    """Site B's vision document (one of each editable item), created once per test."""
    from vision import services
    from vision.models import Change, Revision

    site, user = w.site_b, w.seat_holder_b
    if not Revision.objects.filter(site=site).exists():
        services.save_statement(site, user, expected_version=1, statement="Vision de B", horizon_year=2045)
        services.add_factor(site, user, kind="positive", text="Facteur de B")
        change = services.add_change(
            site, user, level="direct", register="knowledge", title="Changement de B"
        )
        services.add_action(site, user, name="Action de B", lead_organisation="Asso B", status="planned")
        services.add_comment(site, user, body="Commentaire de B", change=change)
    change = Change.objects.filter(site=site).first()
    return {
        "factor_id": site.context_factors.first().pk,
        "change_id": change.pk,
        "action_id": site.partner_actions.first().pk,
        "comment_id": site.vision_comments.first().pk,
        "number": 1,
    }


def _vision_b(w, *names) -> dict:
    objects = _vision_objects(w)
    return {
        ("site_slug" if n == "slug" else n): (w.site_b.slug if n == "slug" else objects[n]) for n in names
    }


def _vision_x(w, name) -> dict:
    """Site A's URL with the id of site B's object: refused even to those who may act on site A."""
    return {"site_slug": w.site_a.slug, name: _vision_objects(w)[name]}


# The partner API (issue 19): every endpoint for every role (a signed-in session reads with its own rights)
# and every key scope. "api_object": site B's data, refused (404, or 403/405 before any lookup) to the
# outsiders of B; "api_list": lists that must not show site B to them; both 401 to anonymous visitors and
# revoked keys.
def _api_indicator_b(w):
    return {"slug": w.site_b.slug, "pk": _indicator_b(w)}


def _api_presence_b(w):
    return {"pk": _session_b_pk(w), "participant_pk": _participant_b(w)}


def _api_bilans_b(w):
    return (_bilan_b(w), {})[1]


RULES.update(
    {
        "api:waves": Rule("api_list"),
        "api:regions": Rule("api_list"),
        "api:sites": Rule("api_list", leak=lambda w: w.site_b.name),
        "api:sessions": Rule("api_list", kwargs=_with_session_b({}), leak=lambda w: SESSION_B),
        "api:reports": Rule("api_list", kwargs=_api_bilans_b, leak=lambda w: w.site_b.name),
        "api:site": Rule("api_object", kwargs=lambda w: {"slug": w.site_b.slug}),
        "api:site_vision": Rule("api_object", kwargs=lambda w: {"slug": w.site_b.slug}),
        "api:indicators": Rule("api_object", kwargs=lambda w: {"slug": w.site_b.slug}),
        "api:measurements": Rule("api_object", kwargs=_api_indicator_b),
        "api:session": Rule("api_object", kwargs=lambda w: {"pk": _session_b_pk(w)}),
        "api:participants": Rule("api_object", kwargs=lambda w: {"pk": _session_b_pk(w)}),
        "api:presence": Rule("api_object", kwargs=_api_presence_b, readers=()),  # POST only
        "api:report_file": Rule("api_object", kwargs=lambda w: {"pk": _bilan_b(w)}),
        # The schema and its documentation describe the API, no data.
        "api:schema": Rule("public"),
        "api:docs": Rule("public"),
        "api:not_found": Rule("api_fallback", kwargs=lambda w: {"rest": "nulle-part/"}),
        # The keys' page: national staff issue and revoke keys.
        "api_keys": Rule("national"),
        "api_key_revoke": Rule("national_action", kwargs=lambda w: {"pk": _any_api_key(w)}),
    }
)


def _any_api_key(w):
    from sites import apikeys

    return apikeys.issue(organisation="Partenaire", scope="national", role="read", by=w.national)[0].pk


def _registration_import(world):
    """A pending import of the template file plus one wrong line: its preview shows rows and an error."""
    from collectives.services import registrations

    wrong = "Quartier inconnu;QPV;Nulle-part;999;;Léa;Petit;pas-une-adresse;Trésorière;Association"
    content = f"{registrations.template_csv().rstrip()}\r\n{wrong}\r\n".encode()
    return registrations.stash(content, "inscriptions.csv", world.site_a.wave, "registering", world.national)


# Third-party URL sets that are not site data: allauth's pages act on the signed-in person's own account,
# and the admin is reserved to national staff (tested in test_admin_is_reserved_to_national_staff).
THIRD_PARTY_MODULES = ("allauth.", "django.contrib.admin.")


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _walk(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern):
            yield prefix, entry


def _our_url_names():
    names = set()
    for prefix, pattern in _walk(get_resolver().url_patterns):
        module = getattr(pattern.callback, "__module__", "")
        if module.startswith(THIRD_PARTY_MODULES) or prefix.startswith("admin:"):
            continue
        assert pattern.name, f"URL {pattern.pattern} of {module} has no name: name it and add a tenancy rule"
        names.add(prefix + pattern.name)
    return names


def test_every_url_pattern_has_a_tenancy_rule():
    names = _our_url_names()
    missing = sorted(names - RULES.keys())
    stale = sorted(RULES.keys() - names)
    assert not missing, f"URLs without a tenancy rule in tests/test_tenancy.py: {missing}"
    assert not stale, f"Tenancy rules for URLs that no longer exist: {stale}"


def _rules(kind):
    return [pytest.param(name, rule, id=name) for name, rule in RULES.items() if rule.kind == kind]


OUTSIDERS_OF_B = ["seat_holder_a", "partner_a", "facilitator_a", "outsider"]


@pytest.mark.parametrize(("name", "rule"), _rules("site"))
@pytest.mark.parametrize("role", OUTSIDERS_OF_B)
def test_site_urls_refuse_users_of_other_sites(client, world, name, rule, role):
    world.login(client, getattr(world, role))
    before = Site.objects.get(pk=world.site_b.pk).updated_at
    url = reverse(name, kwargs=rule.kwargs(world))
    assert client.get(url).status_code in DENIED
    assert client.post(url, {"name": "Piraté", "site": world.site_a.pk}).status_code in DENIED
    assert Site.objects.get(pk=world.site_b.pk).updated_at == before
    if rule.cross_kwargs:
        cross = reverse(name, kwargs=rule.cross_kwargs(world))
        assert client.get(cross).status_code in DENIED
        assert client.post(cross, {}).status_code in DENIED


@pytest.mark.parametrize(("name", "rule"), _rules("site"))
def test_site_urls_ask_anonymous_visitors_to_sign_in(client, world, name, rule):
    response = client.get(reverse(name, kwargs=rule.kwargs(world)))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def _readers(kind):
    return [
        pytest.param(name, rule, role, id=f"{name}-{role}")
        for name, rule in RULES.items()
        if rule.kind == kind
        for role in rule.readers
    ]


@pytest.mark.parametrize(("name", "rule", "role"), _readers("site"))
def test_site_urls_are_readable_by_national_roles(client, world, name, rule, role):
    world.login(client, getattr(world, role))
    assert client.get(reverse(name, kwargs=rule.kwargs(world))).status_code == 200


@pytest.mark.parametrize(
    ("name", "rule"), [p for p in _rules("site") if "steering" not in p.values[1].readers]
)
def test_steering_committee_changes_nothing(client, world, name, rule):
    """The steering committee reads every site but may not use a site's write pages."""
    world.login(client, world.steering)
    url = reverse(name, kwargs=rule.kwargs(world))
    assert client.get(url).status_code in (403, 405)
    assert client.post(url, {"version": "1", "text": "Piraté", "name": "Piraté"}).status_code in (403, 405)


@pytest.mark.parametrize(("name", "rule"), _rules("authenticated"))
def test_authenticated_urls_ask_anonymous_visitors_to_sign_in(client, world, name, rule):
    response = client.get(reverse(name, kwargs=rule.kwargs(world)))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "rule"), [p for p in _rules("authenticated") if p.values[1].leak])
@pytest.mark.parametrize("role", OUTSIDERS_OF_B)
def test_shared_pages_do_not_show_other_sites(client, world, name, rule, role):
    world.login(client, getattr(world, role))
    response = client.get(reverse(name, kwargs=rule.kwargs(world)), follow=True)
    assert response.status_code == 200
    assert rule.leak(world) not in response.content.decode()


@pytest.mark.parametrize(("name", "rule"), _rules("national"))
@pytest.mark.parametrize("role", ["steering", "facilitator_a", "seat_holder_a", "partner_a", "outsider"])
def test_national_only_urls_refuse_every_other_role(client, world, name, rule, role):
    world.login(client, getattr(world, role))
    url = reverse(name, kwargs=rule.kwargs(world))
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code in (403, 405)


@pytest.mark.parametrize(("name", "rule"), _rules("personal"))
@pytest.mark.parametrize(
    "role", ["national", "steering", "facilitator_a", "seat_holder_a", "partner_a", "outsider", None]
)
def test_personal_urls_are_their_owners_only(client, world, name, rule, role):
    url = reverse(name, kwargs=rule.kwargs(world))
    if role is None:
        assert client.get(url).url.startswith(reverse("account_login"))
        return
    world.login(client, getattr(world, role))
    assert client.get(url).status_code in (404, 405)
    assert client.post(url).status_code in (404, 405)
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    world.login(client, world.seat_holder_b)
    assert client.get(url).status_code in (302, 405)


@pytest.mark.parametrize(("name", "rule"), _rules("national"))
def test_national_only_urls_open_to_national_staff(client, world, name, rule):
    world.login(client, world.national)
    assert client.get(reverse(name, kwargs=rule.kwargs(world))).status_code == 200


@pytest.mark.parametrize(("name", "rule"), _rules("sign_in_flow"))
@pytest.mark.parametrize("role", [None, "seat_holder_a"])
def test_sign_in_flow_urls_show_no_site_data(client, world, name, rule, role):
    if role:
        world.login(client, getattr(world, role))
    url = reverse(name, kwargs=rule.kwargs(world))
    for response in (client.get(url), client.post(url)):
        assert response.status_code in (302, 404, 405)
        assert world.site_a.name not in response.content.decode()
        assert world.site_b.name not in response.content.decode()


@pytest.mark.parametrize(("name", "rule"), _rules("public"))
def test_public_urls_open_to_anonymous_visitors(client, world, name, rule):
    response = client.get(reverse(name, kwargs=rule.kwargs(world)))
    assert response.status_code == 200
    if rule.leak:  # public pages that show data: nothing personal
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert rule.leak(world).encode() not in body


@pytest.mark.parametrize("role", ["steering", "facilitator_a", "seat_holder_a", "partner_a", "outsider"])
def test_admin_is_reserved_to_national_staff(client, world, role):
    world.login(client, getattr(world, role))
    # The admin sends non-staff to its login page, which refuses a signed-in non-staff person.
    assert client.get(reverse("admin:index"), follow=True).status_code == 403
    assert client.get(reverse("admin:sites_site_changelist"), follow=True).status_code == 403


def test_admin_open_to_national_staff(client, world):
    world.login(client, world.national)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:sites_site_changelist")).status_code == 200
    assert client.get(reverse("admin:sites_site_change", args=[world.site_b.pk])).status_code == 200


# "dashboard": national staff and the steering committee see every site, a CRPV facilitator the sites of their
# centre's regions only; site members are refused.
@pytest.mark.parametrize(("name", "rule"), _rules("dashboard"))
@pytest.mark.parametrize("role", ["seat_holder_a", "partner_a", "outsider"])
def test_dashboard_urls_refuse_site_members(client, world, name, rule, role):
    world.login(client, getattr(world, role))
    assert client.get(reverse(name, kwargs=rule.kwargs(world))).status_code == 403


@pytest.mark.parametrize(("name", "rule"), _rules("dashboard"))
def test_dashboard_urls_ask_anonymous_visitors_to_sign_in(client, world, name, rule):
    response = client.get(reverse(name, kwargs=rule.kwargs(world)))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "rule"), _rules("dashboard"))
@pytest.mark.parametrize("role", ["national", "steering"])
def test_dashboard_urls_show_every_site_to_national_roles(client, world, name, rule, role):
    world.login(client, getattr(world, role))
    response = client.get(reverse(name, kwargs=rule.kwargs(world)))
    assert response.status_code == 200
    assert rule.leak(world) in response.content.decode("utf-8-sig")


@pytest.mark.parametrize(("name", "rule"), _rules("dashboard"))
def test_dashboard_urls_show_a_facilitator_only_their_regions(client, world, name, rule):
    world.login(client, world.facilitator_a)
    response = client.get(reverse(name, kwargs=rule.kwargs(world)))
    assert response.status_code == 200
    content = response.content.decode("utf-8-sig")
    assert world.site_a.name in content
    assert rule.leak(world) not in content


@pytest.mark.parametrize(("name", "rule"), _rules("national"))
def test_national_only_urls_ask_anonymous_visitors_to_sign_in(client, world, name, rule):
    response = client.get(reverse(name, kwargs=rule.kwargs(world)))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# "planner": national staff and CRPV facilitators plan sessions, a facilitator being offered the sites of
# their centre's regions only; the steering committee and site members are refused.
@pytest.mark.parametrize(("name", "rule"), _rules("planner"))
@pytest.mark.parametrize("role", ["steering", "seat_holder_a", "partner_a", "outsider"])
def test_planner_urls_refuse_everyone_but_planners(client, world, name, rule, role):
    world.login(client, getattr(world, role))
    url = reverse(name, kwargs=rule.kwargs(world))
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Piraté", "sites": [world.site_b.pk]}).status_code == 403


@pytest.mark.parametrize(("name", "rule"), _rules("planner"))
def test_planner_urls_ask_anonymous_visitors_to_sign_in(client, world, name, rule):
    response = client.get(reverse(name, kwargs=rule.kwargs(world)))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "rule"), _rules("planner"))
def test_planner_urls_offer_a_facilitator_only_their_regions(client, world, name, rule):
    world.login(client, world.facilitator_a)
    content = client.get(reverse(name, kwargs=rule.kwargs(world))).content.decode()
    assert world.site_a.name in content
    assert rule.leak(world) not in content
    client.logout()
    world.login(client, world.national)
    assert client.get(reverse(name, kwargs=rule.kwargs(world))).status_code == 200


# "national_roles": national staff and the steering committee (national roll-ups and batches of bilans).
@pytest.mark.parametrize(("name", "rule"), _rules("national_roles"))
@pytest.mark.parametrize("role", ["facilitator_a", "seat_holder_a", "partner_a", "outsider"])
def test_national_roles_urls_refuse_every_other_role(client, world, name, rule, role):
    world.login(client, getattr(world, role))
    url = reverse(name, kwargs=rule.kwargs(world))
    assert client.get(url).status_code == 403
    assert client.post(url, {"kind": "national"}).status_code in (403, 405)


@pytest.mark.parametrize(("name", "rule"), _rules("national_roles"))
@pytest.mark.parametrize("role", ["national", "steering"])
def test_national_roles_urls_open_to_national_roles(client, world, name, rule, role):
    world.login(client, getattr(world, role))
    assert client.get(reverse(name, kwargs=rule.kwargs(world))).status_code == 200


@pytest.mark.parametrize(("name", "rule"), _rules("national_roles"))
def test_national_roles_urls_ask_anonymous_visitors_to_sign_in(client, world, name, rule):
    response = client.get(reverse(name, kwargs=rule.kwargs(world)))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# Public pages of the collectives (issue 19): the index and a published site's page are anyone's (the "public"
# walk reads them as anonymous visitors); a site's page before publication or once withdrawn is a 404 to
# everyone who may not read the site, signed in or not, and a preview to those who may.
def _published_b(w) -> str:
    from django.utils import timezone

    from vision.models import Publication

    if not Publication.objects.filter(site=w.site_b, published_at__isnull=False, ended_at=None).exists():
        now = timezone.now()
        Publication.objects.create(site=w.site_b, number=1, proposed_at=now, published_at=now)
    return w.site_b.slug


RULES.update(
    {
        "public:index": Rule("public", leak=lambda w: w.site_a.name),
        "public:site": Rule("public", kwargs=lambda w: {"slug": _published_b(w)}),
        **{
            f"vision:publication_{act}": Rule("site", kwargs=_b(), readers=())
            for act in ("propose", "approve", "unpublish")
        },
    }
)

EVERY_ROLE = [
    "national", "steering", "facilitator_a", "seat_holder_a", "partner_a", "seat_holder_b", "outsider"
]  # fmt: skip


@pytest.mark.parametrize("role", [None, *EVERY_ROLE])
def test_public_pages_of_sites_follow_their_publication(client, world, role):
    if role:
        world.login(client, getattr(world, role))
    index, page = reverse("public:index"), reverse("public:site", kwargs={"slug": world.site_b.slug})
    unpublished = client.get(page)
    reads_b = role in ("national", "steering", "seat_holder_b")
    assert unpublished.status_code == (200 if reads_b else 404)
    assert world.site_b.name not in client.get(index).content.decode()
    _published_b(world)
    assert client.get(page).status_code == 200
    content = client.get(index).content.decode()
    assert world.site_b.name in content and world.site_a.name not in content
    # Preview pages are never indexed, published ones are.
    assert ('name="robots"' in unpublished.content.decode()) is reads_b


# --- The partner API (issue 19) -----------------------------------------------------------------------------
API_OUTSIDERS_OF_B = [*OUTSIDERS_OF_B, "key:crpv_a", "key:site_a", "key:site_a_read"]


def _api_client(client, world, keys, who):
    """The client of a role (signed in) or of a key scope ("key:<scope>"), or anonymous (None)."""
    if who is None:
        return {}
    if who.startswith("key:"):
        return {"HTTP_AUTHORIZATION": f"Bearer {getattr(keys, who[4:])}"}
    world.login(client, getattr(world, who))
    return {}


def _api_unchanged(world):
    from collectives.sessions.models import Participant
    from evaluation.models import Measurement

    return Measurement.objects.count(), Participant.objects.filter(present=True).count()


@pytest.mark.parametrize(("name", "rule"), _rules("api_object"))
@pytest.mark.parametrize("who", API_OUTSIDERS_OF_B)
def test_api_objects_of_site_b_are_refused_to_its_outsiders(client, world, keys, name, rule, who):
    url, headers = reverse(name, kwargs=rule.kwargs(world)), _api_client(client, world, keys, who)
    before = _api_unchanged(world)
    for response in (
        client.get(url, **headers),
        client.post(
            url, {"measured_on": "2026-03-01", "value": 1, "present": True}, "application/json", **headers
        ),
    ):
        assert response.status_code in (403, 404, 405), response.content
        assert response["Content-Type"] == "application/problem+json"
        assert world.site_b.name not in response.content.decode()
    assert client.get(url, **headers).status_code == (405 if name == "api:presence" else 404)
    assert _api_unchanged(world) == before


@pytest.mark.parametrize(("name", "rule"), _rules("api_object") + _rules("api_list"))
@pytest.mark.parametrize("who", [None, "key:revoked"])
def test_api_answers_401_without_a_valid_key(client, world, keys, name, rule, who):
    url, headers = reverse(name, kwargs=rule.kwargs(world)), _api_client(client, world, keys, who)
    for response in (client.get(url, **headers), client.post(url, {}, "application/json", **headers)):
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("name", "rule", "who"),
    [
        pytest.param(name, rule, who, id=f"{name}-{who}")
        for name, rule in RULES.items()
        if rule.kind in ("api_object", "api_list") and rule.readers
        for who in ("national", "steering", "key:national")
    ],
)
def test_api_is_read_in_full_by_national_roles_and_keys(client, world, keys, name, rule, who):
    url, headers = reverse(name, kwargs=rule.kwargs(world)), _api_client(client, world, keys, who)
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    if rule.leak:
        assert rule.leak(world) in response.content.decode()


@pytest.mark.parametrize(("name", "rule"), [p for p in _rules("api_list") if p.values[1].leak])
@pytest.mark.parametrize("who", API_OUTSIDERS_OF_B)
def test_api_lists_do_not_show_other_sites(client, world, keys, name, rule, who):
    url, headers = reverse(name, kwargs=rule.kwargs(world)), _api_client(client, world, keys, who)
    response = client.get(url, **headers)
    assert response.status_code == 200
    assert rule.leak(world) not in response.content.decode()


@pytest.mark.parametrize(("name", "rule"), _rules("api_fallback"))
@pytest.mark.parametrize("who", [None, "national", "key:national"])
def test_other_api_addresses_are_404_problems(client, world, keys, name, rule, who):
    response = client.get(reverse(name, kwargs=rule.kwargs(world)), **_api_client(client, world, keys, who))
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(("name", "rule"), _rules("national_action"))
@pytest.mark.parametrize(
    "role", [None, "steering", "facilitator_a", "seat_holder_a", "partner_a", "outsider", "national"]
)
def test_national_actions_are_national_staff_s_only(client, world, name, rule, role):
    from sites.models import ApiKey

    url = reverse(name, kwargs=rule.kwargs(world))
    if role:
        world.login(client, getattr(world, role))
    response = client.post(url)
    if role is None:
        assert response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == (302 if role == "national" else 403)
    assert ApiKey.objects.filter(revoked_at__isnull=False).exists() == (role == "national")
