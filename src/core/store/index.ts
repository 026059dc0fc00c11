export {
  CaptureStore, CUT_FROM, DEFAULT_BYTE_BUDGET, DEFAULT_CAPACITY, TRUNCATED_BYTES, type AppendListener, type CaptureStoreOptions, type IssueFacts, type NewRecord,
} from './capture-store.js';
export { FilterError, FilterViews, type SeqWindow } from './filter-views.js';
export type { RecordQuery } from './record-query.js';
