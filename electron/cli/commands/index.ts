import type { CliCommand } from '../command';
import { command as clean } from './clean';
import { command as config } from './config';
import { command as demo } from './demo';
import { command as run } from './run';
import { command as scan } from './scan';
import { command as serve } from './serve';
import { command as synth } from './synth';

/** Every subcommand, in the order `tile-compile help` lists them. */
export const commands: readonly CliCommand[] = [scan, run, clean, config, synth, demo, serve];
