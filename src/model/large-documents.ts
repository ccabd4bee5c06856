/**
 * Memory after large documents (SPEC.md §21).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Large documents leave large garbage (their text, its copy in a worker, the parse, the
// canonical bytes), and V8 collects it lazily: five 15 MB documents in a row reached
// 600 MB–1.1 GB of RSS, one at a time 350 MB (measured, SPEC.md §21). After every
// LARGE_GARBAGE bytes of large documents handled, a full collection is asked for.
// Documents under LARGE_DOCUMENT never trigger it, so ordinary ledgers pay nothing.
const LARGE_DOCUMENT = 1 << 20;
const LARGE_GARBAGE = 2 << 20;
let largeSinceCollect = 0;
let collect: (() => void) | null | undefined;

/**
 * Note that a document of `bytes` was handled; collect garbage when large ones add up.
 * Uses V8's `gc` (exposed once via `--expose-gc` at run time); a no-op where that fails.
 */
export function noteDocumentHandled(bytes: number): void {
  if (bytes < LARGE_DOCUMENT) return;
  largeSinceCollect += bytes;
  if (largeSinceCollect < LARGE_GARBAGE) return;
  largeSinceCollect = 0;
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
