import path from 'node:path';
import type { IpcChannel, IpcResponse, JobChannel, JobReport, ParsedRequest } from '../../../shared/ipc/contract';
import type { PlanProofsAnswer } from '../../../shared/ipc/exportChannel';
import type { PlanProofs } from '../../../shared/export/exportPlan';
import type { ProgressListener } from '../../../shared/work/progress';
import { listensBeyondLoopback } from '../../../shared/settings/appSettings';
import { recentActivity } from '../activity/recentActivity';
import { signingKeysDir, trustedKeysDir } from '../appDirs/appDirs';
import { findBundles } from '../bundle/findBundles';
import { verifyBundle } from '../bundle/verifyBundle';
import { listDrives } from '../drives/listDrives';
import { ejectDevice } from '../drives/eject';
import { watchDrives } from '../drives/watchDrives';
import type { DriveInfo } from '../drives/driveInfo';
import { destinationFacts } from '../drives/destinationFacts';
import { exportPlannedBundle } from '../export/exportBundle';
import { hostPlatform } from '../export/hostPlatform';
import { planExport } from '../export/planExport';
import { planSpaceEstimate } from '../export/planSpace';
import { ownKeyFacts, writePublicKey } from '../keys/ownKeyFacts';
import { signerPolicy, trustStore } from '../keys/trustStore';
import { roundtripFileIn } from '../roundtrip/roundtripDestination';
import { writeStoreInventory } from '../roundtrip/storeInventory';
import { writeStoreRequest } from '../roundtrip/storeRequest';
import { readSettings, updateSettings, type LoadedSettings } from '../settings/settingsFile';
import { inspectSources } from '../sources/inspectSources';
import { openStore } from '../store/diskStore';
import { importBundle } from '../store/importBundle';
import { missList } from '../store/missList';
import { storeFacts } from '../store/storeFacts';
import { checksumDatabaseFromEnv } from '../upstream/checksumDatabaseDefault';
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

/** The store the app works on: the one given to it (`modferry ui --store`), else the one in the settings, else the one in its data folder. */
export async function appStoreDir(app: AppContext): Promise<string> {
  return app.storeDir ?? (await readSettings(app.dirs)).settings.storeDir ?? path.join(app.dirs.data, 'store');
}

/** The upstream to export from: the one asked for, else the one in the settings, else GOPROXY from the environment. */
async function appUpstream(app: AppContext, given: string | undefined): Promise<string> {
  return upstreamProxyList(given ?? (await readSettings(app.dirs)).settings.upstream ?? undefined, process.env);
}

