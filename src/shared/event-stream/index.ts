// One flow-controlled event stream for both transports: see sender.ts (server side), receiver.ts (page side)
// and frame.ts (the wire shape).
export { EventSender, FLOOD_ROWS_PER_S, STREAM_DEFAULTS, type SenderOptions, type SenderStats } from './sender.js';
export { EventReceiver, type ReceiverOptions } from './receiver.js';
export { FrameEncoder, isPackable } from './frame-encoder.js';
export { decodeFrame, FrameError, isStreamFrame } from './frame-decoder.js';
export type { StreamFrame } from './frame.js';
