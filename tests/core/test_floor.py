"""`ctg.core` is the lowest floor: it imports no other `ctg` app and names none in a foreign key."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "ctg" / "core"


def _sources():
    return [p for p in CORE.rglob("*.py") if "migrations" not in p.parts]


def test_core_imports_no_other_app():
    imported = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            imported += [
                f"{path.name}: {n}" for n in names if n.startswith("ctg.") and not n.startswith("ctg.core")
            ]
    assert not imported


def test_core_names_no_app_in_a_foreign_key():
    relations = ("ForeignKey", "OneToOneField", "ManyToManyField")
    named = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) in relations
            ):
                target = (
                    node.args[0]
                    if node.args
                    else next((k.value for k in node.keywords if k.arg == "to"), None)
                )
                if isinstance(target, ast.Constant):
                    named.append(f"{path.name}: {target.value}")
    assert not named  # settings.AUTH_USER_MODEL and settings.CTG_DOSSIER_MODEL only
