/**
 * Machine output (SPEC.md §12.2): one JSON object per line on stdout, each with a
 * `type`: "progress" | "info" | "warning" | "finding" | <record type> | "summary" | "error".
 * Progress events are throttled to one per second per phase.
 */
import type { Finding } from '../findings.js';
import type { Progress, Reporter } from './reporter.js';

/** NDJSON event writer. */
export class JsonReporter implements Reporter {
  private last = new Map<string, number>();
  constructor(private readonly out: { write(s: string): unknown }, private readonly now: () => number = Date.now) {}

  /** Write one event. bigint values are written as JSON numbers' digits. */
  emit(type: string, data: Record<string, unknown>): void {
    this.out.write(`${JSON.stringify({ type, ...data }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
  }

  progress(p: Progress): void {
    const t = this.now();
    if (t - (this.last.get(p.phase) ?? 0) < 1000) return;
    this.last.set(p.phase, t);
    this.emit('progress', { ...p });
  }
  info(message: string): void { this.emit('info', { message }); }
  warn(message: string): void { this.emit('warning', { message }); }
  finding(f: Finding): void { this.emit('finding', { ...f }); }
  record(type: string, data: Record<string, unknown>): void { this.emit(type, data); }
  done(): void {}
}
