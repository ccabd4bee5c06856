/** Every CLI command, in the order --help lists them. One module per command. */
import type { Command } from '../command.js';
import { auditCommand } from './audit.js';
import { checkCommand } from './check.js';
import { createIndexesCommand } from './create-indexes.js';
import { exportCommand } from './export.js';
import { gapsCommand } from './gaps.js';
import { importCommand } from './import.js';
import { ingestCommand } from './ingest.js';
import { initCommand } from './init.js';
import { keygenCommand } from './keygen.js';
import { mergeCommand } from './merge.js';
import { proveCommand } from './prove.js';
import { pullCommand } from './pull.js';
import { quarantineCommand } from './quarantine.js';
import { rebuildCommand } from './rebuild.js';
import { reportCommand } from './report.js';
import { showCommand } from './show.js';
import { statusCommand } from './status.js';
import { verifyCommand } from './verify.js';
import { verifyProofCommand } from './verify-proof.js';

export const commands: Command[] = [
  initCommand,
  ingestCommand,
  verifyCommand,
  pullCommand,
  statusCommand,
  gapsCommand,
  auditCommand,
  showCommand,
  checkCommand,
  quarantineCommand,
  mergeCommand,
  rebuildCommand,
  createIndexesCommand,
  exportCommand,
  importCommand,
  keygenCommand,
  proveCommand,
  verifyProofCommand,
  reportCommand,
];
