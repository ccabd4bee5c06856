/**
 * "Did you mean" for options (issue 11 §12): yargs reports a misspelt `--federaton` as a
 * missing `--federation`; the typo is the real error, so it is named first.
 */

/** Edit distance (insertions, deletions, substitutions, adjacent swaps). */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest known name, if it is close enough to be a typo. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dd = distance(name, k);
    if (dd < bestD) { best = k; bestD = dd; }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

/** Long options in argv (`--name`, `--name=v`, `--no-name`) that are not known, each with a suggestion. */
export function unknownOptions(argv: readonly string[], known: ReadonlySet<string>): { name: string; suggestion?: string }[] {
  const out: { name: string; suggestion?: string }[] = [];
  for (const a of argv) {
    if (a === '--') break;
    const m = /^--([^=]+)/.exec(a);
    if (m === null) continue;
    const name = m[1]!;
    if (known.has(name) || (name.startsWith('no-') && known.has(name.slice(3)))) continue;
    out.push({ name, suggestion: closest(name, [...known].filter((k) => k.length > 1)) });
  }
  return out;
}
