import path from 'node:path';
import type { IpcChannel, IpcResponse, JobChannel, JobReport, ParsedRequest } from '../../../shared/ipc/contract';
import type { ProgressListener } from '../../../shared/work/progress';
import { signingKeysDir, trustedKeysDir } from '../appDirs/appDirs';
import { findBundles } from '../bundle/findBundles';
import { verifyBundle } from '../bundle/verifyBundle';
import { listDrives } from '../drives/listDrives';
import { ejectDevice } from '../drives/eject';
import { watchDrives } from '../drives/watchDrives';
import type { DriveInfo } from '../drives/driveInfo';
import { exportPlannedBundle } from '../export/exportBundle';
import { planExport } from '../export/planExport';
import { ownKeyFacts, writePublicKey } from '../keys/ownKeyFacts';
import { signerPolicy, trustStore } from '../keys/trustStore';
import { writeStoreInventory } from '../roundtrip/storeInventory';
import { writeStoreRequest } from '../roundtrip/storeRequest';
import { openStore } from '../store/diskStore';
import { importBundle } from '../store/importBundle';
import { storeFacts } from '../store/storeFacts';
import { NoUpstreamError, upstreamProxyList } from '../upstream/upstreamDefault';
import type { AppContext } from './appContext';
import type { RecentPlans } from './recentPlans';
import { runServe, serveStatus, stopServe } from './serveSlot';

export interface HandlerContext<C extends IpcChannel = IpcChannel> {
  app: AppContext;
  /** Aborted when the job is cancelled or its window or socket goes away; never for a call. */
  signal: AbortSignal;
  /** Work under way, for a job whose progress is ProgressUpdates. */
  onProgress: ProgressListener;
  /** A whole state, or one item of a batch, for a job that reports those. */
  report: (value: C extends JobChannel ? JobReport<C> : never) => void;
  /** Cancels a job of the same window or socket; false when it has none by that id. */
  cancelJob(jobId: string): boolean;
  /** The export plans this window or socket made, which export:run runs by id. */
  plans: RecentPlans;
}

type Handler<C extends IpcChannel> = (request: ParsedRequest<C>, context: HandlerContext<C>) => Promise<IpcResponse<C>>;

/** The store the app works on: the one given to it, else the one in its data folder. */
export function appStoreDir(app: AppContext): string {
  return app.storeDir ?? path.join(app.dirs.data, 'store');
}

const tool = (app: AppContext): string => `modferry ${app.toolVersion}`;

