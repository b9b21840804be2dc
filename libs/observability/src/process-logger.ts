import { Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import type { LogFormat, LogLevel as LogThreshold } from '#config/gateway.config.js';
import { JsonLogger, type LineWriter, type StructuredLogger } from './json-logger.js';

/** LOG_LEVEL's names, most severe first; fatal is on whenever error is. */
const THRESHOLDS: readonly LogThreshold[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/** The levels LOG_LEVEL=threshold lets through. */
export function levelsUpTo(threshold: LogThreshold): LogLevel[] {
  return ['fatal', ...THRESHOLDS.slice(0, THRESHOLDS.indexOf(threshold) + 1)];
}

/** The logger of a process (gateway, projector), installed as Nest's, so every `new Logger(context)` writes through it. */
export interface ProcessLogger extends StructuredLogger {
  readonly format: LogFormat;
  /** For NestFactory.create({ logger }): the JsonLogger, or the levels for Nest's own text logger. */
  readonly nest: LoggerService | LogLevel[];
  /** LOG_LEVEL, once the configuration is read (the process logs its configuration errors before). */
  setThreshold(threshold: LogThreshold): void;
}

/**
 * json: a JsonLogger replaces Nest's logger for the whole process. text: Nest's own ConsoleLogger stays, exactly
 * as before LOG_FORMAT existed, with the levels of LOG_LEVEL.
 */
export function installProcessLogger(
  format: LogFormat,
  threshold: LogThreshold = 'log',
  options: { readonly write?: LineWriter; readonly nodeOutput?: boolean } = {},
): ProcessLogger {
  let levels = levelsUpTo(threshold);
  if (format === 'json') {
    const json = new JsonLogger(levels, options.write);
    Logger.overrideLogger(json);
    Logger.overrideLogger(levels);
    // Node prints its own output as text on stderr: warnings (a deprecation, a negative timeout in a library),
    // through the one 'warning' listener it installs at start, and an uncaught exception or unhandled rejection
    // (which Node turns into one) before it exits with code 1. Both replaced, so they become JSON lines too; the
    // process still stops with code 1 (stdout is synchronous for files and pipes, so the line is written first).
    if (options.nodeOutput ?? true) {
      process.removeAllListeners('warning');
      process.on('warning', (warning) => json.warn(warning.message, { warning: warning.name, code: (warning as { code?: string }).code }, 'Node'));
      process.on('uncaughtException', (error, origin) => {
        const what = origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception';
        json.fatal(`${what}: the process stops`, error instanceof Error ? error : { thrown: String(error) }, 'Node');
        process.exit(1);
      });
    }
    return {
      format,
      nest: json,
      isLevelEnabled: (level) => json.isLevelEnabled(level),
      record: (level, context, msg, fields) => json.record(level, context, msg, fields),
      setThreshold(next) {
        Logger.overrideLogger(levelsUpTo(next)); // sets the JsonLogger's levels too
      },
    };
  }
  Logger.overrideLogger(levels);
  const text: ProcessLogger = {
    format,
    get nest() {
      return levels;
    },
    isLevelEnabled: (level) => levels.includes(level),
    // Text lines say what a human reads in a terminal; the JSON line's fields would only clutter them.
    record(level, context, msg) {
      if (levels.includes(level)) Logger[level](msg, context);
    },
    setThreshold(next) {
      levels = levelsUpTo(next);
      Logger.overrideLogger(levels);
    },
  };
  return text;
}

