/**
 * Child process of the resume-after-kill test: pull `--all` into the archive folder
 * argv[2] from argv[3] in runs of 3 blocks, printing a line after every run so the
 * parent can SIGKILL it mid-pull.
 */
import { pull } from '../../src/ops/pull.js';
import { closeArchive, openArchive } from '../../src/store/archive.js';
import { noopReporter } from '../../src/report/reporter.js';

const [dir, from] = process.argv.slice(2) as [string, string];
const archive = await openArchive({ dir });
const reporter = { ...noopReporter, progress: (p: { done: number }) => { process.stdout.write(`progress ${p.done}\n`); } };
await pull({ archive, from, selection: { all: true }, chunkBlocks: 3, workers: 0, reporter });
await closeArchive(archive);
process.stdout.write('finished\n');
