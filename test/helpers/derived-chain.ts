/** The reference derived chain (fixtures/vectors/reference/derived-chain-v1.0.json), ready for tests. */
import { federationFromJson } from '../../src/model/federation.js';
import type { Block, Vote } from '../../src/model/types.js';
import type { FindingCode } from '../../src/findings.js';
import { json } from './fixtures.js';

/** All documents of the vector by name (genesis_block, block1, block2, vote1, vote2, create_tx, transfer_tx). */
export const chain = json<Record<string, unknown>>('vectors', 'reference', 'derived-chain-v1.0.json');
/** The single node that made and voted on the chain (BigchainDB docs' published key). */
export const NODE = 'DngBurxfeNVKZWCEcDnLj1eMPAS7focUZTE5FndFGuHT';
/** Another published key, outside the federation. */
export const OTHER = '3yfQPHeWAa1MxTX9Zf9176QqcpcnWcanVZZbaHb8B3h9';
/** The federation of {@link NODE} alone. */
export const fed = federationFromJson({ keys: [NODE] });
export const blocks = ['genesis_block', 'block1', 'block2'].map((k) => chain[k] as Block);
export const votes = ['vote1', 'vote2'].map((k) => chain[k] as Vote);
/** The codes of a list of findings. */
export const codes = (fs: { code: FindingCode }[]): FindingCode[] => fs.map((f) => f.code);
