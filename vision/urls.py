from django.urls import path

from .views import actions, adoption, comments, context, history, publication, strategy, workspace

app_name = "vision"

urlpatterns = [
    path("", workspace.workspace, name="workspace"),
    path("schema/", workspace.diagram, name="diagram"),
    path("schema.svg", workspace.diagram_svg, name="diagram_svg"),
    path("enonce/", workspace.statement, name="statement"),
    path("enonce/conseils/", workspace.statement_hints, name="statement_hints"),
    path("recit/", workspace.narrative, name="narrative"),
    path("contexte/ajouter/", context.factor_add, name="factor_add"),
    path("contexte/<int:factor_id>/", context.factor_edit, name="factor_edit"),
    path("contexte/<int:factor_id>/supprimer/", context.factor_delete, name="factor_delete"),
    path("contexte/<int:factor_id>/deplacer/", context.factor_move, name="factor_move"),
    path("changements/ajouter/", strategy.change_add, name="change_add"),
    path("changements/<int:change_id>/", strategy.change_edit, name="change_edit"),
    path("changements/<int:change_id>/liens/", strategy.change_links, name="change_links"),
    path("changements/<int:change_id>/supprimer/", strategy.change_delete, name="change_delete"),
    path("changements/<int:change_id>/deplacer/", strategy.change_move, name="change_move"),
    path("changements/<int:change_id>/commentaires/", comments.change_comments, name="change_comments"),
    path("actions/ajouter/", actions.action_add, name="action_add"),
    path("actions/<int:action_id>/", actions.action_edit, name="action_edit"),
    path("actions/<int:action_id>/supprimer/", actions.action_delete, name="action_delete"),
    path("commentaires/", comments.vision_comments, name="vision_comments"),
    path("commentaires/<int:comment_id>/resoudre/", comments.comment_resolve, name="comment_resolve"),
    path("adoption/approuver/", adoption.approve, name="approve"),
    path("adoption/retirer/", adoption.withdraw, name="withdraw"),
    path("publication/proposer/", publication.propose, name="publication_propose"),
    path("publication/approuver/", publication.approve, name="publication_approve"),
    path("publication/retirer/", publication.unpublish, name="publication_unpublish"),
    path("historique/", history.history, name="history"),
    path("historique/comparer/", history.compare, name="compare"),
    path("historique/<int:number>/", history.revision_detail, name="revision"),
    path("historique/<int:number>/restaurer/", history.restore, name="restore"),
]
