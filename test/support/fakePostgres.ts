/**
 * Pieces for the misbehaving servers of the hostile tests: a PostgreSQL protocol message, and a
 * TCP server on 127.0.0.1 (a port of its own) that answers each connection as a test says.
 */
import * as net from 'node:net';

/** A backend message: its type byte, its length, its body. */
export function pgMessage(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0);
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

/** A server on 127.0.0.1 that hands each connection to `serve`; socket errors are ignored. */
export function loopbackServer(serve: (socket: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    serve(socket);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** `postgres://app:<password>@127.0.0.1:<port>/<database>` for a server of loopbackServer. */
export function loopbackUrl(server: net.Server, password: string, database = 'app'): string {
  const { port } = server.address() as net.AddressInfo;
  return `postgres://app:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}
