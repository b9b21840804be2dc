import { parentPort, workerData } from 'node:worker_threads';
import type { KafkaLogger } from './kafka.logger.js';
import type { KafkaSendReply, KafkaSendRequest, KafkaSendThreadData } from './kafka-send.thread.js';
import { ScimEventPublisher } from './scim-event.publisher.js';

/**
 * ScimEventPublisher's send thread (kafka-send.thread.ts): an inline publisher on the same settings, fed serialised
 * batches one at a time, in the order they came, each answered once the broker acknowledged it or it failed.
 */
const port = parentPort;
if (!port) throw new Error('kafka-send.worker.js runs as a worker thread of ScimEventPublisher');
const { config, options } = workerData as KafkaSendThreadData;
const reply = (message: KafkaSendReply): void => port.postMessage(message);
const logger: KafkaLogger = {
  log: (message) => reply({ type: 'log', level: 'log', message }),
  warn: (message) => reply({ type: 'log', level: 'warn', message }),
  error: (message, trace) => reply({ type: 'log', level: 'error', message: trace ? `${message}\n${trace}` : message }),
};
const publisher = new ScimEventPublisher(config, logger, { ...options, sendThread: 'inline', logSecurityWarnings: false });

// Sends one after another: the next starts only when the previous one settled (order per partition).
let queue: Promise<void> = Promise.resolve();
port.on('message', (request: KafkaSendRequest) => {
  queue = queue.then(async () => {
    if (request.type === 'close') {
      await publisher.close();
      reply({ type: 'closed' });
      port.close();
      return;
    }
    try {
      await publisher.publishEncoded(request.topicMessages, request.count);
      reply({ type: 'sent', id: request.id });
    } catch (error) {
      reply({ type: 'failed', id: request.id, message: error instanceof Error ? error.message : String(error) });
    }
  });
});
