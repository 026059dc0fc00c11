export {
  CaptureStore, DEFAULT_BYTE_BUDGET, DEFAULT_CAPACITY, TRUNCATED_BYTES, type AppendListener, type CaptureStoreOptions, type NewRecord,
} from './capture-store.js';
export type { RecordQuery } from './record-query.js';
