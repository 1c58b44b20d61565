"""The checker behind the house rules of `tests/test_consistency.py`: it reads the source as text (ast), never
imports it, so that a test of the checker can feed it a violation on purpose.

Floors: the apps of `docs/architecture.md` (its table « Apps, from the bottom up », read in order), with the
shared modules of `ctg/` below them and the site modules (settings, URLs, the site-wide views) above them. A
module may import from its own floor and the floors below, never above; a string reference to a model
(`ForeignKey("governance.Decision")`, `apps.get_model("plans", …)`) counts as an import of that app.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ctg"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

# Modules of ctg/ itself below every app (they import no app), and above every app (they assemble the site).
SHARED_MODULES = ("text", "forms", "uploads", "datafiles", "middleware", "rendering", "progress")
SITE_MODULES = (
    "settings",
    "urls",
    "views",
    "dossier_home",
    "context_processors",
    "wsgi",
    "manage",
    "__init__",
)

APP_ROW = re.compile(r"^\|\s*`ctg\.([a-z_]+)`\s*\|", re.MULTILINE)
MODEL_STRING = re.compile(r"^([a-z_]+)\.[A-Z][A-Za-z]+$")
RELATION_CALLS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def documented_apps(text: str | None = None) -> list[str]:
    """The apps in the order of the architecture table, bottom first."""
    text = ARCHITECTURE.read_text(encoding="utf-8") if text is None else text
    section = text.split("## Apps, from the bottom up", 1)[-1].split("\n## ", 1)[0]
    return APP_ROW.findall(section)


def floors(apps: list[str]) -> dict[str, int]:
    """Floor of each unit: shared modules 0, the apps 1…n in order, site modules n + 1."""
    found = {f"ctg.{name}": 0 for name in SHARED_MODULES}
    found.update({f"ctg.{app}": index for index, app in enumerate(apps, 1)})
    found.update({f"ctg.{name}": len(apps) + 1 for name in SITE_MODULES})
    return found


def unit_of(module: str, known: dict[str, int]) -> str | None:
    """`ctg.plans.services` → `ctg.plans`; `ctg.text` → `ctg.text`; anything else → None."""
    parts = module.split(".")
    if parts[0] != "ctg" or len(parts) == 1:
        return None  # another package, or `from ctg import x` (the reference to ctg.x follows)
    return f"ctg.{parts[1]}"


@dataclass(frozen=True)
class Reference:
    source: str  # module path, relative to the repository
    line: int
    target: str  # the imported module, or the app named in a string
    name: str = ""  # the imported name, for `from x import name`


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__" and len(parts) > 2:
        parts = parts[:-1]
    return ".".join(parts)


def references(source: str, path: str, module: str) -> list[Reference]:
    """Imports (module level or inside functions) and string references to models of `source`."""
    tree = ast.parse(source, filename=path)
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    found = []
    modules = {}  # local name → module, for `module._private` below
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Reference(path, node.lineno, alias.name) for alias in node.names]
            modules.update({alias.asname: alias.name for alias in node.names if alias.asname})
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                found.append(Reference(path, node.lineno, base, alias.name))
                found.append(Reference(path, node.lineno, f"{base}.{alias.name}", ""))
                modules[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
        ):
            # `plan_services._amount(…)`: a private name reached through an imported module.
            found.append(Reference(path, node.lineno, modules[node.value.id], node.attr))
        elif isinstance(node, ast.Call):
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            strings = []
            if callee in RELATION_CALLS:
                first = (
                    node.args[0]
                    if node.args
                    else next((k.value for k in node.keywords if k.arg == "to"), None)
                )
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    strings.append(first.value)
            elif callee == "get_model" and node.args and isinstance(node.args[0], ast.Constant):
                value = node.args[0].value
                strings.append(value if "." in str(value) else f"{value}.Model")
            for value in strings:
                match = MODEL_STRING.match(value)
                if match:
                    found.append(Reference(path, node.lineno, f"ctg.{match.group(1)}"))
    return found


def python_files(package: Path = PACKAGE) -> list[Path]:
    return sorted(p for p in package.rglob("*.py") if "migrations" not in p.parts)


def upward_imports(files: list[tuple[str, str, str]], apps: list[str]) -> list[str]:
    """`files`: (path, module name, source). Each import of a higher floor, as « path:line: a → b »."""
    known = floors(apps)
    problems = []
    for path, module, source in files:
        here = unit_of(module, known)
        if here not in known:
            problems.append(f"{path}: module hors des étages connus ({here})")
            continue
        seen = set()
        for ref in references(source, path, module):
            there = unit_of(ref.target, known)
            if there is None or there == here or there not in known or (ref.line, there) in seen:
                continue
            if known[there] > known[here]:
                seen.add((ref.line, there))
                problems.append(f"{path}:{ref.line}: {here} → {there} (étage {known[here]} → {known[there]})")
    return problems


def private_imports(files: list[tuple[str, str, str]], apps: list[str]) -> list[str]:
    """Each `from ctg.<other unit>… import _name` (a private name of another app or module)."""
    known = floors(apps)
    problems = []
    for path, module, source in files:
        here = unit_of(module, known)
        for ref in references(source, path, module):
            if not ref.name.startswith("_") or ref.name.startswith("__"):
                continue
            there = unit_of(ref.target, known)
            if there is not None and there != here:
                problems.append(f"{path}:{ref.line}: {ref.name} importé de {ref.target}")
    return problems


def project_files() -> list[tuple[str, str, str]]:
    return [
        (str(path.relative_to(ROOT)), module_name(path), path.read_text(encoding="utf-8"))
        for path in python_files()
    ]


READ_OPERATIONS = {"VIEW", "VIEW_HISTORY"}


def _constant_strings(node) -> list[str]:
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def writes_guarded_by_reading(files: list[tuple[str, str, str]]) -> list[str]:
    """Each `@ctg_view(Op.VIEW…, methods=(…"POST"…))` without `post_op`: a view that writes must name the
    operation that writes in the table of `ctg.organisations.permissions`, not hide it inside the view."""
    problems = []
    for path, _module, source in files:
        for node in ast.walk(ast.parse(source, filename=path)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                if not (isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "ctg_view"):
                    continue
                keywords = {k.arg: k.value for k in decorator.keywords}
                methods = _constant_strings(keywords.get("methods") or (decorator.args[1:2] or [None])[0])
                op = decorator.args[0] if decorator.args else keywords.get("op")
                reading = isinstance(op, ast.Attribute) and op.attr in READ_OPERATIONS
                if "POST" in methods and reading and "post_op" not in keywords:
                    problems.append(f"{path}:{node.lineno}: {node.name} accepte POST avec Op.{op.attr} seul")
    return problems
