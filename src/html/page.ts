/**
 * The report page (docs/spec-report.md): one self-contained HTML file — stylesheet, pictures
 * (SVG) and the one small script inline, a Content-Security-Policy that forbids every fetch —
 * drawn from aggregated data (html/data.ts), so it opens quickly for any archive's size.
 */
import type { BlockRow, Capped, ReportData } from './data.js';
import { esc, short, when } from './escape.js';
import { STYLE } from './style.js';
import { lanesSvg, timelineSvg } from './svg.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";
// Closed <details> would not print: open them all before printing.
const SCRIPT = "addEventListener('beforeprint',()=>{for(const d of document.querySelectorAll('details'))d.open=true})";

const id = (s: string): string => `<span class="id" title="${esc(s)}">${esc(short(s))}</span>`;
const more = (c: Capped<unknown>): string => (c.total > c.items.length ? `<p class="muted">… and ${c.total - c.items.length} more (first ${c.items.length} shown)</p>` : '');
const table = (head: string[], rows: string[][]): string =>
  `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
const card = (name: string, label: string, value: string | number, cls = ''): string =>
  `<div data-count="${esc(name)}"><dt>${esc(label)}</dt><dd class="${cls}">${esc(value)}</dd></div>`;

/** Render the report. */
export function renderReport(d: ReportData): string {
  const nameOf = new Map(d.federation.keys.map((k) => [k.key, k.name]));
  const voter = (k: string): string => `<span title="${esc(k)}">${esc(nameOf.get(k) ?? short(k))}</span>`;
  const gapsTotal = d.gaps.missingBlocks.total + d.gaps.missingVotes.total + d.gaps.forks.total + d.gaps.unreachable.total;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}"><meta name="color-scheme" content="light dark">
<title>ledger-archive report</title><style>${STYLE}</style><script>${SCRIPT}</script></head><body>
<header><h1>Ledger archive report</h1><p class="muted">${esc(d.archive.dir ?? 'archive')} · generated ${esc(d.generatedAt)} · archive created ${esc(d.archive.createdAt)} · format ${d.archive.formatVersion} · ${d.archive.commits} commits</p></header>
${d.warnings.map((w) => `<p class="warn" data-warning="${esc(w.code)}"><b>${esc(w.code)}</b> ${esc(w.message)}</p>`).join('')}
<section id="counts"><h2>Counts</h2><dl class="cards">
${card('blocks', 'blocks', d.counts.blocks)}${card('valid', 'valid', d.statuses.valid, 'ok')}${card('invalid', 'invalid', d.statuses.invalid, d.statuses.invalid > 0 ? 'bad' : '')}${card('undecided', 'undecided', d.statuses.undecided)}${card('unelected', 'not elected', d.statuses.unelected)}
${card('votes', 'votes', d.counts.votes)}${card('duplicateVotes', 'duplicate votes', d.counts.duplicateVotes)}${card('transactions', 'transactions', d.counts.transactions)}${card('quarantined', 'quarantined', d.counts.quarantined, d.counts.quarantined > 0 ? 'bad' : '')}${card('gaps', 'gaps', gapsTotal, gapsTotal > 0 ? 'bad' : 'ok')}
</dl></section>
<section id="federation"><h2>Federation</h2><p>hash function <code>${esc(d.federation.hash)}</code>, ${d.federation.keys.length} keys</p>
${table(['name', 'public key'], d.federation.keys.map((k) => [esc(k.name), `<code>${esc(k.key)}</code>`]))}</section>
<section id="completeness"><h2>Completeness</h2><p>Overall complete through <b data-complete="overall">${esc(when(d.completeThroughTimestamp))}</b> (every voter's chain is unbroken up to there).</p>
${table(['voter', 'votes', 'chain depth', 'complete through', 'at'], d.lanes.map((l) => [voter(l.key), String(l.votes), String(l.depth), l.completeThrough === null ? '—' : id(l.completeThrough), esc(when(l.completeThroughTimestamp))]))}
<h3>Activity</h3>${table(['what', 'when'], [
    ...d.sources.map((s) => [`last pull from <code>${esc(s.name)}</code>`, `${esc(s.lastPullAt)} (${s.ageSeconds} s ago${s.stale ? ', <b class="bad">stale</b>' : ''})`]),
    ...(d.sources.length === 0 ? [['last pull', 'never']] : []),
    ['last export', esc(d.lastExport ?? 'never exported')],
    ['last check', esc(d.lastCheck ?? 'never checked')],
    ['audit', d.audit === null ? 'not run' : `${esc(d.audit.at)}: ${esc(d.audit.summary)}`],
  ])}</section>
<section id="timeline-section"><h2>Blocks over time</h2><p class="legend"><span><i class="b-valid"></i>valid</span><span><i class="b-invalid"></i>invalid</span><span><i class="b-undecided"></i>undecided</span><span><i class="b-unelected"></i>not elected</span></p>
${timelineSvg(d)}<p class="muted">${d.timeline.buckets.length} buckets of ${d.timeline.width} s each.</p></section>
<section id="lanes-section"><h2>Vote chains, one lane per voter</h2><p class="legend"><span><i class="b-vote"></i>share of blocks voted</span><span><i class="b-gap"></i>gap</span><span><i class="b-fork"></i>fork</span><span>┆ complete through</span></p>
${lanesSvg(d)}</section>
<section id="gaps"><h2>Gaps</h2>${gapsTotal === 0 ? '<p class="ok">No gaps: every vote chain is complete.</p>' : ''}
${d.gaps.missingBlocks.total > 0 ? `<h3>Missing blocks (${d.gaps.missingBlocks.total})</h3>${table(['block', 'named by'], d.gaps.missingBlocks.items.map((m) => [id(m.block), m.namedBy.map(voter).join(', ')]))}${more(d.gaps.missingBlocks)}` : ''}
${d.gaps.missingVotes.total > 0 ? `<h3>Missing votes (${d.gaps.missingVotes.total})</h3>${table(['block', 'voter'], d.gaps.missingVotes.items.map((m) => [id(m.block), voter(m.voter)]))}${more(d.gaps.missingVotes)}` : ''}
${d.gaps.forks.total > 0 ? `<h3>Forks (${d.gaps.forks.total})</h3>${table(['voter', 'previous block', 'named next by two votes'], d.gaps.forks.items.map((f) => [voter(f.voter), id(f.previous), f.next.map(id).join(', ')]))}${more(d.gaps.forks)}` : ''}
${d.gaps.unreachable.total > 0 ? `<h3>Unreachable blocks (${d.gaps.unreachable.total})</h3>${table(['block'], d.gaps.unreachable.items.map((b) => [id(b)]))}${more(d.gaps.unreachable)}` : ''}
${d.gaps.pending > 0 ? `<p class="muted">${d.gaps.pending} pending block(s): newer than every vote, not voted on yet (not a gap).</p>` : ''}</section>
<section id="findings"><h2>Findings by code</h2>${d.findings.length === 0 ? '<p class="ok">No findings.</p>' : table(['code', 'count', 'from'], d.findings.map((f) => [`<code data-code="${esc(f.code)}">${esc(f.code)}</code>`, String(f.count), esc(f.source)]))}</section>
<section id="quarantine"><h2>Quarantine (${d.quarantine.total})</h2>${d.quarantine.total === 0 ? '<p class="ok">Empty.</p>' : table(['document', 'kind', 'codes', 'origin', 'at'], d.quarantine.items.map((q) => [id(q.hash), esc(q.kind), q.codes.map((c) => `<code>${esc(c)}</code>`).join(' '), esc(q.origin), esc(q.at)]))}${more(d.quarantine)}</section>
<section id="drilldown"><h2>Invalid and undecided blocks</h2>${drill('invalid', d.invalid)}${drill('undecided', d.undecided)}</section>
<footer class="muted"><p>Written by ledger-archive report; self-contained, no network.</p></footer>
</body></html>
`;
}

function drill(status: string, c: Capped<BlockRow>): string {
  return `<details id="drill-${status}"${c.total > 0 && c.total <= 20 ? ' open' : ''}><summary>${c.total} ${status} block(s)</summary>`
    + (c.total === 0 ? '' : table(['block', 'time', 'valid votes', 'invalid votes', 'voters'], c.items.map((b) => [id(b.id), esc(when(b.timestamp)), String(b.nValid), String(b.nInvalid), String(b.nVoters)])) + more(c))
    + '</details>';
}
