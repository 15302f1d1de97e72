/** Ready router configurations for the customer side of a connection's tunnels (vcoroute peer-config). */
import { renderBird } from './bird';
import { renderExabgp } from './exabgp';
import { renderFrr } from './frr';
import { renderGobgp } from './gobgp';
import type { PeerConfigFormat, PeerPlan } from './plan';

export { PEER_CONFIG_FORMATS, PeerConfigError, planPeerConfig } from './plan';
export type { PeerConfigFormat, PeerPlan, PlanInput, SpeakerEndpoint } from './plan';

const RENDERERS: Record<PeerConfigFormat, (plan: PeerPlan) => string> = {
  bird: renderBird,
  frr: renderFrr,
  gobgp: renderGobgp,
  exabgp: renderExabgp,
};

/** The configuration text; PeerConfigError when the daemon cannot express the plan. */
export function renderPeerConfig(format: PeerConfigFormat, plan: PeerPlan): string {
  return RENDERERS[format](plan);
}
