"""Writing a checked plan: its rows turned into the ordered values that `services.plan_import_create` writes
in bulk (one insert per table, whatever the number of fiches). Nothing here touches the database."""

from ctg.exchange.layout import Row


def _last(number: str) -> int:
    return int(number.rsplit(".", 1)[-1])


def _by_last(rows: dict[str, Row]) -> list[tuple[str, Row]]:
    """(number, row) in the order of the last part of their number (« 1.2 » before « 1.10 »)."""
    return sorted(rows.items(), key=lambda kv: _last(kv[0]))


def tree_values(plan: dict) -> tuple[list[dict], dict[str, int]]:
    """The enjeux with their strategic and operational objectives, in order (each operational objective keyed
    by its number, which the fiches name), and the rank of each strategic objective's number in the plan."""
    strategic_order: dict[str, int] = {}
    enjeux = []
    for _number, e_row in _by_last(plan["enjeux"]):
        e = e_row.item
        objectives = []
        for s_number, s_row in _by_last(e["strategic"]):
            strategic_order[s_number] = len(strategic_order)
            operational = [
                {"key": o_number, "title": o_row.item["title"], "description": o_row.item["description"]}
                for o_number, o_row in _by_last(s_row.item["operational"])
            ]
            objectives.append(
                {
                    "title": s_row.item["title"],
                    "description": s_row.item["description"],
                    "operational": operational,
                }
            )
        values = {
            name: e[name] for name in ("title", "description", "fields", "findings", "attention_indicators")
        }
        enjeux.append({**values, "objectives": objectives})
    return enjeux, strategic_order


def fiche_values(plan: dict, strategic_order: dict[str, int]) -> list[dict]:
    """The fiches in the order of their numbers, each with its position: positions count up within each
    strategic objective in the order of the file, so that the fiches of a first objective keep that order."""

    def key(kv):
        number, _row = kv
        prefix = number.rsplit(".", 1)[0]
        return (strategic_order.get(prefix, len(strategic_order)), _last(number))

    counters: dict[str, int] = {}
    fiches = []
    for number, row in sorted(plan["fiches"].items(), key=key):
        f = row.item
        prefix = number.rsplit(".", 1)[0]
        counters[prefix] = counters.get(prefix, 0) + 1
        indicators = [
            {
                **{name: value for name, value in i.items() if name != "values"},
                "values": list(i["values"].values()),
            }
            for _, i in sorted(f["indicators"].items(), key=lambda kv: int(kv[0]))
        ]
        fiches.append({**f, "position": counters[prefix], "indicators": indicators})
    return fiches
