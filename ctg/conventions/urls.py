from django.urls import path

from ctg.conventions import views

app_name = "conventions"

# The dossier's home page (`conventions:detail`, "<pk>/") reads the governance: it is added to these URLs by
# the site's `ctg/urls.py` (see `ctg/dossier_home.py`).

urlpatterns = [
    path("", views.ctg_list, name="list"),
    path("nouveau/", views.ctg_create, name="create"),
    path("<int:pk>/modifier/", views.ctg_edit, name="edit"),
    path("<int:pk>/territoire/", views.ctg_territory, name="territory"),
    path("<int:pk>/supprimer/", views.ctg_delete, name="delete"),
    path("<int:pk>/statut/", views.ctg_status, name="status"),
    path("<int:pk>/parties/", views.ctg_parties, name="parties"),
    path("<int:pk>/signataires/ajouter/", views.signatory_add, name="signatory_add"),
    path("<int:pk>/signataires/<int:signatory_pk>/retirer/", views.signatory_remove, name="signatory_remove"),
    path("<int:pk>/signataires/<int:signatory_pk>/signature/", views.signature, name="signature"),
    path(
        "<int:pk>/signataires/<int:signatory_pk>/signature/annuler/",
        views.signature_clear,
        name="signature_clear",
    ),
    path(
        "<int:pk>/signataires/<int:signatory_pk>/exemplaire-signe/",
        views.signature_scan,
        name="signature_scan",
    ),
    path("<int:pk>/partenaires/ajouter/", views.partner_add, name="partner_add"),
    path("<int:pk>/partenaires/<int:organisation_pk>/retirer/", views.partner_remove, name="partner_remove"),
    path("<int:pk>/partenaires/<int:organisation_pk>/role/", views.partner_edit, name="partner_edit"),
    path("<int:pk>/signatures/", views.signatures_record, name="signatures_record"),
    path("<int:pk>/avenants/ajouter/", views.avenant_add, name="avenant_add"),
    path("<int:pk>/avenants/<int:avenant_pk>/modifier/", views.avenant_edit, name="avenant_edit"),
    path("<int:pk>/avenants/<int:avenant_pk>/supprimer/", views.avenant_delete, name="avenant_delete"),
    path("<int:pk>/membres/", views.members, name="members"),
    path("<int:pk>/membres/<int:membership_pk>/retirer/", views.member_remove, name="member_remove"),
    path("<int:pk>/calendrier/", views.milestones, name="milestones"),
    path("<int:pk>/calendrier/<int:milestone_pk>/modifier/", views.milestone_edit, name="milestone_edit"),
    path(
        "<int:pk>/calendrier/<int:milestone_pk>/supprimer/", views.milestone_delete, name="milestone_delete"
    ),
    path("<int:pk>/historique/", views.history, name="history"),
    path("<int:pk>/renouveler/", views.renew, name="renew"),
]
