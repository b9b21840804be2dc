import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/**
 * Serves one PGlite to many `pg` / TypeORM connections over TCP (PostgreSQL wire protocol v3).
 *
 * Why not @electric-sql/pglite-socket's PGLiteSocketServer: it queues every protocol message on its own and only
 * keeps other connections out while a transaction block is open. A statement outside BEGIN arrives as Parse, Bind,
 * Describe, Execute, Sync; when its bytes span two TCP reads (a parameter over ~64 KB), another connection's
 * messages run in between on PGlite's single session, so one client's Bind binds the other's statement
 * (reproduced with 0.2.17: "invalid input syntax for type integer" from a text parameter of the other query).
 *
 * Here a connection keeps the database to itself from its first extended-protocol message until its Sync, and
 * for as long as it has a transaction block open. Everything else about the session is shared, as PGlite has a
 * single backend: SET, LISTEN, session advisory locks, prepared statements. COPY ... FROM STDIN is not supported.
 *
 * Named prepared statements are shared between connections (runTurn): a client that prepares a statement
 * another connection prepared already, with the same text and parameter types, is answered ParseComplete at once,
 * and uses the one prepared statement. A name prepared with a different text fails as "already exists". Statements
 * closed with the protocol's Close are forgotten; SQL `DEALLOCATE` and `DISCARD` are not seen, so do not use them.
 */
export type PGliteWireServerOptions = (
  | {
      readonly host: string;
      /** 0 = any free port; read it back from start(). */
      readonly port: number;
    }
  | {
      /** A Unix domain socket, named as PostgreSQL names them (`<directory>/.s.PGSQL.<port>`). */
      readonly socketPath: string;
    }
) & {
  readonly maxConnections: number;
  /** How long a connection over maxConnections waits for a free slot before it is refused (default 30 s). */
  readonly connectionWaitMs?: number;
};

const SSL_REQUEST = 80877103;
const GSS_ENCRYPTION_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
// Message types that open (or continue) an extended-protocol exchange, which only Sync closes.
const EXTENDED_QUERY_TYPES = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((type) => type.charCodeAt(0)));
const SYNC = 'S'.charCodeAt(0);
const PARSE = 'P'.charCodeAt(0);
const CLOSE = 'C'.charCodeAt(0);
const PARSE_COMPLETE = Buffer.from([0x31, 0, 0, 0, 4]); // '1', length 4
const TERMINATE = 'X'.charCodeAt(0);
const STARTUP = -1;
// PostgreSQL refuses startup packets over 10 000 bytes too.
const MAX_STARTUP_LENGTH = 10_000;
const DEFAULT_CONNECTION_WAIT_MS = 30_000;

interface ClientMessage {
  /** The type byte, or STARTUP for the untyped startup packet. */
  readonly type: number;
  readonly bytes: Buffer;
}

interface Connection {
  readonly socket: net.Socket;
  unparsed: Buffer;
  readonly ready: ClientMessage[];
  started: boolean;
  inExtendedQuery: boolean;
  queued: boolean;
  closed: boolean;
}

export class PGliteWireServer {
  private server: net.Server | null = null;
  private readonly connections = new Set<Connection>();
  /** Connections over maxConnections, oldest first, until a slot frees or they have waited too long. */
  private readonly waiting: { readonly socket: net.Socket; readonly timer: NodeJS.Timeout }[] = [];
  /** Connections that waited too long, until they have been told so. */
  private readonly refused = new Set<net.Socket>();
  /** Has the database to itself: inside a transaction block or between an extended query's first message and Sync. */
  private owner: Connection | null = null;
  private readonly turns: Connection[] = [];
  private draining: Promise<void> | null = null;
  /** Named statements prepared in PGlite's session: name -> the Parse message's text and parameter types. */
  private readonly prepared = new Map<string, Buffer>();

  constructor(
    private readonly db: PGlite,
    private readonly options: PGliteWireServerOptions,
  ) {}

