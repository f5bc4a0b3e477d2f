import { LIVE_NAMESPACE } from '@cloudexport/shared';
import { io, type Socket } from 'socket.io-client';

/** A /live client with an API key, as the panel and the CLI connect: connected, or the handshake's refusal. */
export function connectLive(url: string, key: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(`${url}${LIVE_NAMESPACE}`, { auth: { key }, transports: ['websocket'], reconnection: false, forceNew: true });
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      reject(err);
    });
  });
}
