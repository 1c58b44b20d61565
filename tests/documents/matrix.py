"""Entries of the permission matrix (tests/test_permission_matrix.py) for this area's URLs.

The dossier's tab and downloads: every member (Op.VIEW); generation and avenant: Op.MANAGE_CONVENTION
(pilote_caf, coordination). The diagnostic document's page and downloads: every member; its texts and its
generation: Op.MANAGE_DIAGNOSTIC (pilote_caf, coordination). The CAF's model page: people whose
organisation is a CAF (each edits their own CAF's model), 403 for everyone else."""

from django.core.files.base import ContentFile

from ctg.conventions.models import Avenant
from ctg.documents import defaults
from ctg.documents.models import ConventionVersion, DiagnosticReportVersion
from tests.matrix_helpers import ALL_ROLES, EDITORS, LOGIN, MEMBER_ROLES, REDIRECT, Case, dossier

CAF_PEOPLE = ["pilote_caf", "other_caf"]


def _caf_only(ok):
    expected = {"anonymous": LOGIN}
    expected.update({role: (ok if role in CAF_PEOPLE else 403) for role in ALL_ROLES[1:]})
    return expected


def _version(w) -> ConventionVersion:
    version = ConventionVersion.objects.create(ctg=w.ctg, number=1, snapshot={"period": w.ctg.period_label})
    version.docx.save("convention.docx", ContentFile(b"PK docx"), save=False)
    version.pdf.save("convention.pdf", ContentFile(b"%PDF-1.7"), save=False)
    version.save()
    return version


def _with_version(w):
    return {"pk": w.ctg.pk, "number": _version(w).number}


def _avenant_with_version(w):
    """A recorded avenant of the dossier, whose convention was generated (what its document amends)."""
    _version(w)
    avenant = Avenant.objects.create(ctg=w.ctg, number=1, title="Ajout du plan d'action")
    return {"pk": w.ctg.pk, "avenant_pk": avenant.pk}


def _diagnostic_version(w):
    version = DiagnosticReportVersion.objects.create(ctg=w.ctg, number=1, snapshot={"sections": []})
    version.docx.save("diagnostic.docx", ContentFile(b"PK docx"), save=False)
    version.pdf.save("diagnostic.pdf", ContentFile(b"%PDF-1.7"), save=False)
    version.save()
    return {"pk": w.ctg.pk, "number": version.number}


def _template_data(w):
    data = {"key": [a.key for a in defaults.ARTICLES], "new-title": "", "new-body": ""}
    for a in defaults.ARTICLES:
        data[f"title-{a.key}"] = a.title
        data[f"body-{a.key}"] = a.body
    return data


MATRIX: dict = {
    ("documents:convention", "GET"): dossier(MEMBER_ROLES),
    ("documents:generate", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST"),
    ("documents:avenant_generate", "POST"): dossier(
        EDITORS, ok=REDIRECT, method="POST", kwargs=_avenant_with_version
    ),
    ("documents:version_docx", "GET"): dossier(MEMBER_ROLES, kwargs=_with_version),
    ("documents:version_pdf", "GET"): dossier(MEMBER_ROLES, kwargs=_with_version),
    # The diagnostic partagé document: every member reads the page and downloads; the texts and the
    # generation need Op.MANAGE_DIAGNOSTIC (pilote_caf, coordination).
    ("documents:diagnostic", "GET"): dossier(MEMBER_ROLES),
    ("documents:diagnostic", "POST"): dossier(
        EDITORS,
        ok=REDIRECT,
        method="POST",
        data=lambda w: {"introduction": "Le diagnostic a été conduit en 2025.", "conclusions": ""},
    ),
    ("documents:diagnostic_generate", "POST"): dossier(EDITORS, ok=REDIRECT, method="POST"),
    ("documents:diagnostic_version_pdf", "GET"): dossier(MEMBER_ROLES, kwargs=_diagnostic_version),
    ("documents:diagnostic_version_docx", "GET"): dossier(MEMBER_ROLES, kwargs=_diagnostic_version),
    ("documents:template", "GET"): Case(expected=_caf_only(200)),
    ("documents:template", "POST"): Case(method="POST", expected=_caf_only(REDIRECT), data=_template_data),
    ("documents:template_reset", "POST"): Case(method="POST", expected=_caf_only(REDIRECT)),
}
