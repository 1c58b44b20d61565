"""Charts of the portrait: server-side SVG for the PDF (accessible: role="img", <title>, <desc>; no
JavaScript), and the same figures as a `WebChart` for the web pages, drawn there by the `<bar-chart>` web
component of @gouvfr/dsfr-chart (template ctg/templates/includes/dsfr_chart.html). Every chart also returns
its figures, shown as a table next to it: the accessible alternative of the drawing."""

import itertools
import json
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from ctg.diagnostics.readings import format_value

TERRITORY_COLOUR = "#000091"  # bleu France (contrast 15.8:1 on white)
REFERENCE_COLOUR = "#6a6af4"  # blue-france-main-525 (4.2:1 on white)
TEXT_COLOUR = "#161616"
AXIS_COLOUR = "#666666"
FONT = "Marianne, Arial, sans-serif"

_ids = itertools.count(1)


@dataclass
class WebChart:
    """The figures of a chart as the `<bar-chart>` element of @gouvfr/dsfr-chart 2.x wants them: one list of
    labels, one list of values per series, the series' names (see the package's README)."""

    labels: list[str]
    series: list[list[float]]
    names: list[str]
    unit: str = ""
    horizontal: bool = False
    # Index of the bar drawn in the DSFR's main colour, the others in grey (palette "neutral"); single series.
    highlight: int | None = None
    # Width / height of the drawing (Chart.js `aspectRatio`): the charts span the content's width, so a few
    # horizontal bars want a wider ratio than the component's default 2 to stay a glance, not a page.
    aspect_ratio: float | None = None

    def attributes(self) -> dict[str, str]:
        """The element's attributes as text; the template escapes them (never |safe)."""
        attrs = {
            "x": json.dumps([[_plain(label) for label in self.labels]], ensure_ascii=False),
            "y": json.dumps([[round(v, 2) for v in values] for values in self.series]),
            "name": json.dumps([_plain(name) for name in self.names], ensure_ascii=False),
            "unit-tooltip": self.unit,
            "selected-palette": "categorical",
        }
        if self.aspect_ratio:
            attrs["aspect-ratio"] = f"{self.aspect_ratio:g}"
        if self.horizontal:
            attrs["horizontal"] = "true"  # any value, even "false", would turn it on
        if self.highlight is not None:
            # Vue hands the attribute over as a string, which the component tests with `includes(index)`:
            # "[0]" matches the first bar only (fewer than 10 bars here).
            if not 0 <= self.highlight < min(10, len(self.labels)):
                raise ValueError("highlight: index of one of the first 10 bars")
            attrs["selected-palette"] = "neutral"
            attrs["highlight-index"] = f"[{self.highlight}]"
        return attrs


def _plain(text: str) -> str:
    """The component's tooltip writes the labels with innerHTML: no "<" may reach it (the exact text is in
    the table next to the chart)."""
    return str(text).replace("<", "\u2039").replace(">", "\u203a")


@dataclass
class Chart:
    svg: str
    title: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    web: WebChart | None = None
    # The status of a figure of the chart that is not complete (`Value.caveat`), said under it.
    note: str = ""


def _attr(text: str) -> str:
    return escape(str(text), {'"': "&quot;"})


def _open_svg(width: int, height: int, title: str, desc: str, prefix: str) -> tuple[str, str]:
    uid = f"{prefix}-{next(_ids)}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'role="img" aria-labelledby="{uid}-t {uid}-d" class="ctg-chart" '  # ctg.css: max-width 100%
        f'font-family="{_attr(FONT)}">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
    )
    return head, uid


