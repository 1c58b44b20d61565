from django.shortcuts import render

from ctg.conventions.selectors import ctg_visible_to


def home(request):
    dossiers = []
    if request.user.is_authenticated:
        dossiers = list(ctg_visible_to(request.user).select_related("epci", "caf")[:10])
    return render(request, "home.html", {"title": "Accueil", "nav": "home", "dossiers": dossiers})


def permission_denied(request, exception=None):
    return render(request, "403.html", {"title": "Accès refusé"}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", {"title": "Page introuvable"}, status=404)
