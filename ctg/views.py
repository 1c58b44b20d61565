from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ctg.conventions.selectors import ctg_visible_to
from ctg.middleware import megabytes
from ctg.uploads import UploadTooLarge


@require_safe
def home(request):
    dossiers = []
    if request.user.is_authenticated:
        dossiers = list(ctg_visible_to(request.user).select_related("epci", "caf")[:10])
    return render(request, "home.html", {"title": "Accueil", "nav": "home", "dossiers": dossiers})


def bad_request(request, exception=None):
    """400, or 413 when the files sent exceed the limit (ctg.uploads.LimitedUploadHandler)."""
    if isinstance(exception, UploadTooLarge):
        reason = (
            f"Les fichiers envoyés dépassent {megabytes(settings.CTG_MAX_UPLOAD_BYTES)} ; "
            "leur réception a été arrêtée et rien n'a été enregistré."
        )
        return render(request, "413.html", {"title": "Fichier trop volumineux", "reason": reason}, status=413)
    reason = "La requête envoyée est invalide ; rien n'a été enregistré."
    return render(request, "413.html", {"title": "Requête invalide", "reason": reason}, status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", {"title": "Accès refusé"}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", {"title": "Page introuvable"}, status=404)
