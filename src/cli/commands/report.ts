/**
 * `ledger-archive report --out FILE` (docs/spec-report.md, SPEC.md §23): one self-contained HTML
 * file (no network) showing the archive: federation, counts, completeness, activity, a timeline,
 * a lane per voter, gaps, findings, quarantine and the invalid/undecided blocks. Read-only on the
 * archive; the file is written whole (a temp file, then a rename).
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { defineCommand } from '../command.js';
import { ARCHIVE_OPTION, textOption, withReadOnlyArchive } from '../options.js';
import { writeSummary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { LedgerError } from '../../errors.js';

interface ReportArgs extends GlobalArgs { out: string; archive?: string }

export const reportCommand = defineCommand<ReportArgs>({
  command: 'report',
  describe: 'write a self-contained HTML report of the archive (timeline, voter lanes, gaps, findings)',
  builder: (y) => y
    .option('out', { ...textOption('out', 'the HTML file to write (replaced whole)'), demandOption: true })
    .option('archive', ARCHIVE_OPTION),
  examples: [['$0 report --out report.html', 'the report of ./.ledger-archive; open it in any browser, offline']],
  exits: { 0: 'written; nothing needs attention', 1: 'written; it shows gaps, findings, quarantine or other warnings' },
  async run(args, io) {
    const { gatherReport } = await import('../../ops/report.js');
    const { renderReport } = await import('../../html/page.js');
    return withReadOnlyArchive(args.archive, async (archive) => {
      const data = await gatherReport({ archive, signal: io.signal });
      const html = renderReport(data);
      const tmp = `${args.out}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, html, { flag: 'wx' });
        renameSync(tmp, args.out);
      } catch (err) {
        rmSync(tmp, { force: true });
        throw new LedgerError('LEDGER_INPUT', `cannot write ${args.out}: ${(err as Error).message}`, { path: args.out }, err);
      }
      const attention = data.warnings.filter((w) => w.code !== 'NEVER_PULLED' && w.code !== 'STALE').length + data.findings.length;
      writeSummary(io, args, { written: true, out: args.out, bytes: Buffer.byteLength(html), blocks: data.counts.blocks, warnings: data.warnings, findings: data.findings },
        [`report written to ${args.out} (${Buffer.byteLength(html)} bytes, ${data.counts.blocks} blocks)`, ...data.warnings.map((w) => `  ${w.code}: ${w.message}`)]);
      return attention > 0 ? EXIT.FINDINGS : EXIT.OK;
    });
  },
});
