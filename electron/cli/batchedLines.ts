/**
 * Collects log lines and writes them together every `intervalMs`: a busy proxy answers thousands of
 * requests a second, and one write per request line costs it a measurable share of its throughput.
 */
export function batchedLines(write: (text: string) => void, intervalMs = 100): { line(text: string): void; flush(): void } {
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const text = pending.join('\n');
    pending = [];
    write(text);
  };
  return {
    line(text) {
      pending.push(text);
      timer ??= setTimeout(flush, intervalMs);
    },
    flush,
  };
}
