/**
 * How operations report (SPEC.md §12): progress, logs and findings go through a
 * Reporter, so ops never touch process, console or a TTY. The CLI picks the human
 * reporter (stderr, progress bar on a terminal) or the JSON one (NDJSON events).
 */
import type { Finding } from '../findings.js';

/** A progress tick: `done` of `total` (when known) `unit`s in `phase`. */
export interface Progress { phase: string; done: number; total?: number; unit?: string }

/** Sink for everything an operation says while it runs. */
export interface Reporter {
  progress(p: Progress): void;
  info(message: string): void;
  warn(message: string): void;
  finding(f: Finding): void;
  /** A result record (e.g. a block's election status) — data, not a log line. */
  record(type: string, data: Record<string, unknown>): void;
  /** Ends progress display (clears a bar). */
  done(): void;
}

/** A reporter that drops everything (the library default). */
export const noopReporter: Reporter = {
  progress() {}, info() {}, warn() {}, finding() {}, record() {}, done() {},
};
