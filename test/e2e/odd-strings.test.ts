/**
 * What the tool writes in canonical form is what it read and verified, byte for byte,
 * on a ledger full of the strings canonical writers get wrong (issue 8: a literal
 * `\u001f` typed as text, control characters, NUL, U+2028/U+2029, BOM, non-BMP keys):
 * `show --canonical`, `export` and `rebuild --to FILE` (re-ingested, every id and
 * signature verified again). Complements test/e2e/sample.test.ts (show --canonical on
 * the sample), test/export/cli.test.ts and test/cli/rebuild.test.ts.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalize } from '../../src/model/canonical.js';
import { parseJson } from '../../src/model/json.js';
import { readExport } from '../../src/export/read.js';
import { readDump } from '../../src/dump/read.js';
import { buildLedger } from '../helpers/ledger-builder.js';
import { ODD_STRINGS } from '../helpers/ledger-data.js';
import { runCli } from '../helpers/cli.js';
import { cli, workspace } from './helpers.js';

const ledger = buildLedger({ seed: 'odd-strings-e2e', blocks: 8, txsPerBlock: [2, 5], federationSize: 3, richData: 'odd', undecided: [1, 0] });
const ws = workspace('la-e2e-odd-');
test.after(() => ws.cleanup());

/** The text read, per document: canonical lines as BigchainDB's serializer writes them. */
const blockText = new Map(ledger.blocks.map((b) => [b.id, canonicalize(b)]));
const voteText = new Map(ledger.votes.map((v) => [`${v.vote.voting_for_block}/${v.node_pubkey}`, canonicalize(v)]));
const input = join(ws.dir, 'ledger.ndjson');
const fed = join(ws.dir, 'federation.json');
writeFileSync(input, [...blockText.values(), ...voteText.values()].map((l) => `${l}\n`).join(''));
writeFileSync(fed, JSON.stringify(ledger.federation));

async function ingestInto(name: string, file: string): Promise<string> {
  const archive = join(ws.dir, name);
  assert.equal((await cli('init', '--federation', fed, '--archive', archive)).code, 0);
  const r = await cli('ingest', file, '--archive', archive, '--workers', '0');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.findings, [], 'every odd-string document verifies');
  return archive;
}

/** Blocks of the archive as `show block --canonical` prints them. */
async function shown(archive: string, ids: Iterable<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of ids) {
    const r = await runCli(['show', 'block', id, '--archive', archive, '--canonical']);
    assert.equal(r.code, 0, r.stderr);
    out.set(id, r.stdout.split('\n')[0]!);
  }
  return out;
}

test('the odd-string ledger really holds the odd strings', () => {
  const all = [...blockText.values()].join('\n');
  for (const s of ['literal \\\\u001f text', '\\u001F', '\u2028', '\ufeff', '\\u0000', '\u{10ffff}']) assert.ok(all.includes(s), s);
  assert.ok(ODD_STRINGS.length > 10);
});

test('show --canonical, export and rebuild --to FILE write the bytes that were read and verified', async () => {
  const archive = await ingestInto('a', input);
  // show --canonical: every block, and a vote.
  for (const [id, text] of await shown(archive, blockText.keys())) assert.equal(text, blockText.get(id), `show block ${id}`);
  const [voteId, vText] = [...voteText][0]!;
  assert.equal((await runCli(['show', 'vote', voteId, '--archive', archive, '--canonical'])).stdout.split('\n')[0], vText);

  // export: every block and vote record is the text read.
  const exported = join(ws.dir, 'all.lae');
  const e = await cli('export', '--archive', archive, '--out', exported);
  assert.equal(e.code, 0, e.stderr);
  const opened = await readExport(exported, { parse: false });
  const seen = { block: 0, vote: 0 };
  for await (const r of opened.records) {
    const doc = parseJson(r.text) as { id?: string; vote?: { voting_for_block: string }; node_pubkey?: string };
    if (r.kind === 'block') { assert.equal(r.text, blockText.get(doc.id!)); seen.block++; }
    if (r.kind === 'vote') { assert.equal(canonicalize({ node_pubkey: doc.node_pubkey, signature: (doc as { signature?: string }).signature, vote: doc.vote }), voteText.get(`${doc.vote!.voting_for_block}/${doc.node_pubkey}`)); seen.vote++; }
  }
  assert.deepEqual(seen, { block: blockText.size, vote: voteText.size });

  // rebuild --to FILE (v1.3 stored layout: assets and metadata apart), then ingest that
  // dump into a fresh archive: every id and signature verifies again, and show gives the same bytes.
  const dump = join(ws.dir, 'rebuilt.tar.gz');
  const rb = await cli('rebuild', '--to', dump, '--archive', archive);
  assert.equal(rb.code, 0, rb.stderr);
  let rows = 0;
  for await (const d of readDump(dump)) {
    if (d.table !== 'assets') continue;
    rows++;
    // An asset row is the asset of its CREATE with the tx id put in, byte for byte.
    const row = d.doc as { id: string };
    const block = ledger.blocks.find((b) => b.block.transactions.some((t) => t.id === row.id))!;
    const tx = block.block.transactions.find((t) => t.id === row.id)!;
    assert.equal(canonicalize(row), canonicalize({ ...(tx.asset as object), id: row.id }));
  }
  assert.ok(rows > 0);
  const again = await ingestInto('b', dump);
  const leftOut = new Set(rb.events.filter((x) => x.type === 'left-out').map((x) => String(x.block))); // the undecided tail
  const rebuiltIds = [...blockText.keys()].filter((id) => !leftOut.has(id));
  assert.ok(leftOut.size > 0 && rebuiltIds.length > leftOut.size);
  for (const [id, text] of await shown(again, rebuiltIds)) assert.equal(text, blockText.get(id), `after rebuild: show block ${id}`);
});
