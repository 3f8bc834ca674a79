/**
 * One loopback port, two protocols, as Scalekit's base URL serves them: the SDK's token fetch is HTTP/1.1,
 * its gRPC calls are cleartext HTTP/2 with prior knowledge. Each TCP connection is routed by its first bytes.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { Duplex } from 'node:stream';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * Feeds an HTTP/2 session bytes that were already read off the socket. node:http2 reads a net.Socket's
 * native handle directly (bypassing `unshift`), so without this wrapper it misses the preface and the
 * session dies with PROTOCOL_ERROR (2). A handle-less Duplex makes it go through the JS stream instead.
 */
class ReplaySocket extends Duplex {
  constructor(
    private readonly raw: net.Socket,
    head: Buffer,
  ) {
    super();
    this.push(head);
    raw.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) raw.pause();
    });
    raw.on('end', () => this.push(null));
    raw.on('error', (err) => this.destroy(err));
    raw.on('close', () => this.destroy());
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.raw.write(chunk, encoding, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.raw.end(cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.raw.destroy();
    cb(err);
  }

  // http2 asks these of its socket.
  get remoteAddress() {
    return this.raw.remoteAddress;
  }
  get remotePort() {
    return this.raw.remotePort;
  }
  get localAddress() {
    return this.raw.localAddress;
  }
  get localPort() {
    return this.raw.localPort;
  }
  setTimeout(ms: number, cb?: () => void): this {
    this.raw.setTimeout(ms, cb);
    return this;
  }
  setNoDelay(noDelay?: boolean): this {
    this.raw.setNoDelay(noDelay);
    return this;
  }
  setKeepAlive(enable?: boolean, delay?: number): this {
    this.raw.setKeepAlive(enable, delay);
    return this;
  }
}

export interface DualServer {
  port: number;
  close(): Promise<void>;
}

export async function listenDual(
  port: number,
  onHttp1: http.RequestListener,
  onHttp2: (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
): Promise<DualServer> {
  const h1 = http.createServer(onHttp1);
  const h2 = http2.createServer({}, onHttp2);
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });

  const tcp = net.createServer((socket) => {
    // Answers leave in several writes (HTTP/2 frames); with Nagle on, a write waiting for the peer's
    // delayed ACK stalled every large answer by ~40 ms on loopback.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const n = Math.min(head.length, H2_PREFACE.length);
      const couldBeH2 = head.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
      // Wait for more bytes only while the connection might still be HTTP/2.
      if (couldBeH2 && head.length < H2_PREFACE.length) return;
      socket.off('data', onData);
      socket.pause();
      if (couldBeH2) {
        h2.emit('connection', new ReplaySocket(socket, head));
      } else {
        // node:http reads through the stream when data is waiting there, so unshift is enough.
        socket.unshift(head);
        h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });

  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, '127.0.0.1', () => {
      tcp.off('error', reject);
      resolve();
    });
  });

  return {
    port: (tcp.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        tcp.close(() => resolve());
        for (const session of sessions) session.destroy();
        for (const socket of sockets) socket.destroy();
        h1.closeAllConnections();
      }),
  };
}
