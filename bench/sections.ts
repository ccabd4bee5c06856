/**
 * Further benchmark sections (ingest, gaps, check, pull, rebuild, export/import),
 * each a named function so a run can pick them with BENCH_SECTIONS.
 */
import { benchRebuild } from './rebuild-bench.js';
import { pullSection } from './pull-bench.js';
import { benchExportSection } from './export-bench.js';
import { storeSection } from './store-bench.js';
import { stepsSection } from './steps-bench.js';
import { reportSection } from './report-bench.js';

/** What a section gets from the runner. */
export interface BenchContext {
  log: (s: string) => void;
  fmt: (n: number) => string;
  calibration: number;
  cores: number;
}

/** A named benchmark section. */
export interface BenchSection { name: string; run: (ctx: BenchContext) => Promise<void> }

export const extraSections: BenchSection[] = [
  { name: 'rebuild', run: benchRebuild },
];
extraSections.push(pullSection);
extraSections.push({ name: 'export', run: benchExportSection });
extraSections.push(storeSection);
extraSections.push(stepsSection);
extraSections.push(reportSection);
