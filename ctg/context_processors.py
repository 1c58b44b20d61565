from django.conf import settings


def site(request):
    return {
        "SITE_TITLE": "CTG — Convention Territoriale Globale",
        "SITE_TAGLINE": "Du diagnostic partagé au renouvellement de la convention",
        "DEBUG": settings.DEBUG,
    }
