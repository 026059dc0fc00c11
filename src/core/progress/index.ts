export { ProgressStore, MAX_NAME, type LessonIdentity } from './progress-store.js';
export { lessonVersion, snapshotStep, stepPcapng, recordOf, MAX_STEP_PACKETS } from './step-capture.js';
export { readDataFile, writeDataFile } from './data-file.js';
export { defaultDataDir, DATA_ENV } from './data-folder.js';
