"""Checks made on every request before anything reads its body.

- Methods: the application answers GET, HEAD, POST and OPTIONS only; any other method gets 405 before it
  reaches a view (the permission matrix checks, URL by URL, which of GET and POST each view accepts).
- Logs: `RequestLogMiddleware` writes one line per request on the logger `ctg.requests` (method, path without
  its query string, status, duration, user id, request id), JSON in production (settings.LOGGING).
- Size: a request whose declared body (`Content-Length`) exceeds `CTG_MAX_REQUEST_BYTES` is refused with 413
  before a byte of it is read, so a 500 MB upload is not received whole to be refused afterwards. Bodies
  without a declared length are bounded per file by `ctg.uploads.LimitedUploadHandler`.
"""

import logging
import re
import time
import uuid

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


request_log = logging.getLogger("ctg.requests")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestLogMiddleware:
    """One log line per request, for the operators: what was asked, how it ended, how long it took. The query
    string is left out (it may carry a questionnaire's token or a search); the request id comes from the
    reverse proxy's `X-Request-ID` when it is well formed, else a new one, and is returned in the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        if request_log.isEnabledFor(logging.INFO):
            user = getattr(request, "user", None)
            request_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
        return response
