// An SVG line chart of emails delivered per second over a run, against the provider's rate limit.

export function renderChart(run) {
  const width = 720;
  const height = 300;
  const pad = { left: 60, right: 20, top: 40, bottom: 45 };
  const series = run.perSecond.length > 0 ? run.perSecond : [0];
  const limit = run.rate * 100; // emails per second at the rate limit: 100 per call
  const maxY = Math.max(limit * 1.2, ...series) || 1;
  const maxX = Math.max(series.length, 1);
  const x = (i) => pad.left + (i / maxX) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - (v / maxY) * (height - pad.top - pad.bottom);
  const points = series.map((v, i) => `${x(i + 0.5).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(maxY * f));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">
  <title>Emails per second: ${run.readers} readers, ${run.rate} calls/s, faults ${run.preset}</title>
  <rect width="${width}" height="${height}" fill="#ffffff"/>
  <text x="${pad.left}" y="22" font-size="14" font-weight="bold">Emails delivered per second (${run.readers} readers, ${run.rate} calls/s, faults: ${run.preset}, wall ${run.wallSeconds.toFixed(1)} s)</text>
  ${ticks.map((t) => `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(t)}" y2="${y(t)}" stroke="#eeeeee"/><text x="${pad.left - 8}" y="${y(t) + 4}" text-anchor="end">${t}</text>`).join("\n  ")}
  <line x1="${pad.left}" x2="${width - pad.right}" y1="${y(limit)}" y2="${y(limit)}" stroke="#c62828" stroke-dasharray="6 4"/>
  <text x="${width - pad.right}" y="${y(limit) - 6}" text-anchor="end" fill="#c62828">rate limit: ${limit} emails/s</text>
  ${Array.from({ length: 6 }, (_, k) => Math.round((maxX * k) / 5))
    .map(
      (sec) =>
        `<text x="${x(sec)}" y="${height - pad.bottom + 16}" text-anchor="middle">${sec}</text>`,
    )
    .join("\n  ")}
  <polyline points="${points}" fill="none" stroke="#0b57d0" stroke-width="2"/>
  <text x="${(width + pad.left) / 2}" y="${height - 10}" text-anchor="middle">seconds since the fake provider started</text>
</svg>
`;
}