/** One handler per channel of the contract (a missing one is a compile error); main and `modferry ui` dispatch to these. */
export const appHandlers: { [C in IpcChannel]: Handler<C> } = {
  'app:info': async (_request, { app }) => ({ name: 'ModFerry', version: app.toolVersion, platform: process.platform }),

  'job:cancel': async ({ jobId }, { cancelJob }) => ({ cancelled: cancelJob(jobId) }),

  'settings:defaults': async (_request, { app }) => {
    let upstream: string | null = null;
    let upstreamProblem: string | null = null;
    try {
      upstream = upstreamProxyList(undefined, process.env);
    } catch (error) {
      if (!(error instanceof NoUpstreamError)) throw error;
      upstreamProblem = error.message;
    }
    return { upstream, upstreamProblem, dataDir: app.dirs.data, cacheDir: app.dirs.cache, storeDir: appStoreDir(app) };
  },

  'export:plan': async (request, { app, signal, onProgress, plans }) => {
    const { outDir, ...planRequest } = request;
    const plan = await planExport(planRequest, { dirs: app.dirs, outDir, signal, onProgress });
    plans.add(plan);
    return {
      id: plan.id,
      createdAt: plan.createdAt,
      upstream: plan.upstream,
      inputs: plan.inputs,
      modules: plan.modules.map((m) => ({ ...m, files: m.files.map(({ kind, size, sha256, heldOffline, exportedIn }) => ({ kind, size, sha256, heldOffline, ...(exportedIn === undefined ? {} : { exportedIn }) })) })),
      totals: plan.totals,
      alreadyCarried: plan.alreadyCarried,
      unmet: plan.unmet,
      warnings: plan.warnings,
    };
  },

  'export:run': async ({ planId, ...run }, { app, signal, onProgress, plans }) => {
    const result = await exportPlannedBundle(plans.get(planId), { ...run, dirs: app.dirs, toolVersion: app.toolVersion, signal, onProgress });
    return {
      bundleDir: result.bundleDir,
      bundleId: result.bundleId,
      createdAt: result.createdAt,
      volumes: result.volumes,
      files: result.files,
      bytes: result.bytes,
      moduleVersions: result.modules.length,
      leftOut: result.leftOut,
      warnings: result.warnings,
      unmet: result.unmet,
      check: result.check,
      signer: { fingerprint: result.signer.fingerprint, created: result.signer.created },
    };
  },

  'verify:run': async ({ bundleDir, trustNewKey }, { app, signal, onProgress }) => {
    const trust = signerPolicy(trustStore(trustedKeysDir(app.dirs)), { acceptNewSigner: trustNewKey ?? false });
    const { manifest, signer } = await verifyBundle(bundleDir, { trust, signal, onProgress });
    return {
      bundleId: manifest.bundleId,
      createdAt: manifest.createdAt,
      files: manifest.entries.length,
      volumes: manifest.volumes.length,
      bytes: manifest.volumes.reduce((sum, volume) => sum + volume.size, 0),
      signer: signer.fingerprint,
      signerTrusted: !signer.newlyTrusted,
    };
  },

  'import:run': async ({ bundleDir, trustNewKey }, { app, signal, onProgress }) => {
    const trusted = trustStore(trustedKeysDir(app.dirs));
    const store = openStore(app.storeDir, { mode: 'write' });
    try {
      const result = await importBundle(bundleDir, {
        store,
        trust: signerPolicy(trusted, { acceptNewSigner: trustNewKey ?? false }),
        trustStore: trusted,
        signal,
        onProgress,
      });
      return { storeDir: store.dir, ...result };
    } finally {
      store.close();
    }
  },

  'drives:list': async ({ all }) => shownDrives(await listDrives(), all),

  'drives:watch': async ({ all }, { signal, report }) => {
    // A listing that fails ends the watch with its error, for the screen to show and start again.
    await new Promise<void>((resolve, reject) => {
      const watch = watchDrives((drives) => report(shownDrives(drives, all)), {
        onError: (error) => {
          watch.stop();
          reject(error);
        },
      });
      const stop = (): void => {
        watch.stop();
        resolve();
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
    return {};
  },

  'drives:eject': async ({ device }) => {
    await ejectDevice(device);
    return { device };
  },

  'bundles:find': async ({ dir }, { app }) => findBundles(dir, trustStore(trustedKeysDir(app.dirs))),

  'keys:own': async (_request, { app }) => ({ key: await ownKeyFacts(signingKeysDir(app.dirs)) }),

  'keys:writePublic': async ({ destination }, { app }) => ({ file: await writePublicKey(signingKeysDir(app.dirs), destination) }),

  'keys:list': async (_request, { app }) => (await trustStore(trustedKeysDir(app.dirs)).list()).map(({ fingerprint, file }) => ({ fingerprint, file })),

  'keys:untrust': async ({ fingerprint }, { app }) => {
    const removed = await trustStore(trustedKeysDir(app.dirs)).untrust(fingerprint);
    return { fingerprint: removed.fingerprint, file: removed.file };
  },

  'serve:run': async ({ listen }, { app, signal, report }) => runServe(app, { storeDir: appStoreDir(app), listen, signal, report }),

  'serve:stop': async (_request, { app }) => ({ stopped: await stopServe(app) }),

  'serve:status': async (_request, { app }) => ({ running: serveStatus(app) }),

  'store:facts': async (_request, { app }) => storeFacts(appStoreDir(app)),

  'request:write': async ({ file, since }, { app }) => {
    const written = await writeStoreRequest(file, { storeDir: appStoreDir(app), since: since === undefined ? undefined : new Date(since), tool: tool(app) });
    return {
      file,
      written: written.written,
      requests: written.requests,
      askedAsLatest: written.askedAsLatest.map(({ path: modulePath, count }) => ({ path: modulePath, count })),
      leftOut: written.leftOut,
      dropped: written.dropped ?? null,
    };
  },

  'inventory:write': async ({ file }, { app }) => {
    const inventory = await writeStoreInventory(file, { storeDir: appStoreDir(app), tool: tool(app) });
    return { file, versions: inventory.modules.length, paths: inventory.paths };
  },
};

function shownDrives(drives: DriveInfo[], all: boolean | undefined): DriveInfo[] {
  return all ? drives : drives.filter((drive) => drive.offered);
}

