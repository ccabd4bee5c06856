/**
 * NDJSON lines from a byte stream, in bounded memory (SPEC.md §21). A line longer
 * than the limit is skipped as it streams by (never buffered whole) and reported at
 * its line number; a line that is not valid UTF-8 is reported the same way as in a
 * dump (never silently replaced); every other line is delivered, so one bad line costs
 * one finding, not the file.
 */
import { limits } from '../model/limits.js';

/** One line: its text, or why it cannot be read (`limit` set when it broke one). */
export type NdjsonLine =
  | { line: number; text: string }
  | { line: number; error: string; limit?: 'maxDocumentBytes' };

const DECODER = new TextDecoder('utf-8', { fatal: true });

/**
 * Split bytes into lines (LF, with an optional CR before it); blank lines are skipped.
 * @param maxLineBytes longest line kept (default: the document limit)
 * @example for await (const l of ndjsonLines(createReadStream(f))) if ('text' in l) use(l.text)
 */
export async function* ndjsonLines(input: AsyncIterable<Uint8Array>,
  maxLineBytes: number = limits().maxDocumentBytes): AsyncGenerator<NdjsonLine> {
  let parts: Uint8Array[] = [];
  let size = 0;
  let skipping = false;
  let line = 1;
  let first = true;
  const finish = (): NdjsonLine | null => {
    const at = line++;
    if (skipping) {
      skipping = false;
      return { line: at, error: `line longer than ${maxLineBytes} bytes (limit maxDocumentBytes = ${maxLineBytes})`, limit: 'maxDocumentBytes' };
    }
    let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    parts = []; size = 0;
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    if (isBlank(bytes)) return null;
    try {
      return { line: at, text: DECODER.decode(bytes) };
    } catch {
      return { line: at, error: 'line is not valid UTF-8' };
    }
  };
  for await (const chunk of input) {
    let from = 0;
    if (first && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) from = 3; // BOM
    first = false;
    while (from <= chunk.length) {
      const nl = chunk.indexOf(0x0a, from);
      const end = nl < 0 ? chunk.length : nl;
      if (!skipping) {
        size += end - from;
        if (size > maxLineBytes) { skipping = true; parts = []; size = 0; } else if (end > from) parts.push(chunk.subarray(from, end));
      }
      if (nl < 0) break;
      const out = finish();
      if (out !== null) yield out;
      from = nl + 1;
    }
  }
  if (skipping || size > 0) {
    const out = finish();
    if (out !== null) yield out;
  }
}

function isBlank(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0x20 && x !== 0x09 && x !== 0x0d) return false;
  return true;
}
