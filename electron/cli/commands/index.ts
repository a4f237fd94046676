import type { CliCommand } from '../command';
import { command as scan } from './scan';

/** Every subcommand, in the order `tile-compile help` lists them. */
export const commands: readonly CliCommand[] = [scan];
