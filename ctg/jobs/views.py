"""The status page of a job and its fragment polled by htmx (every 2 s until the job is finished).

Only the person who asked for the job sees it; anyone else gets a 404 (its existence is not revealed)."""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from ctg.jobs.models import Job
from ctg.uploads import stored_file_response


def _job(request, pk) -> Job:
    return get_object_or_404(Job.objects.select_related("ctg"), pk=pk, requested_by=request.user)


@login_required
@require_GET
def detail(request, pk):
    job = _job(request, pk)
    return render(request, "jobs/detail.html", {"job": job, "title": job.label})


@login_required
@require_GET
def status(request, pk):
    return render(request, "jobs/_status.html", {"job": _job(request, pk)})


@login_required
@require_GET
def result_file(request, pk):
    job = _job(request, pk)
    return stored_file_response(job.result_file, filename=Path(job.result_file.name).name or None)


def job_started(request, job: Job):
    """The answer of a page's button that started `job`: with the page's script (htmx), the job shown in
    place (`jobs/_inline.html`, polled); without it, the job's own page."""
    if request.htmx:
        return render(request, "jobs/_inline.html", {"job": job})
    return redirect(job)
