import { logLevel, type logCreator } from 'kafkajs';

/**
 * What the Kafka code logs to: Nest's Logger fits, and so does console. `fields` are kafkajs's details (broker,
 * error, retry count): fields of the JSON line with LOG_FORMAT=json, appended to the text line otherwise.
 */
export interface KafkaLogger {
  log(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, trace?: string): void;
}

// Said once per producer because we limit the idempotent producer's retries on purpose: an outage must fail the
// batch so the runner backs off and lag shows, instead of a send that retries for ever (kafka.publisher.ts).
const EXPECTED_WARNINGS = [/Limiting retries for the idempotent producer/];

/**
 * kafkajs logs every failed request at ERROR, several a second while a broker is down. They are symptoms of one
 * outage that the projection runner already reports (with back-off), so they go out as warnings, prefixed.
 */
export function kafkaLogCreator(logger: KafkaLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...extra } = log as { message: string; timestamp: string; logger?: string };
      if (EXPECTED_WARNINGS.some((pattern) => pattern.test(message))) return;
      const line = `kafkajs ${namespace}: ${message}`;
      const details: [Record<string, unknown>] | [] = Object.keys(extra).length > 0 ? [extra] : [];
      if (level === logLevel.ERROR || level === logLevel.WARN) logger.warn(line, ...details);
      else logger.log(line, ...details);
    };
}