def bar_chart(title: str, bars: list[tuple[str, float, bool]], unit: str, decimals: int = 1) -> str:
    """Horizontal bars: (label, value, highlighted). Values may be negative (an evolution)."""
    label_width, value_width, bar_area, row = 190, 90, 300, 30
    width = label_width + bar_area + value_width
    height = row * len(bars) + 16
    low = min(0.0, *(v for _l, v, _h in bars))
    high = max(0.0, *(v for _l, v, _h in bars))
    span = (high - low) or 1.0

    def x(value: float) -> float:
        return label_width + (value - low) / span * bar_area

    desc = "; ".join(f"{label} : {format_value(value, unit, decimals)}" for label, value, _h in bars)
    head, _uid = _open_svg(width, height, title, desc, "bar")
    parts = [head]
    zero = x(0.0)
    for index, (label, value, highlighted) in enumerate(bars):
        top = 8 + index * row
        start, end = sorted((zero, x(value)))
        colour = TERRITORY_COLOUR if highlighted else REFERENCE_COLOUR
        weight = ' font-weight="700"' if highlighted else ""
        parts.append(
            f'<text x="{label_width - 8}" y="{top + 15}" text-anchor="end" font-size="13" '
            f'fill="{TEXT_COLOUR}"{weight}>{escape(label)}</text>'
            f'<rect x="{start:.1f}" y="{top + 2}" width="{max(end - start, 1):.1f}" height="{row - 10}" '
            f'fill="{colour}"/>'
            f'<text x="{label_width + bar_area + 6}" y="{top + 15}" font-size="13" '
            f'fill="{TEXT_COLOUR}"{weight}>{escape(format_value(value, unit, decimals))}</text>'
        )
    parts.append(
        f'<line x1="{zero:.1f}" y1="4" x2="{zero:.1f}" y2="{height - 4}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def comparison_chart(result, territory_name: str) -> Chart | None:
    """The territory against its département, région and France for one rate indicator."""
    ind = result.indicator
    if result.value.value is None:
        return None
    bars = [(territory_name, result.value.value, True)]
    for ref in result.references.values():
        if ref.value is not None:
            bars.append((ref.name, ref.value, False))
    if len(bars) < 2:
        return None
    title = f"{ind.label} : {territory_name} comparé aux territoires de référence"
    return Chart(
        svg=bar_chart(title, bars, ind.unit, ind.decimals),
        title=title,
        headers=["Territoire", ind.label],
        rows=[[label, format_value(value, ind.unit, ind.decimals)] for label, value, _h in bars],
        web=WebChart(
            labels=[label for label, _v, _h in bars],
            series=[[value for _l, value, _h in bars]],
            names=[ind.label],
            unit=ind.unit,
            horizontal=True,
            highlight=0,
            # 3 or 4 bars of at most 32 px: about 300 px high across the content's width.
            aspect_ratio=3,
        ),
        note=f"{territory_name} : {result.value.caveat}" if result.value.caveat else "",
    )


AGE_BANDS = ("0-14 ans", "15-29 ans", "30-59 ans", "60-74 ans", "75 ans et plus")


def age_shares(values: dict[str, float | None]) -> list[float] | None:
    """Five age bands from the portrait's shares (moins de 15, 15-29, 60 et plus, 75 et plus)."""
    needed = ("part_moins_15_ans", "part_15_29_ans", "part_60_ans_et_plus", "part_75_ans_et_plus")
    if any(values.get(k) is None for k in needed):
        return None
    young, youth, senior, old = (values[k] for k in needed)
    return [young, youth, max(0.0, 100.0 - young - youth - senior), max(0.0, senior - old), old]


def age_structure_chart(portrait) -> Chart | None:
    """Vertical grouped bars: the territory's age structure, and its département's when known."""
    ids = ("part_moins_15_ans", "part_15_29_ans", "part_60_ans_et_plus", "part_75_ans_et_plus")
    results = {r.indicator.id: r for r in portrait.results if r.indicator.id in ids}
    if len(results) < len(ids):
        return None
    own = age_shares({k: r.value.value for k, r in results.items()})
    if own is None:
        return None
    series = [(portrait.territory.name, own, TERRITORY_COLOUR)]
    dep = [r.references.get("departement") for r in results.values()]
    if all(d is not None and d.value is not None for d in dep):
        ref = age_shares({k: r.references["departement"].value for k, r in results.items()})
        if ref is not None:
            series.append((dep[0].name, ref, REFERENCE_COLOUR))
    title = f"Structure par âge de la population : {portrait.territory.name}"
    desc = " ; ".join(
        f"{name} : "
        + ", ".join(f"{band} {format_value(v, '%')}" for band, v in zip(AGE_BANDS, values, strict=True))
        for name, values, _c in series
    )
    width, height, left, bottom, top = 600, 260, 40, 40, 36
    plot_h = height - bottom - top
    top_value = max(max(v) for _n, v, _c in series) or 1.0
    top_value = (int(top_value / 10) + 1) * 10
    group_w = (width - left - 10) / len(AGE_BANDS)
    bar_w = min(40.0, (group_w - 16) / len(series))
    head, _uid = _open_svg(width, height, title, desc, "age")
    parts = [head]
    for tick in range(0, int(top_value) + 1, 10):
        y = top + plot_h - tick / top_value * plot_h
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" '
            'stroke="#dddddd" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{TEXT_COLOUR}">'
            f"{tick}\u00a0%</text>"
        )
    for band_index, band in enumerate(AGE_BANDS):
        gx = left + band_index * group_w + (group_w - bar_w * len(series)) / 2
        for s_index, (_name, values, colour) in enumerate(series):
            value = values[band_index]
            h = value / top_value * plot_h
            bx = gx + s_index * bar_w
            parts.append(
                f'<rect x="{bx:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 3:.1f}" height="{h:.1f}" '
                f'fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{left + band_index * group_w + group_w / 2:.1f}" y="{height - bottom + 16}" '
            f'text-anchor="middle" font-size="12" fill="{TEXT_COLOUR}">{escape(band)}</text>'
        )
    # legend
    lx = left
    for name, _values, colour in series:
        parts.append(
            f'<rect x="{lx}" y="8" width="14" height="14" fill="{colour}"/>'
            f'<text x="{lx + 20}" y="20" font-size="12" fill="{TEXT_COLOUR}">{escape(name)}</text>'
        )
        lx += 30 + 7 * len(name)
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
        f'stroke="{AXIS_COLOUR}"/>'
    )
    parts.append("</svg>")
    return Chart(
        svg="".join(parts),
        title=title,
        headers=["Tranche d'âge"] + [name for name, _v, _c in series],
        rows=[
            [band] + [format_value(values[i], "%") for _n, values, _c in series]
            for i, band in enumerate(AGE_BANDS)
        ],
        web=WebChart(
            labels=list(AGE_BANDS),
            series=[values for _n, values, _c in series],
            names=[name for name, _v, _c in series],
            unit="%",
            aspect_ratio=2.4,
        ),
        note=next(
            (f"{portrait.territory.name} : {r.value.caveat}" for r in results.values() if r.value.caveat), ""
        ),
    )


def theme_chart(theme: dict, portrait) -> Chart | None:
    """The chart of a theme: the age structure for demography, else the first rate against its references."""
    if theme["theme"] == "demographie":
        chart = age_structure_chart(portrait)
        if chart is not None:
            return chart
    for result in theme["results"]:
        if result.indicator.is_rate and result.indicator.unit == "%":
            chart = comparison_chart(result, portrait.territory.name)
            if chart is not None:
                return chart
    return None
