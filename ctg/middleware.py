"""Checks made on every request before anything reads its body.

- Methods: the application answers GET, HEAD, POST and OPTIONS only; any other method gets 405 before it
  reaches a view (the permission matrix checks, URL by URL, which of GET and POST each view accepts).
- Size: a request whose declared body (`Content-Length`) exceeds `CTG_MAX_REQUEST_BYTES` is refused with 413
  before a byte of it is read, so a 500 MB upload is not received whole to be refused afterwards. Bodies
  without a declared length are bounded per file by `ctg.uploads.LimitedUploadHandler`.
"""

from django.conf import settings
from django.http import HttpResponseNotAllowed
from django.shortcuts import render

ALLOWED_METHODS = ("GET", "HEAD", "POST", "OPTIONS")


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} Mo"


class RequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            length = -1
        if length < 0:
            return render(
                request,
                "413.html",
                {"title": "Requête refusée", "reason": "La longueur annoncée de la requête est invalide."},
                status=400,
            )
        limit = settings.CTG_MAX_REQUEST_BYTES
        if length > limit:
            return render(
                request,
                "413.html",
                {
                    "title": "Fichier trop volumineux",
                    "reason": (
                        f"L'envoi fait {megabytes(length)} ; la plateforme accepte au plus "
                        f"{megabytes(limit)} par envoi. Rien n'a été enregistré."
                    ),
                },
                status=413,
            )
        return self.get_response(request)