  /** Listens; answers the TCP address it listens on, or null on a Unix domain socket. */
  async start(): Promise<{ host: string; port: number } | null> {
    if (this.server) throw new Error('the PGlite wire server is already started');
    await this.db.waitReady;
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    const options = this.options;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const listening = () => {
        server.off('error', reject);
        resolve();
      };
      if ('socketPath' in options) server.listen(options.socketPath, listening);
      else server.listen(options.port, options.host, listening);
    });
    if ('socketPath' in options) return null;
    const address = server.address() as net.AddressInfo;
    return { host: address.address, port: address.port };
  }

  /** Disconnects every client, rolls back an open transaction, and stops listening. The PGlite stays open. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    // close() reports back once every connection has closed; each close schedules the drain loop, which rolls
    // back whatever the owner of the database left open.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const connection of this.connections) connection.socket.destroy();
    for (const { socket } of this.waiting.splice(0)) socket.destroy();
    for (const socket of this.refused) socket.destroy();
    await closed;
    while (this.draining) await this.draining;
  }

  /**
   * A connection over maxConnections waits (unread: what it sends stays in the socket's buffer) until another
   * connection closes, instead of being refused at once: a burst of requests opens connections in several pools
   * at once, and pools that were just shrunk by their idle timeouts open new ones while the server still counts
   * the closing ones. PGlite runs one query at a time anyway, so a waiting connection loses nothing. Only one that
   * waited connectionWaitMs is refused, as PostgreSQL refuses (53300, answering the startup packet).
   */
  private accept(socket: net.Socket): void {
    socket.on('error', () => socket.destroy()); // a client going away is normal; 'close' follows and cleans up
    if (this.connections.size < this.options.maxConnections && this.waiting.length === 0) return this.admit(socket);
    const waitMs = this.options.connectionWaitMs ?? DEFAULT_CONNECTION_WAIT_MS;
    this.waiting.push({ socket, timer: setTimeout(() => this.refuse(socket, waitMs), waitMs) });
    socket.once('close', () => {
      this.leaveQueue(socket);
      this.refused.delete(socket);
    });
  }

  private refuse(socket: net.Socket, waitedMs: number): void {
    this.leaveQueue(socket);
    this.refused.add(socket);
    const message = `too many connections to the embedded database (max ${this.options.maxConnections}; waited ${waitedMs} ms for one to close)`;
    socket.end(fatalError('53300', message), () => socket.destroy());
  }

  private leaveQueue(socket: net.Socket): void {
    const index = this.waiting.findIndex((waiting) => waiting.socket === socket);
    if (index === -1) return;
    clearTimeout(this.waiting[index].timer);
    this.waiting.splice(index, 1);
  }

  /** Lets the oldest waiting connections in while there is room. */
  private admitWaiting(): void {
    while (this.connections.size < this.options.maxConnections) {
      const next = this.waiting.shift();
      if (!next) return;
      clearTimeout(next.timer);
      this.admit(next.socket);
    }
  }

  private admit(socket: net.Socket): void {
    socket.setNoDelay(true);
    const connection: Connection = {
      socket,
      unparsed: Buffer.alloc(0),
      ready: [],
      started: false,
      inExtendedQuery: false,
      queued: false,
      closed: false,
    };
    this.connections.add(connection);
    socket.on('data', (chunk: Buffer) => this.receive(connection, chunk));
    socket.on('close', () => {
      connection.closed = true;
      this.connections.delete(connection);
      this.admitWaiting();
      this.schedule(); // if it owned the database, the drain loop rolls its work back and lets others in
    });
  }

  private receive(connection: Connection, chunk: Buffer): void {
    connection.unparsed = connection.unparsed.length === 0 ? chunk : Buffer.concat([connection.unparsed, chunk]);
    for (;;) {
      const buffer = connection.unparsed;
      if (!connection.started) {
        if (buffer.length < 8) break;
        const length = buffer.readInt32BE(0);
        if (length < 8 || length > MAX_STARTUP_LENGTH) return this.reject(connection, 'malformed startup packet');
        if (buffer.length < length) break;
        const code = buffer.readInt32BE(4);
        connection.unparsed = buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSS_ENCRYPTION_REQUEST) {
          connection.socket.write('N'); // no encryption on a local socket; the client continues in plain text
          continue;
        }
        if (code === CANCEL_REQUEST) {
          connection.socket.end(); // PGlite cannot interrupt a running query
          return;
        }
        connection.started = true;
        connection.ready.push({ type: STARTUP, bytes: buffer.subarray(0, length) });
        continue;
      }
      if (buffer.length < 5) break;
      const declared = buffer.readInt32BE(1);
      if (declared < 4) return this.reject(connection, 'malformed message length');
      const length = 1 + declared;
      if (buffer.length < length) break;
      connection.ready.push({ type: buffer[0], bytes: buffer.subarray(0, length) });
      connection.unparsed = buffer.subarray(length);
    }
    if (connection.ready.length > 0 && connection !== this.owner && !connection.queued) {
      connection.queued = true;
      this.turns.push(connection);
    }
    this.schedule();
  }

  private reject(connection: Connection, reason: string): void {
    connection.socket.destroy(new Error(`protocol violation: ${reason}`));
  }

  private schedule(): void {
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
      // Work that arrived after the loop's last look but before this callback (a socket's first data is delivered
      // on process.nextTick, ahead of promise callbacks) found the loop still marked running: look again.
      if (this.owner ? this.owner.ready.length > 0 || this.owner.closed : this.turns.length > 0) this.schedule();
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.owner?.closed) {
        await this.abandon(this.owner);
        this.owner = null;
      }
      let connection: Connection | undefined;
      if (this.owner) {
        if (this.owner.ready.length === 0) return; // everyone else waits for the owner's next message
        connection = this.owner;
      } else {
        connection = this.turns.shift();
        if (!connection) return;
        connection.queued = false;
        if (connection.closed || connection.ready.length === 0) continue;
      }
      await this.runTurn(connection);
    }
  }

  /**
   * Runs every complete message the connection has sent so far, in one call into PGlite per segment: each named
   * Parse that opens an exchange starts a segment, and one of a statement already prepared is answered here.
   */
  private async runTurn(connection: Connection): Promise<void> {
    const messages = connection.ready.splice(0);
    const terminateAt = messages.findIndex((message) => message.type === TERMINATE);
    const toRun = terminateAt === -1 ? messages : messages.slice(0, terminateAt);
    let segment: ClientMessage[] = [];
    // The named Parse a segment starts with, if any (runSegment remembers it once PGlite has prepared it).
    let segmentParse: ParseParts | null = null;
    const write = (data: Buffer) => {
      if (!connection.closed) connection.socket.write(data);
    };
    try {
      for (const message of toRun) {
        // Only a named Parse that opens an exchange: after an error inside one, the server skips to the Sync.
        const parse = message.type === PARSE && !connection.inExtendedQuery ? parseMessageParts(message.bytes) : null;
        if (parse && parse.name !== '') {
          await this.runSegment(segment, segmentParse, write);
          segment = [];
          segmentParse = null;
          if (this.prepared.get(parse.name)?.equals(parse.definition)) {
            write(PARSE_COMPLETE);
            connection.inExtendedQuery = true;
            continue;
          }
          segmentParse = parse;
        }
        if (EXTENDED_QUERY_TYPES.has(message.type)) connection.inExtendedQuery = true;
        else if (message.type === SYNC) connection.inExtendedQuery = false;
        segment.push(message);
      }
      await this.runSegment(segment, segmentParse, write);
    } catch (error) {
      connection.socket.destroy(error instanceof Error ? error : new Error(String(error)));
    }
    if (terminateAt !== -1) connection.socket.end();
    const keepsDatabase = this.db.isInTransaction() || connection.inExtendedQuery;
    this.owner = keepsDatabase ? connection : null;
    if (!keepsDatabase && connection.ready.length > 0 && !connection.queued) {
      connection.queued = true; // more arrived while it ran: back of the line, so one busy client cannot starve others
      this.turns.push(connection);
    }
  }

  /**
   * One call into PGlite. `namedParse`, the segment's first message, is remembered once PGlite answers
   * ParseComplete, so the next connection to prepare the same statement shares it; a Close of a statement forgets
   * the name.
   */
  private async runSegment(segment: readonly ClientMessage[], namedParse: ParseParts | null, write: (data: Buffer) => void): Promise<void> {
    if (segment.length === 0) return;
    for (const message of segment) {
      if (message.type === CLOSE && message.bytes[5] === 0x53 /* 'S' */) this.prepared.delete(cstringAt(message.bytes, 6));
    }
    let answeredFirst = false;
    await this.execute(Buffer.concat(segment.map((message) => message.bytes)), (data) => {
      if (!answeredFirst && data.length > 0) {
        answeredFirst = true;
        if (namedParse && data[0] === PARSE_COMPLETE[0]) this.prepared.set(namedParse.name, namedParse.definition);
      }
      write(data);
    });
  }

  /** The client went away holding the database: undo what it left open, as a server does when a backend exits. */
  private async abandon(connection: Connection): Promise<void> {
    if (connection.inExtendedQuery) {
      // Executing a portal that cannot exist fails; the Sync after a failure rolls the implicit transaction back.
      await this.execute(Buffer.concat([executeMessage('pglite_wire_server_abandoned'), syncMessage()]), () => undefined);
      connection.inExtendedQuery = false;
    }
    if (this.db.isInTransaction()) await this.execute(queryMessage('ROLLBACK'), () => undefined);
  }

  private execute(bytes: Buffer, onData: (data: Buffer) => void): Promise<void> {
    return this.db.runExclusive(() =>
      this.db.execProtocolRawStream(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
        // PGlite may reuse its output buffer; the socket writes later, so copy.
        onRawData: (data) => onData(Buffer.from(data)),
      }),
    );
  }
}

