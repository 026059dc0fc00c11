export { reportRecord, REPORT_FORMAT, REPORT_VERSION, type ReportInput, type ReportRecord } from './report-record.js';
export { renderReport, esc } from './render-report.js';
export { sealOf, KEY_ENV, type Seal } from './seal.js';
export { verifyReport, type Verdict } from './verify-report.js';
export { appVersion } from './app-version.js';
