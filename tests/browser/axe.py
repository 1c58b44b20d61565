"""Contrôle d'accessibilité automatique avec axe-core (axe-playwright-python, qui embarque axe.min.js :
aucun accès réseau)."""

from axe_playwright_python.sync_playwright import Axe

BLOCKING_IMPACTS = ("serious", "critical")
MAX_TARGETS = 3

_axe = Axe()


def _format_target(target) -> str:
    # Un sélecteur est une chaîne, ou une liste de chaînes pour un élément dans un iframe ou un shadow DOM.
    if isinstance(target, list):
        return " >>> ".join(_format_target(part) for part in target)
    return str(target)


def axe_violations(page, options: dict | None = None) -> list[dict]:
    """Lance axe-core sur la page courante et renvoie ses violations (toutes gravités confondues)."""
    run_options = {"resultTypes": ["violations"], **(options or {})}
    return _axe.run(page, options=run_options).response["violations"]


def assert_accessible(page, context_label: str, *, options: dict | None = None) -> None:
    """Échoue si axe-core relève une violation de gravité « serious » ou « critical » sur la page courante.

    `options` est passé à `axe.run` (par exemple `{"rules": {"region": {"enabled": False}}}`).
    """
    violations = axe_violations(page, options)
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    if not blocking:
        return
    lines = [
        f"{context_label} ({page.url}) : {len(blocking)} violation(s) d'accessibilité "
        f"grave(s) ou critique(s) relevée(s) par axe-core :"
    ]
    for violation in blocking:
        nodes = violation.get("nodes", [])
        targets = [_format_target(node["target"][0]) for node in nodes[:MAX_TARGETS] if node.get("target")]
        more = f" (+{len(nodes) - MAX_TARGETS} autre(s))" if len(nodes) > MAX_TARGETS else ""
        lines.append(
            f"- {violation['id']} [{violation['impact']}] {violation['help']} — "
            f"{len(nodes)} élément(s) : {', '.join(targets)}{more} — {violation.get('helpUrl', '')}"
        )
    raise AssertionError("\n".join(lines))
