/**
 * The server's log: one line per event on stderr, `<ISO time> [LEVEL] <component>: <message>`.
 * Kept deliberately tiny; levels below ZKTS_LOG_LEVEL (default info) are dropped.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const threshold = order[(process.env.ZKTS_LOG_LEVEL as LogLevel | undefined) ?? 'info'] ?? order.info;

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function logger(component: string): Logger {
  const line = (level: LogLevel) => (message: string) => {
    if (order[level] < threshold) return;
    process.stderr.write(`${new Date().toISOString()} [${level.toUpperCase()}] ${component}: ${message}\n`);
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
