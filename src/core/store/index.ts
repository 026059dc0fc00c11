export { CaptureStore, DEFAULT_CAPACITY, type NewRecord, type AppendListener } from './capture-store.js';
export type { RecordQuery } from './record-query.js';
