from django.conf import settings


def site(request):
    from ctg.diagnostics.import_views import can_import_statistics

    user = getattr(request, "user", None)
    return {
        "can_import_statistics": bool(user and user.is_authenticated and can_import_statistics(user)),
        "SITE_TITLE": "CTG — Convention Territoriale Globale",
        "SITE_TAGLINE": "Du diagnostic partagé au renouvellement de la convention",
        "DEBUG": settings.DEBUG,
    }
