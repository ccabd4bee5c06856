/**
 * `pull --follow` from RethinkDB (docs/spec-pull.md §5): open changefeeds, catch up
 * from the cursor, then ingest changes as they come in small runs, each committing
 * the cursor and the follow state (mode, last event time) with its documents. On a
 * lost connection: reconnect with backoff and catch up again, so what happened while
 * disconnected is read by the catch-up. The abort signal ends it cleanly: the run
 * in progress finishes, then a last record marks the follow stopped.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isLedgerError } from '../errors.js';
import type { RethinkSource } from '../sources/rethinkdb.js';
import type { Layout, RawDoc, TableName } from '../model/documents.js';
import { blockTimestamp, compareTimestamps, pullRethinkAll, withRowsAndVotes, type AllOptions, type RethinkCursor } from './rethinkdb.js';
import type { PullRun } from './run.js';

/** Options of {@link followRethink}. */
export interface FollowOptions extends AllOptions {
  /** Reconnect backoff: first wait, cap (ms; default 500 and 30,000). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Give up after this many failed reconnects in a row (default: never). */
  maxReconnects?: number;
  /** Changes per ingest run (default 500) and how long a run waits to fill (ms, default 200). */
  batchDocs?: number;
  lingerMs?: number;
  now?: () => Date;
}

/** Counters of a follow. */
export interface FollowReport { reconnects: number; events: number }

/** Changes pumped from a feed into a queue, so catching up and receiving overlap. */
class FeedQueue {
  items: RawDoc[] = [];
  error: unknown = null;
  ended = false;
  private wake: (() => void) | null = null;
  constructor(feed: AsyncIterable<RawDoc>) {
    void (async () => {
      try { for await (const d of feed) { this.items.push(d); this.notify(); } } catch (err) { this.error = err; } finally { this.ended = true; this.notify(); }
    })();
  }
  private notify(): void { const w = this.wake; this.wake = null; w?.(); }
  /** Wait until there is something, the feed ended, or the signal fired. */
  async wait(signal: AbortSignal | undefined): Promise<void> {
    if (this.items.length > 0 || this.ended || signal?.aborted === true) return;
    await new Promise<void>((resolve) => {
      const done = (): void => { signal?.removeEventListener('abort', done); resolve(); };
      this.wake = done;
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/**
 * Follow a RethinkDB source until `run.signal` fires.
 * @param open opens a fresh connection (called again after each loss)
 * @throws the first connection's error (a follow that never started), or after `maxReconnects`
 */
export async function followRethink(run: PullRun, open: () => Promise<RethinkSource>, opts: FollowOptions = {}): Promise<FollowReport> {
  const now = opts.now ?? (() => new Date());
  const report: FollowReport = { reconnects: 0, events: 0 };
  const signal = run.signal;
  const aborted = (): boolean => signal?.aborted === true;
  let failures = 0;
  let started = false;
  const since = now().toISOString();
  const setActive = (active: boolean): void => {
    const c = (run.cursor ?? { blockTimestamp: null, overlapSeconds: opts.overlapSeconds }) as RethinkCursor;
    run.cursor = { ...c, follow: { active, since, lastEventAt: c.follow?.lastEventAt ?? null } };
  };
  while (!aborted()) {
    let src: RethinkSource | null = null;
    try {
      src = await open();
      const layout = await src.detectLayout();
      const tables: TableName[] = ['bigchain', 'votes', ...(layout === '1.0' || layout === '1.3' ? ['assets' as const] : []), ...(layout === '1.3' ? ['metadata' as const] : [])];
      const queue = new FeedQueue(src.changes(tables));
      await sleep(50); // let the feeds open before the catch-up reads: a write lands in one or the other (or both)
      if (!started) setActive(true);
      started = true;
      await pullRethinkAll(run, src, layout, opts);
      failures = 0;
      await stream(run, src, layout, queue, opts, report, now);
      if (aborted()) break;
      throw queue.error ?? new Error('the changefeed ended');
    } catch (err) {
      if (aborted()) break;
      if (!started || !(isLedgerError(err) && err.code === 'LEDGER_SOURCE') && !(err instanceof Error && /changefeed ended/.test(err.message))) throw err;
      failures++;
      if (opts.maxReconnects !== undefined && failures > opts.maxReconnects) throw err;
      report.reconnects++;
      const wait = Math.min(opts.maxBackoffMs ?? 30_000, (opts.backoffMs ?? 500) * 2 ** (failures - 1));
      run.reporter.warn(`${run.name}: ${(err as Error).message}; reconnecting in ${Math.round(wait / 100) / 10}s`);
      await sleep(wait, undefined, { signal }).catch(() => undefined);
    } finally {
      await src?.close();
    }
  }
  // Stopped: record the cursor and the mode with a last (empty) run, which never gets the signal.
  if (started) {
    setActive(false);
    await run.ingest([], { signal: false, workers: 0 });
  }
  return report;
}

async function stream(run: PullRun, src: RethinkSource, layout: Layout, queue: FeedQueue, opts: FollowOptions,
  report: FollowReport, now: () => Date): Promise<void> {
  const max = opts.batchDocs ?? 500;
  for (;;) {
    await queue.wait(run.signal);
    if (queue.items.length === 0) return; // ended or aborted
    await sleep(opts.lingerMs ?? 200); // gather a few changes per run
    const batch = queue.items.splice(0, max);
    report.events += batch.length;
    const blocks = batch.filter((d) => d.table === 'bigchain');
    const others = batch.filter((d) => d.table !== 'bigchain');
    let c = run.cursor as RethinkCursor;
    for (const b of blocks) {
      const ts = blockTimestamp(b.doc);
      if (ts !== null && (c.blockTimestamp === null || compareTimestamps(ts, c.blockTimestamp) > 0)) c = { ...c, blockTimestamp: ts };
    }
    run.cursor = { ...c, follow: { ...c.follow!, active: true, lastEventAt: now().toISOString() } };
    // Rows first (stored before their block by BigchainDB), then blocks with their rows and votes.
    // A run must finish once started (no signal): its documents and cursor are committed together.
    await run.ingest((async function* () {
      yield* others;
      if (blocks.length > 0) yield* withRowsAndVotes(src, blocks, layout);
    })(), { signal: false, workers: 0 });
    if (run.signal?.aborted === true) return;
  }
}
