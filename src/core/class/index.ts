export { ClassBook, exerciseColumns, MAX_CLIENTS } from './class-book.js';
export { classCsv } from './class-csv.js';
export { ClassTracker } from './class-tracker.js';
export { completes, payloadOk } from './exercise-match.js';
