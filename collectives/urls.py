"""URLs of the collectives: a site's collective, invitations, the cooperation agreement, the backbone roles.

Site pages live under /sites/<site_slug>/ so that SiteScopeMiddleware resolves the site (404 to outsiders).
"""

from django.urls import path

from .views import agreement, backbone, invitations, members

app_name = "collectives"

site = "sites/<slug:site_slug>/"

urlpatterns = [
    path(f"{site}collectif/", members.members, name="members"),
    path(f"{site}collectif/membres/<int:pk>/fin/", members.end_membership, name="membership_end"),
    path(f"{site}collectif/dossier-de-passation.pdf", members.handover_pack, name="handover_pack"),
    path(f"{site}collectif/inviter/", invitations.invite, name="invite"),
    path(f"{site}collectif/sieges/<str:seat>/passation/", invitations.handover, name="handover"),
    path(f"{site}collectif/invitations/", invitations.invitation_list, name="invitations"),
    path(f"{site}collectif/invitations/<int:pk>/renvoyer/", invitations.resend, name="invitation_resend"),
    path(f"{site}collectif/invitations/<int:pk>/revoquer/", invitations.revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", invitations.accept, name="accept_invitation"),
    path(f"{site}entente/", agreement.agreement, name="agreement"),
    path(f"{site}entente/parties/<str:part>/", agreement.edit_section, name="agreement_section"),
    path(f"{site}entente/lieux/ajouter/", agreement.add_space, name="space_add"),
    path(f"{site}entente/lieux/<int:pk>/", agreement.edit_space, name="space_edit"),
    path(f"{site}entente/lieux/<int:pk>/supprimer/", agreement.delete_space, name="space_delete"),
    path(f"{site}entente/signer/", agreement.sign, name="agreement_sign"),
    path(f"{site}entente/versions/", agreement.version_list, name="agreement_versions"),
    path(f"{site}entente/versions/<int:number>/", agreement.version_detail, name="agreement_version"),
    path(f"{site}entente/versions/<int:number>/pdf/", agreement.version_pdf, name="agreement_pdf"),
    path(f"{site}structure-de-soutien/", backbone.coverage, name="backbone"),
    path(f"{site}structure-de-soutien/<str:role>/", backbone.edit_role, name="backbone_role"),
]
