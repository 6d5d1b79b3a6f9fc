// Ended sessions at the gateway: what the token verifier, the revocation plugin and live sockets ask.
export { SessionEnds, type SessionEndedListener } from './session-ends.js';
