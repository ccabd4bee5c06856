import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { writeExport } from '../../src/export/write.js';
import { checkChain, verifyExportFile, type ChainLink } from '../../src/export/read.js';
import { federationFromJson } from '../../src/model/federation.js';
import { FEDERATION, rejectsWith, sampleRecords, tempDir } from './helpers.js';

/** A full export and `n` incrementals chained by digest and cursor. */
async function chain(dir: string, n: number, name = 'e', federation = FEDERATION): Promise<ChainLink[]> {
  const out: ChainLink[] = [];
  let previous: string | null = null;
  for (let seq = 0; seq <= n; seq++) {
    const path = join(dir, `${name}${seq}.lae`);
    const w = await writeExport(path, { federation, records: sampleRecords(seq + 1), previous, sequence: seq,
      since: seq === 0 ? null : `c${seq - 1}`, until: `c${seq}` });
    const s = await verifyExportFile(path);
    assert.equal(s.digest, w.digest);
    out.push({ path, header: s.header, digest: s.digest });
    previous = w.digest;
  }
  return out;
}

async function broken(links: ChainLink[], re: RegExp, opts?: { after?: string | null }): Promise<void> {
  const e = await rejectsWith((async () => checkChain(links, opts))(), 'LEDGER_EXPORT_CORRUPT', String(re));
  assert.match(e.message, re);
}

test('chain: files in any order come back in chain order', async () => {
  const links = await chain(tempDir('chain'), 3);
  const shuffled = [links[2]!, links[0]!, links[3]!, links[1]!];
  assert.deepEqual(checkChain(shuffled).map((l) => l.path), links.map((l) => l.path));
  assert.deepEqual(checkChain(links, { after: null }).length, 4);
  assert.deepEqual(checkChain(links.slice(2), { after: links[1]!.digest }).length, 2);
  assert.deepEqual(checkChain([]), []);
});

test('chain: a missing link, a duplicate, a foreign or reordered link is an error naming it', async () => {
  const dir = tempDir('chain-bad');
  const links = await chain(dir, 3);
  const other = await chain(dir, 3, 'other');
  await broken([links[0]!, links[1]!, links[3]!], /missing link: no export with sequence 2 between .*e1\.lae and .*e3\.lae/);
  await broken([links[0]!, links[1]!, links[1]!], /both have sequence 1/);
  await broken([links[0]!, other[1]!], /other1\.lae \(sequence 1\) follows export [0-9a-f]{64}, but .*e0\.lae .*reordered, or from another chain/);
  // Reordered: the same files with their sequence numbers swapped.
  const swapped = [links[0]!, { ...links[2]!, header: { ...links[2]!.header, sequence: 1 } }, { ...links[1]!, header: { ...links[1]!.header, sequence: 2 } }];
  await broken(swapped, /e2\.lae \(sequence 1\) follows export/);
  await broken(links.slice(1), /e1\.lae \(sequence 1\) is an incremental, but no full export/, { after: null });
  await broken(links.slice(2), /e2\.lae \(sequence 2\) follows export [0-9a-f]{64}, not/, { after: links[0]!.digest });
  const cursor = [links[0]!, { ...links[1]!, header: { ...links[1]!.header, since: 'elsewhere' } }];
  await broken(cursor, /starts at cursor elsewhere, but .*e0\.lae ends at c0/);
});

test('chain: another federation is refused', async () => {
  const dir = tempDir('chain-fed');
  const links = await chain(dir, 1);
  const fed2 = federationFromJson({ keys: ['DngBurxfeNVKZWCEcDnLj1eMPAS7focUZTE5FndFGuHT'], hash: 'keccak-256' });
  const w = await writeExport(join(dir, 'x.lae'), { federation: fed2, records: [], previous: links[0]!.digest, sequence: 1, since: 'c0' });
  await broken([links[0]!, { path: w.path, header: w.header, digest: w.digest }], /another federation/);
});
