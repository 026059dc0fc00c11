// Which handles (sockets, servers, timers, child processes) are active now that were not before: a multiset
// difference over process.getActiveResourcesInfo(), because vitest's own come and go.
export function extraResources(before: readonly string[]): string[] {
  const left = [...before];
  return process.getActiveResourcesInfo().filter((r) => {
    const i = left.indexOf(r);
    if (i === -1) return true;
    left.splice(i, 1);
    return false;
  });
}
