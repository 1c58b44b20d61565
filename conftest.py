"""Réglages pytest communs à tout le dépôt.

- Playwright (API synchrone) fait tourner une boucle asyncio dans le fil principal : l'ORM de Django y
  refuserait de s'exécuter sans DJANGO_ALLOW_ASYNC_UNSAFE.
- En intégration continue (CI=true ou CI=1), un test ignoré (skip) fait échouer la série : un test qui ne
  tourne pas en CI (Chromium absent, fichier manquant…) ne doit pas passer inaperçu.
"""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _ci_enabled() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


_skipped_reports: list[object] = []


def pytest_runtest_logreport(report):
    # Compte de secours, quand le terminal reporter est désactivé (-p no:terminal).
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped_reports.append(report)


def pytest_collectreport(report):
    if report.skipped:
        _skipped_reports.append(report)


def _skipped_count(session: pytest.Session) -> int:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        return len(reporter.stats.get("skipped", []))
    return len(_skipped_reports)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _ci_enabled() or exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        return
    skipped = _skipped_count(session)
    if not skipped:
        return
    message = f"CI=true : {skipped} test(s) ignoré(s), ce qui fait échouer la série."
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.line("")
        reporter.write_line(message, red=True, bold=True)
    else:
        print(message)
    if session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
