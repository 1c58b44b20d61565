import logging
import os

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
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


health_log = logging.getLogger("ctg.health")


@never_cache
@require_safe
def health(request):
    """`/sante/`, for the reverse proxy and the service manager: 200 when the database answers and the data
    folder (statistics store, uploaded and generated files) is writable, else 503. Anonymous; says which
    check failed, never why (the reason goes to the log)."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:  # any failure of the database is an unhealthy server
        health_log.exception("Contrôle de santé : la base de données ne répond pas.")
        checks["database"] = "error"
    data_dir = settings.DATA_DIR
    if os.path.isdir(data_dir) and os.access(data_dir, os.W_OK):
        checks["data_dir"] = "ok"
    else:
        health_log.error(
            "Contrôle de santé : le dossier de données %s n'est pas accessible en écriture.", data_dir
        )
        checks["data_dir"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


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
