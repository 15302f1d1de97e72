/** The BGP session layer: what the speaker service imports. */
export * from './session-api';
export { acceptTunnelSession } from './session';
export { CEASE_SUBCODE } from './fsm';
