"""The statistics fixtures (a store of the test's own, a small Tarn référentiel) for the security tests."""

from tests.diagnostics.conftest import referential, stats_dir  # noqa: F401
