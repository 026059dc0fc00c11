// The display filter that shows one client's packets, as a student would type it (and as Wireshark could
// not: `lab.client` is the lab's own field). A connection without a client id is named by its number.
export function clientFilter(lane: string): string {
  const conn = /^conn #(\d+)$/.exec(lane);
  if (conn) return `lab.conn == ${conn[1]}`;
  return `lab.client == "${lane.replace(/["\\]/g, '\\$&')}"`;
}
