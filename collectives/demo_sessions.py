# ruff: noqa: E501  (demo texts read better unwrapped)
"""Demo data of the sessions: Labo Cités' regional modules with three Saint-Étienne-area sites (one past, with
its attendance and continuum exercise, one to come), coaching at Saint-Étienne and Montreynaud, a webinar and
the wave 3 national training day.

Dates are relative to the day the demo is loaded. Idempotent: a session already present (same title) is left
as it is, since the demo may have been used since.
"""

import datetime as dt

from django.utils import timezone

from evaluation.enums import ContinuumLevel
from sites.models import Site

from .enums import SessionKind
from .models import Session, User
from .services import exercises, sessions

FACILITATOR = "crpv@demo.qic.fr"
NATIONAL = "national@demo.qic.fr"
MODULE_SITES = ["saint-etienne", "saint-etienne-montreynaud", "saint-etienne-tarentaize-beaubrun"]

PAST_MODULE = "Module régional 2 — vision et stratégie de changement"
NEXT_MODULE = "Module régional 3 — l’entente de coopération"

AGENDA_PAST = """- Accueil et tour de table des trois sites
- Exercice : l’échelle de la coopération (chaque site se positionne et partage ses avancées)
- La vision commune : une phrase concise, claire, optimiste et inspirante
- La stratégie de changement : changements directs, intermédiaires, ultime
- Ce que chacun rapporte à son collectif"""

AGENDA_NEXT = """- Retour sur les avancées depuis le module 2
- Exercice : le continuum de la coopération, où en est chaque site ?
- Exercice : prototyper une entente de coopération idéale (principes, lieux, pouvoir, communication, talents)
- Les sept rôles de la structure de soutien : qui les porte chez vous ?
- Prochaines étapes et dates d’accompagnement"""

ANSWERS = {
    "saint-etienne": (
        ContinuumLevel.COORDINATION,
        "Le comité des partenaires se réunit chaque mois depuis janvier ; la Ville et le centre social ont aligné leurs calendriers d’actions jeunesse.",
    ),
    "saint-etienne-montreynaud": (
        ContinuumLevel.ASSISTANCE,
        "Des coups de main entre structures autour de la fête de quartier, mais pas encore de lieu commun pour décider.",
    ),
    "saint-etienne-tarentaize-beaubrun": (
        ContinuumLevel.COMMUNICATION,
        "Nous avons enfin une liste de diffusion commune et une première réunion à trois.",
    ),
}

OUTPUT = (
    "Notes de travail — vision",
    "- Première formulation : « En 2035, à Saint-Étienne, chaque jeune trouve sa place et ses voisins le savent. »\n- À tester avec le conseil citoyen avant la rencontre du collectif.\n- Facteurs positifs : un tissu associatif dense ; facteurs négatifs : la rotation des équipes.",
)


def _at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _plan(
    user,
    *,
    kind,
    title,
    days,
    start,
    end,
    region,
    sites,
    place="",
    online_url="",
    agenda="",
    notes="",
    reason="",
):
    existing = Session.objects.filter(title=title).first()
    if existing is not None:
        return existing, False
    plan = sessions.Plan(
        kind=kind,
        title=title,
        starts_at=_at(days, *start),
        ends_at=_at(days, *end),
        region=region,
        sites=sites,
        facilitators=[user],
        place=place,
        online_url=online_url,
        agenda=agenda,
        notes=notes,
        overbooking_reason=reason,
    )
    return sessions.plan_session(user, plan), True


