// A chart drawn on the server as inline SVG, no script: one or more stacked panels over the same
// x axis (days or minutes), each with bars, a line, marks and a threshold line. Colours come from the
// page's stylesheet (CHART_CSS), so light and dark follow the page. Pure.
import { html, raw, type SafeHtml } from "./html";

export type ChartSeries =
  /** Bars from zero, upwards, or downwards when `down` (leaves under joins). */
  | { kind: "bars"; values: number[]; cls: string; down?: boolean; over?: number }
  /** A line through the points; null breaks it (no figure that day). */
  | { kind: "line"; values: (number | null)[]; cls: string }
  /** A mark at the top of the panel where the value is above zero (failures). */
  | { kind: "marks"; values: number[]; cls: string };

export type ChartPanel = {
  label: string;
  series: ChartSeries[];
  threshold?: { value: number; label: string };
  /** How the y axis writes a value (short: it fits the left margin at a phone's larger text). */
  format: (value: number) => string;
  height?: number;
};

export type Chart = {
  id: string;
  /** The accessible name, and the text alternative read in place of the picture. */
  title: string;
  description: string;
  xLabels: string[];
  panels: ChartPanel[];
};

const WIDTH = 640;
const LEFT = 72;
const RIGHT = 12;
const LABEL_ROW = 22;
const PANEL_GAP = 14;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;

/** Colours by class, from the page's custom properties; added to the desk's stylesheet. */
export const CHART_CSS = `
.chart { margin: 0; }
.chart svg { width: 100%; height: auto; display: block; background: var(--card); border: 1px solid var(--line); border-radius: .5rem; }
.chart text { fill: var(--muted); font: 13px system-ui, sans-serif; }
.chart text.panel { fill: var(--fg); font-weight: 600; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .line { fill: none; stroke: var(--accent); stroke-width: 2.5; }
.chart .bar { fill: var(--accent); }
.chart .join { fill: var(--good); }
.chart .leave, .chart .fail, .chart .over { fill: var(--danger); }
.chart .threshold { stroke: var(--fg); stroke-width: 1.5; stroke-dasharray: 6 4; }
.chart .dot { fill: var(--accent); }
.chart text.over-bars { paint-order: stroke; stroke: var(--card); stroke-width: 5px; stroke-linejoin: round; }
@media (max-width: 40rem) { .chart text { font-size: 18px; } }
.chart figcaption { font-size: .95rem; color: var(--muted); margin: .4rem 0 0; }
.figures { display: grid; gap: 1rem; align-items: start; }
@media (min-width: 60rem) { .figures { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); } }
.numbers { max-height: 22rem; overflow: auto; border: 1px solid var(--line); border-radius: .5rem; }
.numbers table { font-size: .85rem; font-variant-numeric: tabular-nums; table-layout: auto; }
.numbers th, .numbers td { overflow-wrap: normal; }
.numbers td { white-space: nowrap; }
.numbers th { position: sticky; top: 0; background: var(--card); }
.numbers caption { text-align: left; padding: .4rem .5rem 0; }
:root { --good: #1e7f3c; }
@media (prefers-color-scheme: dark) { :root { --good: #7fd18b; } }
`;

const round = (n: number) => Math.round(n * 10) / 10;

/** A ceiling a person reads at a glance, whose half is as round: 1, 2, 4, 6 or 8 times a power of ten. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 4, 6, 8, 10].find((m) => m * power >= value) ?? 10;
  return Number((step * power).toPrecision(6));
}

/** The top of a panel's scale, and how far it goes below zero (bars downwards). */
export function panelExtent(panel: ChartPanel): { top: number; bottom: number } {
  let up = panel.threshold?.value ?? 0;
  let down = 0;
  for (const series of panel.series) {
    if (series.kind === "marks") continue;
    for (const value of series.values) {
      if (value === null) continue;
      if (series.kind === "bars" && series.down) down = Math.max(down, value);
      else up = Math.max(up, value);
    }
  }
  return { top: niceCeiling(up * 1.08), bottom: down > 0 ? niceCeiling(down * 1.08) : 0 };
}

