import { createServer, type Server, type Socket } from 'node:net';
import { RequestParser } from '@byor/protocol';

/**
 * A TCP server that answers every command with the next of a list of raw replies (in a loop),
 * so that byor-cli and redis-cli can be shown exactly the same bytes. HELLO gets a RESP3 map and
 * COMMAND an empty array, so that neither client's handshake consumes a scripted reply.
 */
export class ScriptedServer {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #replies: Buffer[] = [];
  /** every command received, as argv */
  readonly commands: string[][] = [];

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<ScriptedServer> {
    const server = createServer();
    const scripted = new ScriptedServer(server);
    server.on('connection', (socket) => scripted.#serve(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return scripted;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** Replies to give, in order, starting again from the first (each connection from the start). */
  script(replies: readonly (string | Buffer)[]): void {
    this.#replies = replies.map((reply) =>
      typeof reply === 'string' ? Buffer.from(reply, 'latin1') : reply,
    );
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {});
    const parser = new RequestParser();
    let next = 0; // each connection starts from the first reply
    socket.on('data', (chunk: Buffer) => {
      parser.push(chunk);
      for (let argv = parser.next(); argv !== undefined; argv = parser.next()) {
        this.commands.push(argv);
        const name = argv[0]!.toUpperCase();
        if (name === 'HELLO') socket.write('%1\r\n$5\r\nproto\r\n:3\r\n');
        else if (name === 'COMMAND') socket.write('*0\r\n');
        else if (this.#replies.length === 0) socket.write('+OK\r\n');
        else socket.write(this.#replies[next++ % this.#replies.length]!);
      }
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
