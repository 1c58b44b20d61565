"""Entries of the permission matrix (tests/test_permission_matrix.py) for the coordinator post's URLs.

MANAGE_POST: pilote_caf and coordination; FUND_POST (funding, accepting the report): pilote_caf only."""

from tests.matrix_helpers import EDITORS, MEMBER_ROLES, REDIRECT, dossier
from tests.post.factories import FundingFactory, PostFactory, ReportFactory

CAF = ["pilote_caf"]
YEAR = 2025


def _with_post(w):
    PostFactory(ctg=w.ctg)
    return {"pk": w.ctg.pk}


def _funding(w):
    return {"pk": w.ctg.pk, "funding_pk": FundingFactory(post=PostFactory(ctg=w.ctg), year=YEAR).pk}


def _year(w):
    PostFactory(ctg=w.ctg)
    return {"pk": w.ctg.pk, "year": YEAR}


def _sent_report(w):
    post = PostFactory(ctg=w.ctg)
    FundingFactory(post=post, year=YEAR)
    ReportFactory(post=post, year=YEAR, status="envoye", priorities="Accueil des 11-14 ans.")
    return {"pk": w.ctg.pk, "year": YEAR}


def _report_to_send(w):
    ReportFactory(post=PostFactory(ctg=w.ctg), year=YEAR, priorities="Accueil des 11-14 ans.")
    return {"pk": w.ctg.pk, "year": YEAR}


FUNDING_DATA = {
    "year": "2026",
    "amount_agreed": "22500",
    "advance_paid": "11250",
    "balance_paid": "0",
    "decided_on": "2026-02-10",
}

MATRIX: dict = {
    ("post:detail", "GET"): dossier(MEMBER_ROLES),
    ("post:edit", "GET"): dossier(EDITORS),
    ("post:edit", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        data=lambda w: {
            "person_name": "Claire Martin",
            "employer": w.ctg.caf_id,
            "fte": "0,8",
            "start_date": "2025-01-06",
            "missions": "Animer la CTG.",
        },
    ),
    ("post:funding_add", "GET"): dossier(CAF, kwargs=_with_post),
    ("post:funding_add", "POST"): dossier(
        CAF, ok=REDIRECT, method="POST", kwargs=_with_post, data=lambda w: FUNDING_DATA
    ),
    ("post:funding_edit", "GET"): dossier(CAF, kwargs=_funding),
    ("post:funding_edit", "POST"): dossier(
        CAF, ok=REDIRECT, method="POST", kwargs=_funding, data=lambda w: {**FUNDING_DATA, "year": str(YEAR)}
    ),
    ("post:funding_delete", "POST"): dossier(CAF, ok=REDIRECT, method="POST", kwargs=_funding),
    ("post:report", "GET"): dossier(MEMBER_ROLES, kwargs=_year),
    ("post:report_update", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        kwargs=_year,
        data=lambda w: {"comments": "Deux COPIL tenus.", "priorities": "Accueil des 11-14 ans."},
    ),
    ("post:report_send", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=_report_to_send),
    ("post:report_accept", "POST"): dossier(CAF, ok=REDIRECT, method="POST", kwargs=_sent_report),
    ("post:report_pdf", "GET"): dossier(MEMBER_ROLES, kwargs=_year),
    ("post:report_docx", "GET"): dossier(MEMBER_ROLES, kwargs=_year),
}
