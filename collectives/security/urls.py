from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("securite/", views.account_security, name="account_security"),
    path("sessions/<int:session_id>/fermer/", views.end_session, name="end_session"),
    path("session/etat/", views.session_state, name="session_state"),
    path("session/prolonger/", views.session_extend, name="session_extend"),
    # Before allauth's own "email/" (same address), which it replaces.
    path("email/", views.email, name="email"),
    path("proconnect/connexion/", views.proconnect_login, name="proconnect_login"),
    path("proconnect/retour/", views.proconnect_callback, name="proconnect_callback"),
    path("proconnect/compte-inconnu/", views.proconnect_unknown, name="proconnect_unknown"),
    path("proconnect/deconnexion/", views.proconnect_logout, name="proconnect_logout"),
    path("proconnect/deconnexion/retour/", views.proconnect_logged_out, name="proconnect_logged_out"),
]
