// A subscriber to the fleet service's events from outside it (the live view): hello, subscribe, then one callback
// per event until closed. No service, another version, or a service that goes away: the subscriber just stops, and
// the caller keeps the view current the way it would without one.
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { packageVersion } from '../paths.js';
import { serviceSocketPath } from './paths.cjs';
import { encode, lineReader, PROTOCOL, type FleetEvent, type ServiceMessage } from './protocol.cjs';

export interface EventSubscription {
  close(): void;
}

/** Events of the service of `rosterPath`, or null when none listens. */
export function subscribeToService(rosterPath: string, env: NodeJS.ProcessEnv, onEvent: (event: FleetEvent) => void): EventSubscription | null {
  const path = serviceSocketPath(rosterPath, env);
  if (env.MOSAIC_NO_SERVICE === '1' || !existsSync(path)) return null;
  const socket = connect(path);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    socket.destroy();
  };
  let greeted = false;
  socket.on('error', end);
  socket.on('close', end);
  socket.on('connect', () => socket.write(encode({ type: 'hello', protocol: PROTOCOL, version: packageVersion() })));
  socket.on(
    'data',
    lineReader((raw) => {
      const m = raw as ServiceMessage;
      if (!greeted) {
        if (m.type !== 'hello' || m.protocol !== PROTOCOL || m.roster !== rosterPath) return end();
        greeted = true;
        socket.write(encode({ type: 'subscribe' }));
        return;
      }
      // The service replays its recent history first: a view that wakes on it only looks once more.
      if (m.type === 'event') onEvent(m.event);
    }),
  );
  return { close: end };
}
