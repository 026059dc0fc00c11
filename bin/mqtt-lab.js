#!/usr/bin/env node
// Entry point of the `mqtt-lab` command. The sources are TypeScript; tsx compiles them on load so that
// the CLI works in a checkout right after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
