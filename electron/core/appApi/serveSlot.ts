import type { ServeEvent, ServeStatus } from '../../../shared/ipc/serveChannels';
import { ModFerryError } from '../errors/modferryError';
import type { ListenAddress } from '../serve/listenAddress';
import { startServe, type RunningServe } from '../serve/serveService';
import type { HandlerCounts } from '../serve/proxyHandler';
import type { AppContext } from './appContext';

interface Running {
  serve: RunningServe;
  /** Ends the serve:run job that started it, whichever window or socket that was. */
  stop(): void;
  done: Promise<unknown>;
}

/** The proxy of each app (one Electron main, one `modferry ui`): a second would only fight over the port and the store. */
const slots = new WeakMap<AppContext, { busy: boolean; running?: Running }>();

function slotOf(app: AppContext): { busy: boolean; running?: Running } {
  let slot = slots.get(app);
  if (slot === undefined) {
    slot = { busy: false };
    slots.set(app, slot);
  }
  return slot;
}

export interface RunServeOptions {
  storeDir: string;
  listen?: ListenAddress;
  /** Ends the serve, as job:cancel or the window closing does. */
  signal: AbortSignal;
  report(event: ServeEvent): void;
}

/** Serves the store until the signal or serve:stop ends it; reports `listening`, then every request; resolves with the final counts. */
export async function runServe(app: AppContext, options: RunServeOptions): Promise<HandlerCounts> {
  const slot = slotOf(app);
  if (slot.busy) {
    throw new ModFerryError('usage', `serve:run: the proxy is already running${slot.running === undefined ? '' : ` at ${slot.running.serve.url}`}: stop it first`);
  }
  slot.busy = true;
  try {
    if (options.signal.aborted) throw new ModFerryError('interrupted', 'cancelled');
    const serve = await startServe({
      storeDir: options.storeDir,
      ...(options.listen === undefined ? {} : { listen: options.listen }),
      onRequest: (request) => options.report({ type: 'request', ...request }),
    });
    const stopping = new AbortController();
    const stopped = new Promise<void>((resolve) => {
      const end = (): void => resolve();
      if (options.signal.aborted) end();
      options.signal.addEventListener('abort', end, { once: true });
      stopping.signal.addEventListener('abort', end, { once: true });
    });
    let finished!: () => void;
    slot.running = { serve, stop: () => stopping.abort(), done: new Promise<void>((resolve) => (finished = resolve)) };
    options.report({ type: 'listening', ...started(serve) });
    try {
      // Worker processes that kept dying end the serve with the reason; otherwise only a stop does.
      const failure = await Promise.race([stopped.then(() => undefined), serve.failed]);
      const counts = await serve.stop();
      if (failure !== undefined) throw failure;
      return counts;
    } finally {
      slot.running = undefined;
      finished();
    }
  } finally {
    slot.busy = false;
  }
}

/** Stops the app's proxy, wherever it was started; resolves once its port is closed. False when none ran. */
export async function stopServe(app: AppContext): Promise<boolean> {
  const running = slotOf(app).running;
  if (running === undefined) return false;
  running.stop();
  await running.done;
  return true;
}

export function serveStatus(app: AppContext): ServeStatus | null {
  const running = slotOf(app).running;
  if (running === undefined) return null;
  return { ...started(running.serve), counts: running.serve.counts(), store: running.serve.stats() };
}

function started(serve: RunningServe): Omit<ServeStatus, 'counts' | 'store'> {
  return { url: serve.url, facts: serve.facts, storeDir: serve.storeDir, readOnly: serve.readOnly, startedAt: serve.startedAt };
}