/** A Parse message's statement name and what defines the statement (its text and parameter types, as sent). */
interface ParseParts {
  readonly name: string;
  readonly definition: Buffer;
}

function parseMessageParts(bytes: Buffer): ParseParts {
  const nameEnd = bytes.indexOf(0, 5);
  return { name: bytes.toString('utf8', 5, nameEnd), definition: bytes.subarray(nameEnd + 1) };
}

/** The NUL-terminated string starting at `offset`. */
function cstringAt(bytes: Buffer, offset: number): string {
  return bytes.toString('utf8', offset, bytes.indexOf(0, offset));
}

function queryMessage(sql: string): Buffer {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  const header = Buffer.alloc(5);
  header.write('Q', 0, 'latin1');
  header.writeInt32BE(4 + text.length, 1);
  return Buffer.concat([header, text]);
}

function executeMessage(portal: string): Buffer {
  const name = Buffer.from(`${portal}\0`, 'utf8');
  const message = Buffer.alloc(1 + 4 + name.length + 4);
  message.write('E', 0, 'latin1');
  message.writeInt32BE(4 + name.length + 4, 1);
  name.copy(message, 5);
  message.writeInt32BE(0, 5 + name.length); // no row limit
  return message;
}

function syncMessage(): Buffer {
  const message = Buffer.alloc(5);
  message.write('S', 0, 'latin1');
  message.writeInt32BE(4, 1);
  return message;
}

function fatalError(sqlState: string, text: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${sqlState}\0M${text}\0\0`, 'utf8');
  const header = Buffer.alloc(5);
  header.write('E', 0, 'latin1');
  header.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([header, fields]);
}
