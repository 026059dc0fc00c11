export { Framer, DEFAULT_MAX_PACKET_SIZE, ALREADY_BROKEN } from './framer.js';
export type { FrameEvent, FramerOptions } from './framer.js';
