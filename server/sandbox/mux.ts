/**
 * One loopback port, two protocols, as Scalekit's base URL serves them: the SDK's token fetch is HTTP/1.1,
 * its gRPC calls are cleartext HTTP/2 with prior knowledge. Each TCP connection is routed by its first bytes.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

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
      // Both servers take the bytes already read back from the stream's buffer: node:http reads through
      // the stream, node:http2 replays a socket's buffered bytes into its native session before reading
      // the handle itself (so HTTP/2 frames never pass through JavaScript streams).
      socket.unshift(head);
      if (couldBeH2) {
        h2.emit('connection', socket);
      } else {
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
