/**
 * The terminal progress bar (SPEC.md §12.1), drawn by cli-progress (pinned): percentage,
 * done/total, rate and ETA. Only for a known total on a terminal; everything else is a
 * plain line (human.ts). cli-progress redraws from a timer, which would keep the process
 * alive if an operation threw before `done()`; every bar is therefore registered and the
 * CLI stops them all when a command ends, however it ends ({@link stopAllBars}).
 */
import cliProgress from 'cli-progress';

/** The stream a bar draws on (stderr, or a test's injected terminal). */
export interface BarStream { write(s: string): unknown; isTTY?: boolean; columns?: number }

const active = new Set<TerminalBar>();

/** One bar for one phase. */
export class TerminalBar {
  private readonly bar: cliProgress.SingleBar;
  private running = false;

  constructor(stream: BarStream, readonly phase: string, unit: string) {
    this.bar = new cliProgress.SingleBar({
      stream: stream as NodeJS.WritableStream,
      format: `${phase} [{bar}] {percentage}% {value}/{total} ${unit}{speed}{remaining}`,
      barsize: 24, barCompleteChar: '#', barIncompleteChar: '-',
      hideCursor: false, clearOnComplete: true, linewrap: true, gracefulExit: false, fps: 10,
    });
  }

  /** Show `done` of `total`; `rate` in units per second once there is one (our rate, so the ETA agrees with it). */
  update(done: number, total: number, rate: number | undefined): void {
    const payload = {
      speed: rate === undefined ? '' : ` ${Math.round(rate)}/s`,
      remaining: rate === undefined || rate <= 0 ? '' : ` ETA ${formatEta(Math.max(0, (total - done) / rate))}`,
    };
    if (!this.running) {
      this.running = true;
      active.add(this);
      this.bar.start(total, done, payload);
      return;
    }
    this.bar.setTotal(total);
    this.bar.update(done, payload);
    // The caller throttles (10 a second); draw now rather than on the library's next tick.
    this.bar.render();
  }

  /** Remove the bar from the terminal. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    active.delete(this);
    this.bar.stop();
  }
}

/** `42s`, `3m05s`, `1h20m`. */
export function formatEta(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Stop every bar still drawn (the CLI calls this when a command ends). */
export function stopAllBars(): void {
  for (const b of [...active]) b.stop();
}