def seed(stdout=None) -> None:
    facilitator = User.objects.filter(email=FACILITATOR).first()
    national = User.objects.filter(email=NATIONAL).first()
    sites = {
        s.slug: s for s in Site.objects.filter(slug__in=MODULE_SITES).select_related("department__region")
    }
    if facilitator is None or national is None or len(sites) != len(MODULE_SITES):
        return
    region = sites["saint-etienne"].department.region
    trio = [sites[slug] for slug in MODULE_SITES]
    place = "Maison de quartier de Montreynaud, 12 rue de l’Éternité, Saint-Étienne"

    past, created = _plan(
        facilitator,
        kind=SessionKind.REGIONAL_MODULE,
        title=PAST_MODULE,
        days=-35,
        start=(9, 30),
        end=(16, 30),
        region=region,
        sites=trio,
        place=place,
        agenda=AGENDA_PAST,
        notes="Salle polyvalente au rez-de-chaussée ; prévoir le paperboard et les gommettes pour l’échelle de coopération.",
    )
    if created:
        for participant in past.participants.select_related("user")[:7]:
            sessions.set_presence(participant, True, actor=facilitator, now=past.starts_at)
        exercises.open_continuum(past, user=facilitator)
        for slug, (level, moved_by) in ANSWERS.items():
            seat = sites[slug].memberships.current().seats().select_related("user").first()
            exercises.answer_continuum(
                past,
                sites[slug],
                level=level,
                moved_by=moved_by,
                user=seat.user if seat else facilitator,
                expected_version=0,
            )
        exercises.close_continuum(past, user=facilitator, now=past.ends_at)
        trinome = User.objects.filter(email="trinome@demo.qic.fr").first() or facilitator
        exercises.add_output(past, sites["saint-etienne"], title=OUTPUT[0], text=OUTPUT[1], user=trinome)

    _plan(
        facilitator,
        kind=SessionKind.SITE_COACHING,
        title="Accompagnement — préparer la rencontre du collectif",
        days=-14,
        start=(14, 0),
        end=(16, 0),
        region=region,
        sites=[sites["saint-etienne"]],
        place="Centre social de Montreynaud, Saint-Étienne",
        agenda="- Relire la vision avec le trinôme\n- Préparer l’ordre du jour de la rencontre du collectif",
    )
    _plan(
        facilitator,
        kind=SessionKind.WEBINAR,
        title="Webinaire — mesurer ses changements sans s’épuiser",
        days=-7,
        start=(11, 0),
        end=(12, 0),
        region=region,
        sites=trio,
        online_url="https://webinaire.numerique.gouv.fr/meeting/signin/qic-mesure",
    )
    _plan(
        facilitator,
        kind=SessionKind.SITE_COACHING,
        title="Accompagnement — lancer la démarche à Montreynaud",
        days=5,
        start=(9, 30),
        end=(11, 30),
        region=region,
        sites=[sites["saint-etienne-montreynaud"]],
        place="Mairie annexe de Montreynaud, Saint-Étienne",
    )
    _plan(
        facilitator,
        kind=SessionKind.REGIONAL_MODULE,
        title=NEXT_MODULE,
        days=12,
        start=(9, 30),
        end=(16, 30),
        region=region,
        sites=trio,
        place=place,
        agenda=AGENDA_NEXT,
        notes="Déjeuner sur place ; confirmer les effectifs au traiteur trois jours avant.",
    )

    wave_3 = list(Site.objects.filter(wave__number=3, status__in=["in_training", "active"]).order_by("name"))
    if wave_3:
        _plan(
            national,
            kind=SessionKind.NATIONAL_TRAINING,
            title="Journée nationale de formation — les quatre changements de perspective",
            days=30,
            start=(9, 0),
            end=(17, 0),
            region=None,
            sites=wave_3,
            place="ANCT, 20 avenue de Ségur, Paris 7e",
            online_url="https://webinaire.numerique.gouv.fr/meeting/signin/qic-vague-3",
            agenda="- Garder le cap sur le changement\n- Apprécier la complexité et s’y adapter\n- Explorer différentes stratégies pour changer les programmes et les systèmes\n- Réimaginer le leadership individuel et collectif",
        )
    if stdout is not None:
        stdout.write(f"Sessions de démonstration : {Session.objects.count()} sessions.")
