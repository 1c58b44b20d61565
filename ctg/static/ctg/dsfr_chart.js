// Charts of the web pages: the web components of @gouvfr/dsfr-chart (npm package served under
// /static/dsfr-chart/, see ctg/templates/includes/dsfr_chart.html).
//
// dsfr-chart 2.0.4 passes `{shadowRoot: false}` to customElements.define, which ignores it: Vue renders each
// chart in a shadow root, where the page's stylesheets do not apply (no colour dots in the legend, no DSFR
// classes, the tooltip box shown unstyled). Each chart therefore gets the DSFR stylesheet and the
// component's own, by <link> in its shadow root (same files as the page, no inline style, no CDN).
import "../dsfr-chart/BarChart/BarChart.js";

const STYLESHEETS = ["../dsfr/dist/dsfr/dsfr.min.css", "../dsfr-chart/BarChart/BarChart.css"].map(
  (path) => new URL(path, import.meta.url).href,
);

for (const chart of document.querySelectorAll("bar-chart")) {
  const root = chart.shadowRoot;
  if (!root || root.querySelector("link[data-ctg-chart-style]")) continue;
  for (const href of STYLESHEETS) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.dataset.ctgChartStyle = "";
    root.prepend(link);
  }
}
