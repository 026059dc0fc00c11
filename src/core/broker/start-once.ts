// The start/stop bookkeeping every broker host needs: start at most once (a second call shares the first),
// retry after a failed start, and let stop take over whatever a start produced, even one still under way.
export class StartOnce<R> {
  private running: Promise<R> | undefined;

  constructor(private readonly launch: () => Promise<R>) {}

  async start(): Promise<R> {
    this.running ??= this.launch();
    try {
      return await this.running;
    } catch (err) {
      this.running = undefined;
      throw err;
    }
  }

  /** Hands over the running resource for stopping; undefined when none runs (or its start failed, having released what it had). */
  async take(): Promise<R | undefined> {
    const pending = this.running;
    if (pending === undefined) return undefined;
    this.running = undefined;
    try {
      return await pending;
    } catch {
      return undefined;
    }
  }
}
