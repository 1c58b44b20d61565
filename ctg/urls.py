from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ctg import dossier_home, views
from ctg.conventions import urls as conventions_urls
from ctg.diagnostics import import_views
from ctg.exchange import urls as exchange_urls
from ctg.organisations.forms import DsfrPasswordResetForm, DsfrSetPasswordForm, EmailAuthenticationForm
from ctg.plans import urls as plans_urls

urlpatterns = [
    path("", views.home, name="home"),
    path("sante/", views.health, name="health"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm,
            redirect_authenticated_user=True,
            extra_context={"title": "Connexion"},
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(
            form_class=DsfrPasswordResetForm, extra_context={"title": "Mot de passe oublié"}
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(extra_context={"title": "Courriel envoyé"}),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/definir/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=DsfrSetPasswordForm, extra_context={"title": "Choisir un mot de passe"}
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/defini/",
        auth_views.PasswordResetCompleteView.as_view(extra_context={"title": "Mot de passe enregistré"}),
        name="password_reset_complete",
    ),
    path("territoires/", include("ctg.territories.urls")),
    path(
        "ctg/",
        include(
            (
                [path("<int:pk>/", dossier_home.ctg_detail, name="detail"), *conventions_urls.urlpatterns],
                conventions_urls.app_name,
            )
        ),
    ),
    path("portrait/ctg/<int:pk>/offre/", include("ctg.offer.urls")),
    path("portrait/", include("ctg.diagnostics.urls")),
    # The qualitative half of the diagnostic (issue 13): findings, questionnaires, ateliers.
    path("diagnostic/ctg/<int:pk>/constats/", include("ctg.findings.urls")),
    path("diagnostic/ctg/<int:pk>/questionnaires/", include("ctg.surveys.urls")),
    path("diagnostic/ctg/<int:pk>/ateliers/", include("ctg.ateliers.urls")),
    # Answering a questionnaire: public, no account.
    path("questionnaire/", include("ctg.surveys.urls_public")),
    # The exchange of the plan (ctg.exchange, above plans) keeps its URLs in the plan's namespace.
    path(
        "plan/",
        include(([*plans_urls.urlpatterns, *exchange_urls.urlpatterns], plans_urls.app_name)),
    ),
    path("plan/ctg/<int:pk>/", include("ctg.evaluation.urls")),
    path("convention/", include("ctg.documents.urls")),
    path("gouvernance/", include("ctg.governance.urls")),
    path("gouvernance/ctg/<int:pk>/poste/", include("ctg.post.urls")),
    path("notifications/", include("ctg.notifications.urls")),
    # The public page of a CTG (and its settings in the dossier).
    path("", include("ctg.public.urls")),
    # The CAF's own view (issue 14): the funding parameters and simulator, the départemental dashboard.
    path("caf/financements/", include("ctg.funding.urls")),
    path("caf/", include("ctg.dashboard.urls")),
    # Production (issue 15): the jobs run in the background, the whole-dossier archive, the open API.
    path("travaux/", include("ctg.jobs.urls")),
    path("", include("ctg.transfer.urls")),
    path("", include("ctg.api.urls")),
    path("statistiques/import/", import_views.import_statistics, name="statistics_import"),
    path("statistiques/imports/", import_views.import_list, name="statistics_imports"),
    path(
        "statistiques/imports/<int:import_pk>/annuler/",
        import_views.import_undo,
        name="statistics_import_undo",
    ),
    path("admin/", admin.site.urls),
]

handler400 = "ctg.views.bad_request"
handler403 = "ctg.views.permission_denied"
handler404 = "ctg.views.page_not_found"
