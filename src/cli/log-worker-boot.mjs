// Starts the live log's thread from the TypeScript sources: the CLI runs them through tsx, and a worker thread
// does not inherit that.
import { register } from 'tsx/esm/api';

register();
await import('./log-worker.ts');
