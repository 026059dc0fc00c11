export { ClientManager, type ClientManagerEvents, type ClientManagerOptions } from './client-manager.js';
export { RefusedError, type DisconnectOptions } from './managed-client.js';
export { SessionStore } from './session-store.js';
export { connackRefusal } from './reason-codes.js';
export type { Target } from './mqtt-options.js';
