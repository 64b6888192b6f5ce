// A chart spec (svg-chart.ts) drawn for email as table cells: every client draws a coloured cell,
// where Gmail shows no SVG image and Outlook on Windows no data: image (caniemail.com, image-svg and
// image-base64). Each panel is one row of columns, split where the threshold (or zero) falls, so the
// split is a line across the chart. Colours keep 3.9:1 or more on both the light and the dark card.
// The picture is hidden from screen readers: the chart's description and the numbers are text. Pure.
import { html, raw, type SafeHtml } from "./html";
import { panelExtent, type Chart, type ChartPanel } from "./svg-chart";

const COLOURS: Record<string, string> = {
  bar: "#3b78e7",
  line: "#3b78e7",
  join: "#279147",
  leave: "#e0483e",
  fail: "#e0483e",
  over: "#e0483e",
};
const RULE = "#808080";
// Gmail clips a message past 102 KB: a chart keeps to this many columns, each a day or minutes.
export const MAX_EMAIL_COLUMNS = 90;
const CELL = "padding:0;font-size:0;line-height:0;";

/** A bar piece: a cell of a height, which Outlook on Windows honours where it ignores a div's. */
function piece(height: number, colour: string): string {
  const h = Math.round(height);
  if (h <= 0) return "";
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td height="${h}" style="${CELL}height:${h}px;background:${colour};">&nbsp;</td></tr></table>`;
}

type Column = { upper: string; lower: string; mark: boolean };

function columnsOf(panel: ChartPanel, count: number, height: number) {
  const { top, bottom } = panelExtent(panel);
  const split = panel.threshold?.value ?? 0;
  // Pixels of the upper region (above the split) and the lower one (below it: to zero, or the
  // downward bars' depth).
  const lowerScale = bottom > 0 ? bottom : split;
  // At least 2 px, so a low threshold (0.3% under a 40% day) still draws its line.
  const lowerHeight = lowerScale > 0 ? Math.max(2, (lowerScale / (top + bottom)) * height) : 0;
  const upperHeight = height - lowerHeight;
  const perUnit = height / (top + bottom);
  const columns: Column[] = Array.from({ length: count }, () => ({
    upper: "",
    lower: "",
    mark: false,
  }));
  for (const series of panel.series) {
    series.values.forEach((raw, i) => {
      const value = raw ?? 0;
      const column = columns[i];
      if (!column || value <= 0) return;
      if (series.kind === "marks") return void (column.mark = true);
      const over = series.kind === "bars" && series.over !== undefined && value >= series.over;
      const colour = COLOURS[over ? "over" : series.cls] ?? COLOURS.bar!;
      if (series.kind === "bars" && series.down) column.lower += piece(value * perUnit, colour);
      else {
        column.upper += piece(Math.max(0, value - split) * perUnit, colour);
        column.lower += piece(Math.min(value, split) * perUnit, colour);
      }
    });
  }
  return { columns, upperHeight, lowerHeight, downward: bottom > 0 };
}

function renderPanel(panel: ChartPanel, count: number): SafeHtml {
  const height = Math.round((panel.height ?? 150) * 0.6);
  const { columns, upperHeight, lowerHeight, downward } = columnsOf(panel, count, height);
  const width = `${(100 / Math.max(count, 1)).toFixed(3)}%`;
  const hasMarks = columns.some((column) => column.mark);
  const cells = (pick: (column: Column) => string, region: number, valign: string, rule: string) =>
    columns
      .map(
        (column) =>
          `<td width="${width}" valign="${valign}" height="${Math.round(region)}" style="${CELL}height:${Math.round(region)}px;${rule}">${pick(column)}</td>`,
      )
      .join("");
  const ruleCss = `border-top:${panel.threshold ? 2 : 1}px solid ${RULE};`;
  const rows = [
    hasMarks
      ? `<tr>${columns.map((c) => `<td style="${CELL}height:6px;${c.mark ? `background:${COLOURS.fail};` : ""}">&nbsp;</td>`).join("")}</tr>`
      : "",
    upperHeight >= 1 ? `<tr>${cells((c) => c.upper, upperHeight, "bottom", "")}</tr>` : "",
    lowerHeight >= 1
      ? `<tr>${cells((c) => c.lower, lowerHeight, downward ? "top" : "bottom", ruleCss)}</tr>`
      : "",
  ].join("");
  const scale = panel.threshold
    ? `; the grey line is ${panel.threshold.label}`
    : downward
      ? "; the grey line is zero"
      : "";
  return html`<p style="margin:14px 0 4px;font-size:13px;"><strong>${panel.label}</strong>
      <span class="m" style="color:#5b5b5b;">(up to ${panel.format(panelExtent(panel).top)}${scale})</span></p>
    <table role="presentation" aria-hidden="true" width="100%" cellpadding="0" cellspacing="0" border="0" style="table-layout:fixed;border-collapse:collapse;">
      ${raw(rows)}
    </table>`;
}

/** The chart for an email: its panels as table cells, the first and last x labels, its description. */
export function renderEmailChart(chart: Chart): SafeHtml {
  const count = Math.min(chart.xLabels.length, MAX_EMAIL_COLUMNS);
  const first = chart.xLabels[0] ?? "";
  const last = chart.xLabels[count - 1] ?? "";
  return html`<h2 style="margin:24px 0 4px;font-size:18px;">${chart.title}</h2>
    <p style="margin:0 0 4px;">${chart.description}</p>
    ${chart.panels.map((panel) => renderPanel(panel, count))}
    <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
      <tr>
        <td class="m" style="font-size:12px;color:#5b5b5b;">${first}</td>
        <td class="m" align="right" style="font-size:12px;color:#5b5b5b;">${last}</td>
      </tr>
    </table>`;
}
