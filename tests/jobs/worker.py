"""Runs the queue's pending tasks in this process, the way `ctg db_worker` does, and returns when the queue is
empty (`--batch`): the tests of jobs never sleep, they run the worker synchronously."""

from django.core.management import call_command


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0)
