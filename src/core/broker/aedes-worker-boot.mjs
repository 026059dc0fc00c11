// Starts the embedded broker's thread from the TypeScript sources (the CLI and the tests run them through
// tsx, and a worker thread does not inherit that): the built app starts its compiled aedes-worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./aedes-worker.ts');