function drawPanel(panel: ChartPanel, y0: number, count: number): { svg: SafeHtml; end: number } {
  const height = panel.height ?? 150;
  const plotTop = y0 + LABEL_ROW;
  const { top, bottom } = panelExtent(panel);
  const span = top + bottom;
  const zeroY = plotTop + (top / span) * height;
  const y = (value: number) => round(zeroY - (value / span) * height);
  const slot = PLOT_WIDTH / Math.max(count, 1);
  // Bars fill most of their slot, but a send of a few minutes gets bars, not blocks.
  const barWidth = round(Math.min(24, Math.max(1, slot * 0.72)));
  const x = (i: number) => round(LEFT + i * slot + (slot - barWidth) / 2);
  const cx = (i: number) => round(LEFT + (i + 0.5) * slot);
  const parts: string[] = [];
  const ticks = bottom > 0 ? [top, 0, -bottom] : [top, top / 2, 0];
  for (const tick of ticks) {
    parts.push(
      `<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(tick)}" y2="${y(tick)}"/>`,
      html`<text x="${LEFT - 6}" y="${y(tick) + 4}" text-anchor="end">${panel.format(Math.abs(tick))}</text>`
        .value,
    );
  }
  for (const series of panel.series) {
    if (series.kind === "bars") {
      series.values.forEach((value, i) => {
        if (value <= 0) return;
        const cls = series.over !== undefined && value >= series.over ? "over" : series.cls;
        const [from, to] = series.down ? [zeroY, y(-value)] : [y(value), zeroY];
        parts.push(
          `<rect class="${cls}" x="${x(i)}" y="${round(from)}" width="${barWidth}" height="${round(Math.max(to - from, 1))}"/>`,
        );
      });
    } else if (series.kind === "line") {
      let path = "";
      const values = series.values;
      values.forEach((value, i) => {
        if (value === null) return;
        const joined = i > 0 && values[i - 1] !== null;
        path += `${joined ? "L" : "M"}${cx(i)} ${y(value)}`;
        // A point with no neighbour draws no line: a dot shows it.
        if (!joined && (values[i + 1] ?? null) === null)
          parts.push(`<circle class="dot" cx="${cx(i)}" cy="${y(value)}" r="4"/>`);
      });
      if (path) parts.push(`<path class="${series.cls}" d="${path}"/>`);
    } else {
      series.values.forEach((value, i) => {
        if (value <= 0) return;
        const c = cx(i);
        parts.push(
          `<path class="${series.cls}" d="M${c - 5} ${plotTop - 2}L${c + 5} ${plotTop - 2}L${c} ${plotTop + 7}Z"/>`,
        );
      });
    }
  }
  if (panel.threshold) {
    const ty = y(panel.threshold.value);
    parts.push(
      `<line class="threshold" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${ty}" y2="${ty}"/>`,
      html`<text class="over-bars" x="${WIDTH - RIGHT - 4}" y="${ty - 5}" text-anchor="end">${panel.threshold.label}</text>`
        .value,
    );
  }
  const label = html`<text class="panel" x="${LEFT}" y="${y0 + 14}">${panel.label}</text>`.value;
  return { svg: raw(label + parts.join("")), end: plotTop + height };
}

/** The chart as a figure: the SVG (role img, named by its title and description) and a caption. */
export function renderChart(chart: Chart): SafeHtml {
  const count = chart.xLabels.length;
  let y = 4;
  const panels: SafeHtml[] = [];
  for (const panel of chart.panels) {
    const drawn = drawPanel(panel, y, count);
    panels.push(drawn.svg);
    y = drawn.end + PANEL_GAP;
  }
  // Below the last panel's lowest tick label.
  const axisY = y - PANEL_GAP + 26;
  const first = chart.xLabels[0] ?? "";
  const last = chart.xLabels.at(-1) ?? "";
  const middle = chart.xLabels[Math.floor(count / 2)] ?? "";
  const axis = html`<text x="${LEFT}" y="${axisY}">${first}</text>
    ${count > 2 ? html`<text x="${LEFT + PLOT_WIDTH / 2}" y="${axisY}" text-anchor="middle">${middle}</text>` : ""}
    ${count > 1 ? html`<text x="${WIDTH - RIGHT}" y="${axisY}" text-anchor="end">${last}</text>` : ""}`;
  const height = axisY + 8;
  return html`<figure class="chart">
    <svg
      viewBox="0 0 ${WIDTH} ${height}"
      role="img"
      aria-labelledby="${chart.id}-title"
      aria-describedby="${chart.id}-desc"
      xmlns="http://www.w3.org/2000/svg"
    >
      <title id="${chart.id}-title">${chart.title}</title>
      <desc id="${chart.id}-desc">${chart.description}</desc>
      ${panels}${axis}
    </svg>
    <figcaption>${chart.description}</figcaption>
  </figure>`;
}
