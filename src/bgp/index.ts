/**
 * The BGP session layer, as the speaker service uses it:
 *
 *   import { acceptTunnelSession, type TunnelSession, type SessionObserver } from '../bgp';
 *   server.on('connection', (socket) => { const session = acceptTunnelSession(socket, settings, observer); … });
 *
 * One call per accepted TCP connection: the session sends our OPEN at once and reports through the observer
 * (established → update… → down, exactly one down). advertise() groups routes by their attributes object
 * (share one object per attribute set) and packs them into 4096-byte UPDATEs; it sends AS_PATH and NEXT_HOP
 * exactly as given, so the service puts LocalAsn first and LocalBgpIp as next hop.
 */
export * from './session-api';
export { acceptTunnelSession } from './session';
export { CEASE_SUBCODE } from './fsm';
