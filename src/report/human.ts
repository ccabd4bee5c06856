/**
 * Human output (SPEC.md §12.1): results on stdout; logs and progress on stderr —
 * on a terminal a bar (percentage, rate, ETA: ./progress-bar.ts) when the total is known
 * and a redrawn count otherwise; a plain line every few seconds when not a terminal.
 */
import type { Finding } from '../findings.js';
import { TerminalBar } from './progress-bar.js';
import type { Progress, Reporter } from './reporter.js';

/** Where the human reporter writes; injectable for tests. */
export interface HumanStreams {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown; isTTY?: boolean; columns?: number };
}

/** Options of {@link HumanReporter}. */
export interface HumanOptions { quiet?: boolean; records?: boolean; now?: () => number }

/** Renders progress as a bar (TTY) or periodic lines, findings as one line each. */
export class HumanReporter implements Reporter {
  private lastDraw = 0;
  private barShown = false;
  private started = new Map<string, number>();
  private bar: TerminalBar | null = null;
  private readonly now: () => number;
  constructor(private readonly io: HumanStreams, private readonly opts: HumanOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  progress(p: Progress): void {
    if (this.opts.quiet === true) return;
    const t = this.now();
    if (!this.started.has(p.phase)) this.started.set(p.phase, t);
    const tty = this.io.err.isTTY === true;
    if (t - this.lastDraw < (tty ? 100 : 5000)) return;
    this.lastDraw = t;
    const seconds = (t - this.started.get(p.phase)!) / 1000;
    if (tty && p.total !== undefined && p.total > 0) {
      if (this.bar !== null && this.bar.phase !== p.phase) this.clear();
      this.bar ??= new TerminalBar(this.io.err, p.phase, p.unit ?? 'documents');
      this.bar.update(Math.min(p.done, p.total), p.total, seconds >= 0.5 ? p.done / seconds : undefined);
      return;
    }
    if (this.bar !== null) this.clear();
    const line = formatProgress(p, seconds);
    if (tty) {
      this.io.err.write(`\r\x1b[K${line.slice(0, (this.io.err.columns || 100) - 1)}`);
      this.barShown = true;
    } else {
      this.io.err.write(`${line}\n`);
    }
  }

  info(message: string): void { if (this.opts.quiet !== true) this.line(message); }
  warn(message: string): void { this.line(`warning: ${message}`); }
  finding(f: Finding): void { this.clear(); this.io.out.write(`${formatFinding(f)}\n`); }

  record(type: string, data: Record<string, unknown>): void {
    if (this.opts.records === false) return;
    this.clear();
    this.io.out.write(`${type} ${Object.entries(data).map(([k, v]) => `${k}=${String(v)}`).join(' ')}\n`);
  }

  done(): void { this.clear(); }

  private line(s: string): void { this.clear(); this.io.err.write(`${s}\n`); }
  private clear(): void {
    if (this.bar !== null) { this.bar.stop(); this.bar = null; }
    if (this.barShown) { this.io.err.write('\r\x1b[K'); this.barShown = false; }
  }
}

/** `phase [#####-----] 50% 1200/2400 blocks 300/s ETA 4s` (bar only when total is known). */
export function formatProgress(p: Progress, seconds: number): string {
  // No rate until there is time to measure one: a first line never says `(0/s)`.
  const rate = seconds >= 0.5 ? p.done / seconds : undefined;
  const unit = p.unit ?? 'documents';
  if (p.total === undefined || p.total <= 0) return `${p.phase}: ${p.done} ${unit}${rate === undefined ? '' : ` (${Math.round(rate)}/s)`}`;
  const frac = Math.min(1, p.done / p.total);
  const width = 24;
  const filled = Math.round(frac * width);
  const eta = rate !== undefined && rate > 0 ? Math.max(0, Math.round((p.total - p.done) / rate)) : undefined;
  return `${p.phase} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(frac * 100)}% `
    + `${p.done}/${p.total} ${unit}${rate === undefined ? '' : ` ${Math.round(rate)}/s`}${eta === undefined ? '' : ` ETA ${eta}s`}`;
}

/** One line per finding: `CODE kind doc: message`. */
export function formatFinding(f: Finding): string {
  return `${f.code} ${f.kind} ${f.doc}: ${f.message}`;
}
