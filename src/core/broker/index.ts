export type { BrokerHost, BrokerEventListener, AuthOptions } from './broker-host.js';
export { AedesBroker, type AedesBrokerOptions } from './aedes-broker.js';
export { MosquittoBroker, MOSQUITTO_MISSING, type MosquittoBrokerOptions } from './mosquitto-broker.js';
export { UpstreamBroker, parseHostPort, type UpstreamBrokerOptions } from './upstream-broker.js';
export { createBroker, threadPays, type CreateBrokerOptions } from './create-broker.js';
export { topicMatches, filterCovers, filtersIntersect, hasWildcard } from '../../shared/topic-filter.js';
