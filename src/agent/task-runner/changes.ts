// Waiting for the task's state to reach a condition (a dependency met, a stop requested):
// every change calls notify(), and each waiter asks its question again.
export class Changes {
  private readonly waiters = new Set<() => void>();

  /** Resolves with check()'s first defined answer, re-asked after every notify(), or "timeout". */
  waitFor<T>(check: () => T | undefined, timeoutMs: number): Promise<T | "timeout"> {
    return new Promise((resolve) => {
      const first = check();
      if (first !== undefined) return resolve(first);
      const finish = (answer: T | "timeout") => {
        clearTimeout(timer);
        this.waiters.delete(attempt);
        resolve(answer);
      };
      const attempt = () => {
        const answer = check();
        if (answer !== undefined) finish(answer);
      };
      const timer = setTimeout(() => finish("timeout"), timeoutMs);
      this.waiters.add(attempt);
    });
  }

  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
