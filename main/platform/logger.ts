import fs from 'node:fs';
import path from 'node:path';

/**
 * A small structured logger.
 *
 * Lines are JSON, one event each, appended to `logs/companion.log` under the companion's home. Nothing
 * clinical and no secret is ever passed to it: callers log identifiers and outcomes, not content.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  close(): Promise<void>;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface FileLoggerOptions {
  logDir: string;
  level?: LogLevel;
  now?: () => Date;
}

export function createFileLogger({ logDir, level = 'info', now = () => new Date() }: FileLoggerOptions): Logger {
  fs.mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const stream = fs.createWriteStream(path.join(logDir, 'companion.log'), { flags: 'a', mode: 0o600 });
  const write = (lvl: LogLevel) => (event: string, fields: LogFields = {}) => {
    if (ORDER[lvl] < ORDER[level]) {
      return;
    }
    stream.write(`${JSON.stringify({ time: now().toISOString(), level: lvl, event, ...fields })}\n`);
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    close: () => new Promise((resolve) => stream.end(resolve)),
  };
}

/** A logger that keeps its lines in memory, for tests and for commands that must not write files. */
export function createMemoryLogger(): Logger & { lines: { level: LogLevel; event: string; fields: LogFields }[] } {
  const lines: { level: LogLevel; event: string; fields: LogFields }[] = [];
  const write = (level: LogLevel) => (event: string, fields: LogFields = {}) => {
    lines.push({ level, event, fields });
  };
  return {
    lines,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    close: () => Promise.resolve(),
  };
}
