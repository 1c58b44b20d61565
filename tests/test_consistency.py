"""House rules as tests (issue 10): the layering of `docs/architecture.md`, no private names across apps.

Each rule is checked on the real tree, and the checker itself is shown failing on a violation made on purpose
(a checker that sees nothing would pass everything)."""

from django.apps import apps as django_apps

from tests.consistency import (
    SHARED_MODULES,
    SITE_MODULES,
    documented_apps,
    floors,
    module_name,
    private_imports,
    project_files,
    python_files,
    unit_of,
    upward_imports,
    writes_guarded_by_reading,
)

APPS = ["territories", "organisations", "conventions", "plans"]


def _file(path: str, source: str) -> tuple[str, str, str]:
    return path, path.removesuffix(".py").replace("/", "."), source


# --- The checker, on violations made on purpose -------------------------------------------------------------


def test_the_checker_sees_an_upward_import_at_module_level_or_in_a_function():
    files = [
        _file("ctg/conventions/views.py", "from ctg.plans.selectors import plan_tree\n"),
        _file("ctg/territories/models.py", "def f():\n    import ctg.conventions.models\n"),
        _file(
            "ctg/plans/views.py", "from ctg.conventions import services\nfrom ctg.text import clean_text\n"
        ),
    ]
    problems = upward_imports(files, APPS)
    assert problems == [
        "ctg/conventions/views.py:1: ctg.conventions → ctg.plans (étage 3 → 4)",
        "ctg/territories/models.py:2: ctg.territories → ctg.conventions (étage 1 → 3)",
    ]


def test_the_checker_sees_string_foreign_keys_and_get_model_upward():
    source = (
        "from django.db import models\n"
        "class Entry(models.Model):\n"
        "    decision = models.ForeignKey('plans.FicheAction', on_delete=models.CASCADE)\n"
        "    users = models.ManyToManyField(to='organisations.User')\n"
        "def later(apps):\n"
        "    return apps.get_model('plans', 'Enjeu')\n"
    )
    problems = upward_imports([_file("ctg/conventions/models.py", source)], APPS)
    assert problems == [
        "ctg/conventions/models.py:3: ctg.conventions → ctg.plans (étage 3 → 4)",
        "ctg/conventions/models.py:6: ctg.conventions → ctg.plans (étage 3 → 4)",
    ]


def test_the_checker_sees_a_relative_import_upward():
    files = [_file("ctg/conventions/views.py", "from ..plans import selectors\n")]
    assert upward_imports(files, APPS) == [
        "ctg/conventions/views.py:1: ctg.conventions → ctg.plans (étage 3 → 4)"
    ]


def test_the_checker_sees_a_private_name_of_another_app_but_not_of_its_own():
    files = [
        _file("ctg/plans/views.py", "from ctg.conventions.views import _context, ctg_view\n"),
        _file("ctg/plans/forms.py", "from ctg.plans.services import _clean\nfrom ctg.text import __all__\n"),
    ]
    assert private_imports(files, APPS) == ["ctg/plans/views.py:1: _context importé de ctg.conventions.views"]


def test_the_checker_sees_a_private_name_reached_through_a_module_of_another_app():
    source = (
        "from ctg.plans import services as plan_services\n"
        "import ctg.conventions.views as dossier_views\n"
        "def f(value):\n"
        "    plan_services.parse_amount(value)\n"
        "    dossier_views.__name__\n"
        "    return plan_services._amount(value), dossier_views._context\n"
    )
    assert private_imports([_file("ctg/governance/services.py", source)], APPS + ["governance"]) == [
        "ctg/governance/services.py:6: _context importé de ctg.conventions.views",
        "ctg/governance/services.py:6: _amount importé de ctg.plans.services",
    ]


def test_the_checker_reads_the_floors_from_the_architecture_table():
    text = (
        "# A\n## Apps, from the bottom up\n| app | owns |\n| --- | --- |\n"
        "| `ctg.b` | x |\n| `ctg.a` | y |\n\n## Next\n| `ctg.c` | z |\n"
    )
    assert documented_apps(text) == ["b", "a"]
    assert floors(["b", "a"])["ctg.a"] == 2


def test_the_checker_sees_a_view_that_writes_under_the_reading_operation():
    source = (
        "@ctg_view(Op.VIEW, methods=('GET', 'POST'))\n"
        "def fiche_edit(request, ctg, role): ...\n"
        "@ctg_view(Op.VIEW, methods=('GET', 'POST'), post_op=Op.MANAGE_MEMBERS)\n"
        "def members(request, ctg, role): ...\n"
        "@ctg_view(Op.EDIT_FICHE, methods=('POST',))\n"
        "def fiche_budget(request, ctg, role): ...\n"
        "@ctg_view(Op.VIEW)\n"
        "def fiche_detail(request, ctg, role): ...\n"
    )
    assert writes_guarded_by_reading([_file("ctg/plans/views.py", source)]) == [
        "ctg/plans/views.py:2: fiche_edit accepte POST avec Op.VIEW seul"
    ]


# --- The real tree ------------------------------------------------------------------------------------------


def test_the_architecture_lists_every_app_of_the_project():
    installed = sorted(
        c.name.removeprefix("ctg.") for c in django_apps.get_app_configs() if c.name.startswith("ctg.")
    )
    assert sorted(documented_apps()) == installed


def test_every_module_of_ctg_is_on_a_floor():
    known = floors(documented_apps())
    lost = sorted({unit_of(module_name(path), known) or str(path) for path in python_files()} - set(known))
    assert not lost, f"Modules sans étage (docs/architecture.md, ou SHARED/SITE_MODULES) : {lost}"
    assert set(SHARED_MODULES).isdisjoint(SITE_MODULES)


def test_apps_import_only_downward():
    problems = upward_imports(project_files(), documented_apps())
    assert not problems, "Imports vers un étage supérieur :\n" + "\n".join(problems)


def test_no_app_imports_the_private_names_of_another():
    problems = private_imports(project_files(), documented_apps())
    assert not problems, "Noms privés importés d'une autre app :\n" + "\n".join(problems)


def test_every_view_that_writes_names_its_operation():
    problems = writes_guarded_by_reading(project_files())
    assert not problems, "Écritures gardées par la seule lecture :\n" + "\n".join(problems)
