from django.shortcuts import render

from ctg.conventions.views import _context, ctg_view
from ctg.organisations.permissions import Op


@ctg_view(Op.VIEW)
def convention(request, ctg, role):
    return render(request, "documents/convention.html", _context(ctg, role, "convention", "Convention"))
