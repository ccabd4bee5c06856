/** Every CLI command, in the order --help lists them. One module per command. */
import type { Command } from '../command.js';
import { pullCommand } from './pull.js';
import { verifyCommand } from './verify.js';

export const commands: Command[] = [
  verifyCommand,
  pullCommand,
];
