"""Permission-matrix entries (issue 15), merged by tests/test_permission_matrix.py: a job's status page and
its polled fragment are seen by the person who asked for it only; anyone else, in the dossier or not, gets a
404 (tests/jobs/test_jobs.py checks another dossier's job too)."""

from django.core.files.base import ContentFile

from ctg.jobs.models import Job
from tests.matrix_helpers import ALL_ROLES, LOGIN, Case


def _job(w):
    job = Job.objects.create(
        kind="test",
        label="Travail d'essai",
        ctg=w.ctg,
        requested_by=w.users["pilote_caf"],
        function="ctg.x:y",
    )
    return {"pk": job.pk}


def _job_with_file(w):
    kwargs = _job(w)
    job = Job.objects.get(pk=kwargs["pk"])
    job.result_file.save("bilan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return kwargs


def _requester_only(kwargs=_job):
    expected = dict.fromkeys(ALL_ROLES, 404)
    expected.update(anonymous=LOGIN, pilote_caf=200)
    return Case(expected=expected, kwargs=kwargs)


MATRIX: dict = {
    ("jobs:detail", "GET"): _requester_only(),
    ("jobs:status", "GET"): _requester_only(),
    ("jobs:file", "GET"): _requester_only(_job_with_file),
}
