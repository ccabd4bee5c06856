/**
 * `npm run fuzz`: the differential oracle of test/model/rapidjson-oracle.test.ts on many
 * more values. Compares the project's canonical bytes with python-rapidjson's
 * (BigchainDB's serializer, SPEC.md §2.1) for generated edge values, each also sent
 * as a variant text (whitespace, escapes, repeated keys) read by both parsers; on the first
 * difference it prints a minimal (shrunk) reproducer and exits 1, else a summary and 0.
 *
 * Usage: npm run fuzz -- [--count N] [--seed S]   (default 1,000,000 values, a random seed)
 * Progress goes to stderr. Exit 2 when python3-rapidjson cannot be started.
 */
import fc from 'fast-check';
import { RapidjsonOracle } from '../test/helpers/rapidjson-oracle.js';
import { compareWithOracle, describeDifference } from '../test/helpers/oracle-compare.js';
import { oracleValue } from '../test/helpers/oracle-values.js';
import { MAX_DEPTH_CEILING, setLimits } from '../src/model/limits.js';

// Compared up to the deepest nesting a user can allow (--max-depth), not only the default
// limit (SPEC.md §21): the parser and the serializer must agree with python-rapidjson there too.
setLimits({ maxDepth: MAX_DEPTH_CEILING });

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 1) {
    process.stderr.write(`fuzz: --${name} needs a positive integer\n`);
    process.exit(2);
  }
  return v;
}

async function main(): Promise<number> {
  const count = option('count', 1_000_000);
  const seed = option('seed', 1 + Math.floor(Math.random() * 0x7ffffffe));
  const started = await RapidjsonOracle.start();
  if (!(started instanceof RapidjsonOracle)) {
    process.stderr.write(`fuzz: python-rapidjson oracle unavailable: ${started.missing}\n`);
    return 2;
  }
  const oracle = started;
  process.stderr.write(`fuzz: ${count} values against python-rapidjson ${oracle.version}, seed ${seed}\n`);
  const t0 = process.hrtime.bigint();
  const seconds = (): string => (Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1);
  let compared = 0;
  let firstFailureAt = 0;
  const step = Math.max(1, Math.floor(count / 20));
  const result = await fc.check(fc.asyncProperty(oracleValue, fc.integer(), async (v, variant) => {
    compared++;
    if (compared % step === 0 && firstFailureAt === 0) process.stderr.write(`fuzz: ${compared} compared, ${seconds()} s\n`);
    const d = await compareWithOracle(oracle, v, variant);
    if (d !== null && firstFailureAt === 0) firstFailureAt = compared;
    return d === null;
  }), { numRuns: count, seed });
  try {
    if (!result.failed) {
      process.stdout.write(`fuzz: ${result.numRuns} values compared with python-rapidjson ${oracle.version}, 0 differences, seed ${seed}, ${seconds()} s\n`);
      return 0;
    }
    const minimal = result.counterexample;
    const d = minimal === null ? null : await compareWithOracle(oracle, minimal[0], minimal[1]);
    process.stdout.write(`fuzz: difference after ${firstFailureAt} values (seed ${seed}, shrunk in ${result.numShrinks} steps, ${seconds()} s)\n`);
    process.stdout.write(d !== null ? `${describeDifference(d)}\n` : `${result.errorInstance === null ? 'no reproducer' : String(result.errorInstance)}\n`);
    return 1;
  } finally {
    await oracle.close();
  }
}

process.exitCode = await main();
