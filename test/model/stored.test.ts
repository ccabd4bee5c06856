/** Stored layouts (BigchainDB 1.0/1.3 models.py decouple and couple of assets/metadata): strip, recouple, verify. */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { recoupleBlock, storedNeeds, stripBlock } from '../../src/model/stored.js';
import { verifyBlock } from '../../src/verify/block.js';
import { federationFromJson } from '../../src/model/federation.js';
import type { JsonValue } from '../../src/model/json.js';
import type { Block } from '../../src/model/types.js';
import { json } from '../helpers/fixtures.js';

const chain = json<Record<string, Block>>('vectors', 'reference', 'derived-chain-v1.0.json');
const fed = federationFromJson({ keys: ['DngBurxfeNVKZWCEcDnLj1eMPAS7focUZTE5FndFGuHT'] });

test('1.0 strips assets of CREATE/GENESIS only; 1.3 also strips non-null metadata; recouple restores the signed block', () => {
  for (const layout of ['1.0', '1.3'] as const) {
    for (const name of ['genesis_block', 'block1', 'block2']) {
      const full = chain[name]!;
      const { block: stored, assets, metadata } = stripBlock(full, layout);
      const ops = full.block.transactions.map((t) => t.operation);
      assert.equal(assets.length, ops.filter((o) => o === 'CREATE' || o === 'GENESIS').length, `${layout} ${name}`);
      for (const a of assets) assert.deepEqual(Object.keys(a).sort(), ['data', 'id']); // {data, id}: asset.update({'id': tx id})
      if (layout === '1.0') assert.equal(metadata.length, 0);
      if (assets.length > 0) assert.ok(verifyBlock(stored, fed, { transactions: false }).some((f) => f.code === 'BLOCK_ID_MISMATCH'));
      const needs = storedNeeds(stored);
      assert.deepEqual(needs.assets, assets.map((a) => a.id));
      const assetMap = new Map<string, JsonValue>(assets.map(({ id, ...rest }) => [id, rest as JsonValue]));
      const metaMap = new Map<string, JsonValue>(metadata.map((m) => [m.id, m.metadata]));
      const { block: back, missingAssets } = recoupleBlock(stored, assetMap, metaMap);
      assert.deepEqual(missingAssets, []);
      assert.deepEqual(verifyBlock(back, fed, { transactions: false }), [], `${layout} ${name}`);
    }
  }
});

test('a missing assets row is reported, and the block does not verify', () => {
  const { block: stored } = stripBlock(chain.block1!, '1.0');
  const { block, missingAssets } = recoupleBlock(stored, new Map(), new Map());
  assert.deepEqual(missingAssets, [chain.block1!.block.transactions[0]!.id]);
  assert.ok(verifyBlock(block, fed, { transactions: false }).length > 0);
});

test('1.3: a transaction without a metadata row gets metadata null (couple_metadata)', () => {
  const b = structuredClone(chain.block2!);
  b.block.transactions[0]!.metadata = null;
  const { block: stored, metadata } = stripBlock(b, '1.3');
  assert.equal(metadata.length, 0); // BigchainDB stores only truthy metadata
  const { block: back } = recoupleBlock(stored, new Map(), new Map());
  assert.equal(back.block.transactions[0]!.metadata, null);
});
