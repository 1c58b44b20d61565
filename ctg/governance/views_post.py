from django.shortcuts import render

from ctg.conventions.views import _context, ctg_view
from ctg.organisations.permissions import Op


@ctg_view(Op.VIEW)
def post(request, ctg, role):
    return render(request, "governance/post.html", _context(ctg, role, "post", "Poste de coordination"))
