import type { LoggerService, LogLevel } from '@nestjs/common';

/**
 * The `level` of a JSON line: the names log shippers recognise (Loki, Elasticsearch, Datadog, Cloud Logging) for
 * Nest's levels, which LOG_LEVEL uses (`log` is info, `verbose` is trace).
 */
export const JSON_LEVEL: Readonly<Record<LogLevel, string>> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** An error as a log line carries it. */
export interface LoggedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** A Node or PostgreSQL error code (ECONNREFUSED, 40001), when the error has one. */
  readonly code?: string | number;
}

/** One log line before it is written. */
export interface LogRecord {
  readonly time: Date;
  readonly level: LogLevel;
  readonly context?: string;
  readonly msg: string;
  /** Structured fields; they never replace time, level, context, msg or err. */
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly err?: LoggedError;
}

/** Where a line goes: one write of one whole line (with its newline). */
export type LineWriter = (line: string) => void;

/** Also something that answers the record of a request (apps/gateway/src/http/request-log.ts) in both formats. */
export interface StructuredLogger {
  isLevelEnabled(level: LogLevel): boolean;
  /** A record whose fields the caller built: written as is, with no parsing of Nest-style arguments. */
  record(level: LogLevel, context: string, msg: string, fields: Readonly<Record<string, unknown>>): void;
}

/** `{"time":…,"level":…,"context":…,"msg":…,…fields,"err":…}` and a newline: one JSON object per line. */
export function jsonLogLine(record: LogRecord): string {
  const line: Record<string, unknown> = { time: record.time.toISOString(), level: JSON_LEVEL[record.level] };
  if (record.context) line.context = record.context;
  line.msg = record.msg;
  if (record.fields) {
    for (const key in record.fields) {
      if (!(key in line) && key !== 'err' && record.fields[key] !== undefined) line[key] = record.fields[key];
    }
  }
  if (record.err) line.err = record.err;
  try {
    return `${JSON.stringify(line)}\n`;
  } catch {
    return `${JSON.stringify(line, tolerantReplacer())}\n`; // a BigInt or a cycle among the fields
  }
}

/**
 * A Nest LoggerService writing `jsonLogLine`s: Nest's own messages, every `new Logger(context)` of ours, and the
 * libraries' loggers handed in by the apps. Arguments as Nest's ConsoleLogger reads them: the last string is the
 * context (Logger instances append theirs), an Error or a stack string is `err`, plain objects are fields.
 * Every level goes to stdout, so the lines stay in order in one stream.
 */
export class JsonLogger implements LoggerService, StructuredLogger {
  private levels: ReadonlySet<LogLevel>;

  constructor(
    levels: readonly LogLevel[],
    private readonly write: LineWriter = (line) => void process.stdout.write(line),
    private readonly now: () => Date = () => new Date(),
  ) {
    this.levels = new Set(levels);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.levels = new Set(levels);
  }

  isLevelEnabled(level: LogLevel): boolean {
    return this.levels.has(level);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.print('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.print('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.print('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.print('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.print('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.print('fatal', message, params);
  }

  record(level: LogLevel, context: string, msg: string, fields: Readonly<Record<string, unknown>>): void {
    if (!this.levels.has(level)) return;
    this.write(jsonLogLine({ time: this.now(), level, context, msg, fields }));
  }

  private print(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.levels.has(level)) return;
    this.write(jsonLogLine(recordOfNestCall(this.now(), level, message, params)));
  }
}

/** Reads a Nest logger call (`logger.error(message, stack, context)`, `logger.warn(message, { fields }, context)`). */
export function recordOfNestCall(time: Date, level: LogLevel, message: unknown, params: readonly unknown[]): LogRecord {
  let rest = params;
  let context: string | undefined;
  const last = rest.at(-1);
  if (typeof last === 'string' && !looksLikeStack(last)) {
    context = last;
    rest = rest.slice(0, -1);
  }
  const texts: string[] = [];
  let fields: Record<string, unknown> | undefined;
  let err: LoggedError | undefined;
  for (const value of [message, ...rest]) {
    const resolved = typeof value === 'function' && !/^class\s/.test(Function.prototype.toString.call(value)) ? (value as () => unknown)() : value;
    if (resolved === undefined || resolved === null) continue;
    if (resolved instanceof Error) {
      err ??= loggedError(resolved);
      if (value === message) texts.push(resolved.message);
    } else if (typeof resolved === 'string' && looksLikeStack(resolved)) {
      err ??= errorOfStack(resolved);
    } else if (isPlainObject(resolved)) {
      fields = { ...fields, ...resolved };
    } else if (typeof resolved === 'function') {
      texts.push(resolved.name);
    } else {
      texts.push(typeof resolved === 'string' ? resolved : String(resolved));
    }
  }
  return { time, level, context, msg: texts.join(' '), fields, err };
}

export function loggedError(error: Error): LoggedError {
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
  };
}

/** A stack passed as a string (`logger.error(message, error.stack)`): its first line names the error. */
function errorOfStack(stack: string): LoggedError {
  const firstLine = stack.slice(0, stack.indexOf('\n'));
  const named = /^([A-Za-z_$][\w$]*(?:Error|Exception))(?::\s?(.*))?$/.exec(firstLine);
  return named ? { name: named[1], message: named[2] ?? '', stack } : { name: 'Error', message: firstLine, stack };
}

function looksLikeStack(text: string): boolean {
  return /\n[ \t]+at .+/.test(text);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function tolerantReplacer(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  return (_key, value) => {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  };
}
