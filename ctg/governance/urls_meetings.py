from django.urls import path

from ctg.governance import views_meetings as views

MEETING = "reunions/<int:meeting_pk>/"
DECISION = MEETING + "decisions/<int:decision_pk>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("instances/ajouter/", views.body_add, name="body_add"),
    path("instances/<int:body_pk>/modifier/", views.body_edit, name="body_edit"),
    path("instances/<int:body_pk>/supprimer/", views.body_delete, name="body_delete"),
    path("instances/<int:body_pk>/membres/ajouter/", views.member_add, name="member_add"),
    path("instances/<int:body_pk>/membres/<int:member_pk>/modifier/", views.member_edit, name="member_edit"),
    path(
        "instances/<int:body_pk>/membres/<int:member_pk>/retirer/", views.member_remove, name="member_remove"
    ),
    path("reunions/ajouter/", views.meeting_add, name="meeting_add"),
    path(MEETING, views.meeting, name="meeting"),
    path(MEETING + "modifier/", views.meeting_edit, name="meeting_edit"),
    path(MEETING + "annuler/", views.meeting_cancel, name="meeting_cancel"),
    path(MEETING + "tenue/", views.meeting_held, name="meeting_held"),
    path(MEETING + "invitation/", views.meeting_invite, name="meeting_invite"),
    path(MEETING + "invitation.ics", views.meeting_ics, name="meeting_ics"),
    path(MEETING + "compte-rendu.pdf", views.meeting_minutes_pdf, name="meeting_minutes_pdf"),
    path(MEETING + "compte-rendu/preparer/", views.meeting_minutes_prepare, name="meeting_minutes_prepare"),
    path(MEETING + "presences/", views.attendance, name="attendance"),
    path(MEETING + "invites/", views.guest_add, name="guest_add"),
    path(MEETING + "compte-rendu/", views.minutes_save, name="minutes"),
    path(MEETING + "decisions/ajouter/", views.decision_add, name="decision_add"),
    path(DECISION + "appliquer/", views.decision_apply, name="decision_apply"),
    path(DECISION + "supprimer/", views.decision_delete, name="decision_delete"),
]
