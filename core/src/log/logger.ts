import { pino, type Logger as PinoLogger } from 'pino';

/** The structured JSON logger every service passes down through its factories. */
export type Logger = PinoLogger;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LoggerOptions {
  level: LogLevel;
  /** Appears as `name` on every line, e.g. the service or the component. */
  name?: string;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino({
    level: options.level,
    ...(options.name === undefined ? {} : { name: options.name }),
    // Error objects logged under `err` keep their stack and code (pino's standard serializer).
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  });
}
