// The HTTP words of the `do:` vocabulary, for comparing MQTT with HTTP in the lab: `http-post` (a named
// HTTP client sends one reading to the lab's web server) and `http-poll` (a named client asks for new
// readings every `every` ms for `for` ms). An HTTP client needs no `client:` action: it is not an MQTT
// client, and its name is what expectations use (`packet: { type: HTTP, from: web-phone }`).
import type { ActionBody, SourcePos } from '../../shared/lesson.js';
import { optional } from './parse-values.js';
import type { ParseContext } from './scope.js';
import { MAX_WAIT_MS } from './vocabulary.js';
import type { YNode } from './yaml-reader.js';

function httpClient(c: ParseContext, n: YNode, what: string): string | undefined {
  const name = c.r.text(n, what);
  if (name === undefined) return undefined;
  const earlier = c.scope.clients.get(name);
  if (earlier !== undefined && c.scope.httpClients.has(name) === false) {
    c.r.report(n, `${what}: '${name}' is an MQTT client (line ${earlier.at.line}); give the HTTP client its own name`);
    return undefined;
  }
  // Declared on first use, so expectations may name it (from:, to:) like any client.
  if (earlier === undefined) c.scope.clients.set(name, { version: 4, at: c.r.at(n) });
  c.scope.httpClients.add(name);
  return name;
}

export function parseHttpPost(c: ParseContext, v: YNode, at: SourcePos, body: (c: ParseContext, n: YNode, what: string) => string | undefined): ActionBody | undefined {
  const f = c.r.fields(v, 'http-post', ['client', 'body'], ['client', 'body'], at);
  if (f === undefined) return undefined;
  const client = optional(c, f, 'client', (n) => httpClient(c, n, 'http-post: client'));
  const text = optional(c, f, 'body', (n) => body(c, n, 'http-post: body'));
  if (text !== undefined) {
    try {
      JSON.parse(text);
    } catch {
      c.r.report(f.get('body')!.value, 'http-post: body must be JSON (a mapping, or JSON text): the lab\'s web server keeps readings as JSON');
      return undefined;
    }
  }
  return client === undefined || text === undefined ? undefined : { kind: 'http-post', client, body: text };
}

export function parseHttpPoll(c: ParseContext, v: YNode, at: SourcePos): ActionBody | undefined {
  const f = c.r.fields(v, 'http-poll', ['client', 'every', 'for'], ['client', 'every', 'for'], at);
  if (f === undefined) return undefined;
  const client = optional(c, f, 'client', (n) => httpClient(c, n, 'http-poll: client'));
  const every = optional(c, f, 'every', (n) => c.r.int(n, 'http-poll: every', 50, MAX_WAIT_MS, ' ms'));
  const forMs = optional(c, f, 'for', (n) => c.r.int(n, 'http-poll: for', 1, MAX_WAIT_MS, ' ms'));
  if (client === undefined || every === undefined || forMs === undefined) return undefined;
  return { kind: 'http-poll', client, every, for: forMs };
}
