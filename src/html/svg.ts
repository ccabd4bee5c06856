/**
 * The report's pictures (docs/spec-report.md §2), drawn as SVG from the aggregated data: a
 * stacked timeline of blocks by status, and one lane per voter with its vote coverage, gaps,
 * forks and complete-through point. Colours are CSS classes, so light, dark and print modes
 * restyle them; every mark has a <title> a person can hover.
 */
import type { ReportData, StatusCounts } from './data.js';
import { esc, short, when } from './escape.js';

const W = 960;
const LEFT = 150;
const STATUSES: (keyof StatusCounts)[] = ['valid', 'invalid', 'undecided', 'unelected'];

const x = (i: number, n: number): number => LEFT + ((W - LEFT - 10) * i) / n;
const range = (d: ReportData, i: number): string =>
  `${when(d.timeline.start + i * d.timeline.width)} – ${when(d.timeline.start + (i + 1) * d.timeline.width - 1)}`;

function axis(d: ReportData, y: number): string {
  const n = d.timeline.buckets.length;
  const ticks = [0, Math.floor(n / 2), n];
  return ticks.map((i, j) => `<text class="axis" x="${x(i, n).toFixed(1)}" y="${y}" text-anchor="${['start', 'middle', 'end'][j]}">${esc(when(d.timeline.start + i * d.timeline.width))}</text>`).join('');
}

/** Blocks by status over time: one stacked bar per bucket. */
export function timelineSvg(d: ReportData): string {
  const H = 180;
  const n = d.timeline.buckets.length;
  const max = Math.max(1, ...d.timeline.buckets.map((b) => b.valid + b.invalid + b.undecided + b.unelected));
  const bw = Math.max(1, (W - LEFT - 10) / n - 1);
  const bars = d.timeline.buckets.map((b, i) => {
    let top = H;
    const parts = STATUSES.filter((s) => b[s] > 0).map((s) => {
      const h = (b[s] / max) * (H - 10);
      top -= h;
      return `<rect class="st-${s}" x="${x(i, n).toFixed(1)}" y="${top.toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}"/>`;
    });
    if (parts.length === 0) return '';
    const tip = `${range(d, i)}: ${STATUSES.map((s) => `${b[s]} ${s}`).join(', ')}`;
    return `<g class="bucket"><title>${esc(tip)}</title>${parts.join('')}</g>`;
  }).join('');
  return `<svg id="timeline" role="img" aria-label="blocks by status over time" viewBox="0 0 ${W} ${H + 22}" width="100%">`
    + `<text class="axis" x="0" y="14">${max} block${max === 1 ? "" : "s"} per bucket</text><line class="base" x1="${LEFT}" x2="${W - 10}" y1="${H}" y2="${H}"/>`
    + `${bars}${axis(d, H + 16)}</svg>`;
}

/** One lane per voter: coverage per bucket (opacity), gaps (red) and forks (marks), complete-through (line). */
export function lanesSvg(d: ReportData): string {
  const n = d.timeline.buckets.length;
  const L = 30;
  const H = d.lanes.length * L;
  const bw = Math.max(1, (W - LEFT - 10) / n - 1);
  const lanes = d.lanes.map((lane, j) => {
    const y = j * L + 4;
    const cells = lane.voted.map((v, i) => {
      const b = d.timeline.buckets[i]!;
      const blocks = b.valid + b.invalid + b.undecided + b.unelected;
      if (blocks === 0) return '';
      const share = Math.min(1, v / blocks);
      const cx = x(i, n).toFixed(1);
      let out = `<rect class="vote" x="${cx}" y="${y}" width="${bw.toFixed(1)}" height="${L - 10}" fill-opacity="${(0.15 + 0.85 * share).toFixed(2)}"><title>${esc(`${lane.name}, ${range(d, i)}: voted ${v} of ${blocks} blocks`)}</title></rect>`;
      if (lane.missing[i]! > 0) out += `<rect class="gap" x="${cx}" y="${y - 3}" width="${Math.max(3, bw).toFixed(1)}" height="${L - 4}"><title>${esc(`${lane.name}: ${lane.missing[i]} gap(s) (missing votes or blocks) in ${range(d, i)}`)}</title></rect>`;
      if (lane.forks[i]! > 0) out += `<path class="fork" d="M${cx} ${y + L - 6} l${(bw / 2 + 3).toFixed(1)} -${L - 10} l${(bw / 2 + 3).toFixed(1)} ${L - 10} z"><title>${esc(`${lane.name}: ${lane.forks[i]} fork(s) in ${range(d, i)}`)}</title></path>`;
      return out;
    }).join('');
    const ct = lane.completeThroughTimestamp;
    const ctX = ct === null || d.timeline.buckets.length === 0 ? null : Math.min(W - 10, x((Number(ct) - d.timeline.start) / d.timeline.width, n));
    const mark = ctX === null ? '' : `<line class="complete" x1="${ctX.toFixed(1)}" x2="${ctX.toFixed(1)}" y1="${y - 4}" y2="${y + L - 6}"><title>${esc(`${lane.name} complete through ${lane.completeThrough === null ? '—' : short(lane.completeThrough)} at ${when(ct)}`)}</title></line>`;
    return `<g class="lane" data-voter="${esc(lane.key)}"><text class="label" x="0" y="${y + 15}">${esc(lane.name)}</text>${cells}${mark}</g>`;
  }).join('');
  return `<svg id="lanes" role="img" aria-label="vote chain of each voter" viewBox="0 -2 ${W} ${H + 22}" width="100%">${lanes}${axis(d, H + 14)}</svg>`;
}
