/**
 * Which table files a LevelDB MANIFEST names (SPEC.md §15.1): a read-only snapshot may share
 * exactly those by hard link. A named table is complete and immutable, and its number is below
 * the manifest's next file number, so the snapshot's own LevelDB — which creates files with
 * O_TRUNC, numbered from that counter — can never write through the link. Any other table file
 * in the folder (one a writer is still writing, an orphan of a crashed compaction) may carry a
 * number the snapshot will allocate itself, so it is copied instead.
 *
 * The MANIFEST is LevelDB's log format (32 KiB blocks of records: 4-byte checksum, 2-byte
 * length, 1-byte type FULL/FIRST/MIDDLE/LAST) holding VersionEdits (tagged fields, varints).
 * Checksums are not verified here: a damaged manifest makes LevelDB refuse to open the snapshot,
 * so a mis-read can never lead to a write. Anything unexpected returns null: copy everything.
 */

const BLOCK = 32 * 1024;
const HEADER = 7;

/** The table numbers a MANIFEST's edits leave live, or null when it cannot be read with certainty. */
export function liveTableNumbers(manifest: Uint8Array): Set<number> | null {
  const records = logRecords(manifest);
  if (records === null) return null;
  const live = new Set<number>();
  for (const r of records) if (!applyEdit(r, live)) return null;
  return live;
}

/** Reassemble the log's records; null on a malformed fragment sequence. */
function logRecords(buf: Uint8Array): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  let parts: Uint8Array[] | null = null;
  let pos = 0;
  while (pos < buf.length) {
    const left = BLOCK - (pos % BLOCK);
    if (left < HEADER) { pos += left; continue; } // block trailer
    if (pos + HEADER > buf.length) break; // a torn tail: LevelDB ignores it too
    const len = buf[pos + 4]! | (buf[pos + 5]! << 8);
    const type = buf[pos + 6]!;
    const start = pos + HEADER;
    if (type === 0 && len === 0) { pos += left; continue; } // zero padding
    if (start + len > buf.length || len > left - HEADER) return null;
    const data = buf.subarray(start, start + len);
    pos = start + len;
    if (type === 1) { if (parts !== null) return null; out.push(data); }
    else if (type === 2) { if (parts !== null) return null; parts = [data]; }
    else if (type === 3) { if (parts === null) return null; parts.push(data); }
    else if (type === 4) { if (parts === null) return null; parts.push(data); out.push(Buffer.concat(parts)); parts = null; }
    else return null;
  }
  return parts === null ? out : null;
}

/** Apply one VersionEdit's file additions and deletions to `live`; false on an unknown field. */
function applyEdit(edit: Uint8Array, live: Set<number>): boolean {
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (pos >= edit.length) throw new RangeError('varint past the end');
      const b = edit[pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
    throw new RangeError('varint too long');
  };
  const slice = (): void => { const n = varint(); if (pos + n > edit.length) throw new RangeError('slice past the end'); pos += n; };
  try {
    while (pos < edit.length) {
      switch (varint()) {
        case 1: slice(); break; // comparator name
        case 2: case 3: case 4: case 9: varint(); break; // log number, next file, last sequence, prev log
        case 5: varint(); slice(); break; // compact pointer: level, internal key
        case 6: varint(); live.delete(varint()); break; // deleted file: level, number
        case 7: varint(); live.add(varint()); varint(); slice(); slice(); break; // new file: level, number, size, smallest, largest
        default: return false;
      }
    }
  } catch {
    return false;
  }
  return true;
}
