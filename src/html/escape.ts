/** HTML text and attribute escaping for the report (every datum may come from a hostile source). */

const MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for an HTML element or a quoted attribute. */
export const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => MAP[c]!);

/** A BigchainDB timestamp (seconds as text) as an ISO date-time, or a dash. */
export function when(ts: string | number | null): string {
  if (ts === null || ts === '') return '—';
  const ms = Number(ts) * 1000;
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString().replace('.000Z', 'Z') : String(ts);
}

/** A shortened id for display (the full id stays in the element's title). */
export const short = (id: string): string => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id);
