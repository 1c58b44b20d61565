from django.conf import settings


def site(request):
    from ctg.diagnostics.import_views import can_import_statistics
    from ctg.organisations.permissions import PlatformOp, platform_allows

    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "can_import_statistics": authenticated and can_import_statistics(user),
        # The CAF's own view (issue 14): the départemental dashboard, the funding parameters.
        "can_view_caf_dashboard": authenticated and platform_allows(user, PlatformOp.VIEW_CAF_DASHBOARD),
        "can_edit_funding_parameters": authenticated
        and platform_allows(user, PlatformOp.EDIT_FUNDING_PARAMETERS),
        "SITE_TITLE": "CTG — Convention Territoriale Globale",
        "SITE_TAGLINE": "Du diagnostic partagé au renouvellement de la convention",
        "DEBUG": settings.DEBUG,
    }
