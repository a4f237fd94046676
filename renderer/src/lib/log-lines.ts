import { PHASES } from '../../../shared/contract/events';

/**
 * Log lines as written by electron-log (`[date] [level] text`). The level comes from the bracket;
 * the phase is the first pipeline phase name the line mentions, if any.
 */
export const LOG_LEVELS = ['error', 'warn', 'info', 'verbose', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogLine {
  readonly n: number;
  readonly text: string;
  readonly level: LogLevel | null;
  readonly phase: string | null;
}

const LEVEL = /\[(error|warn|warning|info|verbose|debug|silly)\]/i;
const PHASE = new RegExp(`\\b(${PHASES.join('|')})\\b`);

export function parseLogLines(text: string, firstLine = 1): LogLine[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((line, i) => {
    const lv = LEVEL.exec(line)?.[1]?.toLowerCase();
    const level = lv === 'warning' ? 'warn' : lv === 'silly' ? 'debug' : ((lv as LogLevel | undefined) ?? null);
    return { n: firstLine + i, text: line, level, phase: PHASE.exec(line)?.[1] ?? null };
  });
}

export function filterLogLines(lines: readonly LogLine[], f: { level: LogLevel | 'all'; phase: string | 'all'; search: string }): LogLine[] {
  const q = f.search.trim().toLowerCase();
  const maxRank = f.level === 'all' ? LOG_LEVELS.length : LOG_LEVELS.indexOf(f.level);
  return lines.filter(
    (l) =>
      (f.level === 'all' || (l.level !== null && LOG_LEVELS.indexOf(l.level) <= maxRank)) &&
      (f.phase === 'all' || l.phase === f.phase) &&
      (q === '' || l.text.toLowerCase().includes(q)),
  );
}