function settingsAnswer(loaded: LoadedSettings): IpcResponse<'settings:get'> {
  return { file: loaded.file, settings: loaded.settings, listensBeyondLoopback: listensBeyondLoopback(loaded.settings.serveListen.host), problem: loaded.problem ?? null };
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
    return { upstream, upstreamProblem, dataDir: app.dirs.data, cacheDir: app.dirs.cache, storeDir: await appStoreDir(app), toolchainPlatform: hostPlatform() };
  },

  'settings:get': async (_request, { app }) => settingsAnswer(await readSettings(app.dirs)),

  'settings:set': async (patch, { app }) => settingsAnswer(await updateSettings(app.dirs, patch)),

  'activity:recent': async ({ limit }, { app }) => recentActivity(app.dirs, await appStoreDir(app), limit ?? 5),

  'sources:inspect': async (sources) => inspectSources(sources),

  'export:plan': async (request, { app, signal, onProgress, plans }) => {
    const { outDir, upstream, ...planRequest } = request;
    const plan = await planExport(
      { ...planRequest, upstream: await appUpstream(app, upstream), checksumDatabase: checksumDatabaseFromEnv(process.env) },
      { dirs: app.dirs, outDir, signal, onProgress },
    );
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
      ...proofsAnswer(plan.proofs),
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
      ...proofsAnswer(result.proofs),
    };
  },

  'verify:run': async ({ bundleDir, trustSigner }, { app, signal, onProgress }) => {
    const trusted = trustStore(trustedKeysDir(app.dirs));
    const { manifest, signer } = await verifyBundle(bundleDir, { trust: signerPolicy(trusted, { acceptNewSigner: trustSigner !== undefined, onlyFingerprint: trustSigner }), signal, onProgress });
    // Trusted once the bundle it signed checked out, as import does: the operator answered "trust this key?" for it.
    if (signer.newlyTrusted) await trusted.trustKey(signer.publicKey);
    return {
      bundleId: manifest.bundleId,
      createdAt: manifest.createdAt,
      files: manifest.entries.length,
      volumes: manifest.volumes.length,
      bytes: manifest.volumes.reduce((sum, volume) => sum + volume.size, 0),
      signer: signer.fingerprint,
      signerTrusted: !signer.newlyTrusted,
      signerNewlyTrusted: signer.newlyTrusted,
    };
  },

  'import:run': async ({ bundleDir, trustSigner }, { app, signal, onProgress }) => {
    const trusted = trustStore(trustedKeysDir(app.dirs));
    const store = openStore(await appStoreDir(app), { mode: 'write' });
    try {
      const result = await importBundle(bundleDir, {
        store,
        trust: signerPolicy(trusted, { acceptNewSigner: trustSigner !== undefined, onlyFingerprint: trustSigner }),
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

  'destination:check': async ({ dir, planId, volumeSize }, { plans }) =>
    destinationFacts(dir, { ...(planId === undefined ? {} : { neededBytes: planSpaceEstimate(plans.get(planId)) }), ...(volumeSize === undefined ? {} : { volumeBytes: volumeSize }) }),

  'bundles:find': async ({ dir }, { app }) => findBundles(dir, trustStore(trustedKeysDir(app.dirs))),

  'keys:own': async (_request, { app }) => ({ key: await ownKeyFacts(signingKeysDir(app.dirs)) }),

  'keys:writePublic': async ({ destination }, { app }) => ({ file: await writePublicKey(signingKeysDir(app.dirs), destination) }),

  'keys:list': async (_request, { app }) => (await trustStore(trustedKeysDir(app.dirs)).list()).map(({ fingerprint, file }) => ({ fingerprint, file })),

  'keys:trustFile': async ({ file }, { app }) => {
    const trusted = trustStore(trustedKeysDir(app.dirs));
    const before = new Set((await trusted.list()).map((key) => key.fingerprint));
    const key = await trusted.trust(file);
    return { fingerprint: key.fingerprint, file: key.file, added: !before.has(key.fingerprint) };
  },

  'keys:untrust': async ({ fingerprint }, { app }) => {
    const removed = await trustStore(trustedKeysDir(app.dirs)).untrust(fingerprint);
    return { fingerprint: removed.fingerprint, file: removed.file };
  },

  'serve:run': async ({ listen }, { app, signal, report }) =>
    runServe(app, { storeDir: await appStoreDir(app), listen: listen ?? (await readSettings(app.dirs)).settings.serveListen, signal, report }),

  'serve:stop': async (_request, { app }) => ({ stopped: await stopServe(app) }),

  'serve:status': async (_request, { app }) => ({ running: serveStatus(app) }),

  'store:facts': async (_request, { app }) => storeFacts(await appStoreDir(app)),

  'misses:list': async ({ since }, { app }) => {
    const { misses, dropped } = missList(await appStoreDir(app), since === undefined ? undefined : new Date(since));
    return {
      misses: misses.map(({ path: module, query, count, firstSeen, lastSeen }) => ({ module, version: query, count, firstSeen, lastSeen })),
      dropped: dropped.map(({ reason, count, firstSeen, lastSeen }) => ({ reason, count, firstSeen, lastSeen })),
    };
  },

  'request:write': async ({ file: destination, since }, { app }) => {
    const file = await roundtripFileIn(destination, 'request');
    const written = await writeStoreRequest(file, { storeDir: await appStoreDir(app), since: since === undefined ? undefined : new Date(since), tool: tool(app) });
    return {
      file,
      written: written.written,
      requests: written.requests,
      askedAsLatest: written.askedAsLatest.map(({ path: modulePath, count }) => ({ path: modulePath, count })),
      leftOut: written.leftOut,
      dropped: written.dropped ?? null,
    };
  },

  'inventory:write': async ({ file: destination }, { app }) => {
    const file = await roundtripFileIn(destination, 'inventory');
    const inventory = await writeStoreInventory(file, { storeDir: await appStoreDir(app), tool: tool(app) });
    return { file, versions: inventory.modules.length, paths: inventory.paths };
  },
};

/** A plan's proofs without their files (a few MB of tiles a screen has no use for), counted instead. */
function proofsAnswer(proofs: PlanProofs | undefined): { proofs?: PlanProofsAnswer } {
  if (proofs === undefined) return {};
  const { files, ...rest } = proofs;
  return { proofs: { ...rest, files: files.length, bytes: files.reduce((sum, file) => sum + file.size, 0) } };
}

function shownDrives(drives: DriveInfo[], all: boolean | undefined): DriveInfo[] {
  return all ? drives : drives.filter((drive) => drive.offered);
}

