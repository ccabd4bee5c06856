/**
 * The house rules of ARCHITECTURE.md, read from the imports of src/: a file imports only
 * from its own folder or from folders on a lower floor, and no import cycle exists, between
 * files or between folders. A new folder must be given a floor here and in ARCHITECTURE.md.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Floors, lowest first (ARCHITECTURE.md "Floors"). `.` is the catalogues errors.ts and findings.ts. */
export const FLOORS: Record<string, number> = {
  '.': 0, crypto: 0,
  model: 1,
  verify: 2, report: 2, html: 2,
  store: 3, sources: 3, proof: 3,
  dump: 4, export: 4, chain: 4,
  ingest: 5,
  check: 6, pull: 6,
  rebuild: 7, audit: 7,
  ops: 8,
  cli: 9,
  'index.ts': 10,
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

const IMPORT = /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|new URL\(\s*['"](\.[^'"]+)['"],\s*import\.meta\.url\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  // A worker post-step names its own URL (`new URL('./step.js', import.meta.url)`): not a cycle.
  return [...text.matchAll(IMPORT)].map((m) => resolve(dirname(file), (m[1] ?? m[2] ?? m[3])!).replace(/\.js$/, '.ts'))
    .filter((dep) => dep !== file);
}

function folderOf(file: string): string {
  const rel = relative(src, file);
  if (rel === 'index.ts') return 'index.ts';
  return rel.includes('/') ? rel.split('/')[0]! : '.';
}

const files = sourceFiles(src);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

test('every folder of src/ has a floor', () => {
  const folders = new Set(files.map(folderOf));
  for (const f of folders) assert.ok(f in FLOORS, `src/${f}/ has no floor in test/layers.test.ts and ARCHITECTURE.md`);
});

test('imports point down: a file imports only its own folder or lower floors', () => {
  const wrong: string[] = [];
  for (const [file, deps] of graph) {
    const from = folderOf(file);
    for (const dep of deps) {
      const to = folderOf(dep);
      if (to !== from && !(FLOORS[to]! < FLOORS[from]!)) wrong.push(`${relative(src, file)} → ${relative(src, dep)} (${from} ${FLOORS[from]} → ${to} ${FLOORS[to]})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('no import cycle between files', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]): void => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') { cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(src, p)).join(' → ')); return; }
    state.set(f, 'open');
    for (const d of graph.get(f) ?? []) if (graph.has(d)) visit(d, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of files) visit(f, []);
  assert.deepEqual(cycles, []);
});

test('the test reads real imports (a sanity check on the parser)', () => {
  const ingest = graph.get(join(src, 'ops', 'ingest.ts')) ?? [];
  assert.ok(ingest.includes(join(src, 'ingest', 'pipeline.ts')), 'ops/ingest.ts imports ingest/pipeline.ts');
  assert.ok(files.length > 100);
});
