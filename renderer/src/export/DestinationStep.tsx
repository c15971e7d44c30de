import { useEffect, useState } from 'react';
import type { DriveAnswer, DriveMountAnswer } from '../../../shared/ipc/drivesChannel';
import type { ExportPlanAnswer } from '../../../shared/ipc/exportChannel';
import { ABSOLUTE_PATH } from '../../../shared/ipc/paths';
import { ErrorView } from '../ErrorView';
import { useI18n } from '../i18n/useI18n';
import { useExportWizard, type Destination } from './exportWizardStore';
import { planWarningWords } from './planNotesWords';
import { readVolumeSize, type VolumeSizeReading } from './volumeSizeChoice';
import type { DestinationAnswer } from '../../../shared/ipc/drivesChannel';

/** A drive's mount can take the bundle when it is mounted writable; one held back for another reason is a choice with a warning. */
const choosable = (drive: DriveAnswer): boolean => drive.heldBack !== 'read-only' && drive.heldBack !== 'not-mounted';

/** Step 3: an offered removable drive (the list follows plugging in and out), any drive when asked, or a folder. */
export function DestinationStep({ plan }: { plan: ExportPlanAnswer }) {
  const { t, format } = useI18n();
  const { drives, showAllDrives, drivesError, destination, destinationFacts, destinationError, volumeSizeText, volumeSize, check, watchDrives, setShowAllDrives, choose, checkDestination, setCheck, goTo, run } = useExportWizard();
  const [folder, setFolder] = useState(destination?.kind === 'folder' ? destination.path : '');
  useEffect(() => watchDrives(), [watchDrives, showAllDrives]);
  // A folder being typed is asked about once typing pauses, not at every key.
  const typedFolder = destination?.kind === 'folder' ? destination.path : undefined;
  useEffect(() => {
    if (typedFolder === undefined) return;
    const timer = setTimeout(() => void checkDestination(), 300);
    return () => clearTimeout(timer);
  }, [typedFolder, checkDestination]);

  const need = plan.totals.bytes;
  const mounts = drives.flatMap((drive) => drive.mounts.map((mount) => ({ drive, mount })));
  const unmounted = drives.filter((drive) => drive.mounts.length === 0);
  const folderChosen = destination?.kind === 'folder';
  const folderValid = ABSOLUTE_PATH.test(folder.trim());
  const checked = destinationFacts !== undefined && destinationFacts.dir !== '' && destinationError === undefined;
  const volumeSizeReady = volumeSizeText === undefined || (volumeSize !== undefined && destinationFacts?.volumeSize.bytes === volumeSize);
  const ready = destination !== undefined && checked && destinationFacts.fits !== false && (!folderChosen || folderValid) && volumeSizeReady;
  const pickFolder = (path: string): void => {
    setFolder(path);
    choose({ kind: 'folder', path: path.trim() });
  };
  const pickMount = (drive: DriveAnswer, mount: DriveMountAnswer): void => choose({ kind: 'drive', device: drive.device, path: mount.path, offered: drive.offered });
  const isChosen = (d: Destination | undefined, path: string): boolean => d?.kind === 'drive' && d.path === path;

  return (
    <div className="export-step destination-step">
      <p data-testid="destination-need">{t('exportWizard.destination.need', { size: format.size(need) })}</p>
      <fieldset className="field wide">
        <legend>{t('exportWizard.destination.where')}</legend>
        {drives.length === 0 && <p className="hint" data-testid="no-drives">{t(showAllDrives ? 'exportWizard.destination.noDrivesAtAll' : 'exportWizard.destination.noDrives')}</p>}
        {mounts.map(({ drive, mount }) => {
          const fits = mount.freeBytes === null ? undefined : mount.freeBytes >= need;
          return (
            <label key={`${drive.device}:${mount.path}`} className={`choice ${drive.offered ? '' : 'held-back'}`} data-testid="drive-choice">
              <input type="radio" name="destination" checked={isChosen(destination, mount.path)} disabled={!choosable(drive)} onChange={() => pickMount(drive, mount)} />
              <span className="choice-text">
                <span className="choice-title">{mount.label ?? drive.label ?? drive.description} — <code>{mount.path}</code></span>
                <span className="choice-detail">
                  {[drive.description, mount.fileSystem ?? t('exportWizard.destination.unknownFs'),
                    mount.freeBytes === null ? t('exportWizard.destination.freeUnknown') : t('exportWizard.destination.free', { size: format.size(mount.freeBytes) })].join(' · ')}
                </span>
                {fits === false && <span className="choice-warning">{t('exportWizard.destination.tooSmall', { need: format.size(need), free: format.size(mount.freeBytes ?? 0) })}</span>}
                {drive.heldBack !== undefined && <span className="choice-warning">{t(`exportWizard.heldBack.${drive.heldBack}`)}</span>}
              </span>
            </label>
          );
        })}
        {unmounted.map((drive) => (
          <label key={drive.device} className="choice held-back" data-testid="drive-choice">
            <input type="radio" name="destination" checked={false} disabled onChange={() => undefined} />
            <span className="choice-text">
              <span className="choice-title">{drive.label || drive.description} — <code>{drive.device}</code></span>
              {drive.heldBack !== undefined && <span className="choice-warning">{t(`exportWizard.heldBack.${drive.heldBack}`)}</span>}
            </span>
          </label>
        ))}
        <label className="choice" data-testid="folder-choice">
          <input type="radio" name="destination" checked={folderChosen} onChange={() => pickFolder(folder)} data-testid="destination-folder-radio" />
          <span className="choice-text">
            <span className="choice-title">{t('exportWizard.destination.folder')}</span>
          </span>
        </label>
        <label className="inline-field folder-path">
          {t('exportWizard.destination.folderPath')}
          <input value={folder} onChange={(event) => pickFolder(event.target.value)} onFocus={() => !folderChosen && pickFolder(folder)} placeholder="/media/me/USB" aria-invalid={folderChosen && folder !== '' && !folderValid} data-testid="destination-folder" />
        </label>
        {folderChosen && folder !== '' && !folderValid && <p role="alert" className="field-problem">{t('exportWizard.sources.notAbsolute')}</p>}
        {folderChosen && <p className="hint">{t('exportWizard.destination.folderHint')}</p>}
      </fieldset>

      {destination !== undefined && (destinationFacts !== undefined || destinationError !== undefined) && (
        <section aria-labelledby="destination-facts" className="destination-facts" data-testid="destination-facts">
          <h4 id="destination-facts">{t('exportWizard.destination.chosen', { path: destination.path })}</h4>
          {destinationError !== undefined && <ErrorView error={destinationError} />}
          {destinationFacts !== undefined && <DestinationFacts facts={destinationFacts} custom={volumeSize !== undefined && destinationFacts.volumeSize.bytes === volumeSize} />}
          {destinationFacts !== undefined && <VolumeSizeField facts={destinationFacts} largestFileBytes={largestFileBytes(plan)} />}
        </section>
      )}

      <label className="checkbox">
        <input type="checkbox" checked={showAllDrives} onChange={(event) => setShowAllDrives(event.target.checked)} data-testid="show-all-drives" />
        {t('exportWizard.destination.showAll')}
      </label>
      {showAllDrives && <p className="export-notice export-notice-warning" data-testid="show-all-warning">{t('exportWizard.destination.showAllWarning')}</p>}
      {destination?.kind === 'drive' && !destination.offered && <p role="alert" className="export-notice export-notice-warning">{t('exportWizard.destination.heldBackChosen')}</p>}
      {drivesError !== undefined && <ErrorView error={drivesError} />}

      <label className="checkbox">
        <input type="checkbox" checked={check} onChange={(event) => setCheck(event.target.checked)} data-testid="destination-check" />
        {t('exportWizard.destination.check')}
      </label>

      <div className="export-actions">
        <button type="button" className="secondary" onClick={() => goTo('review')}>{t('exportWizard.back')}</button>
        <button type="button" onClick={run} disabled={!ready} data-testid="destination-export">{t('exportWizard.destination.export')}</button>
      </div>
    </div>
  );
}

/** What the app found at the chosen destination: its drive and file system, the room against the bundle, and the volume size. */
function DestinationFacts({ facts, custom }: { facts: DestinationAnswer; custom: boolean }) {
  const { t, format } = useI18n();
  const oneVolume = facts.volumeSize.bytes >= Number.MAX_SAFE_INTEGER;
  const room =
    facts.freeBytes === null
      ? facts.neededBytes === null
        ? t('exportWizard.destination.freeUnknown')
        : t('exportWizard.destination.freeUnknownNeed', { need: format.size(facts.neededBytes) })
      : facts.neededBytes === null
        ? t('exportWizard.destination.free', { size: format.size(facts.freeBytes) })
        : t(facts.fits === false ? 'exportWizard.destination.tooSmall' : 'exportWizard.destination.fits', { need: format.size(facts.neededBytes), free: format.size(facts.freeBytes) });
  return (
    <dl className="export-facts">
      <dt>{t('exportWizard.destination.drive')}</dt>
      <dd><code>{facts.drive}</code> · {facts.fileSystem ?? t('exportWizard.destination.unknownFs')}</dd>
      <dt>{t('exportWizard.destination.room')}</dt>
      <dd data-testid="destination-room" data-fits={String(facts.fits)} className={facts.fits === false ? 'choice-warning' : ''}>{room}</dd>
      <dt>{t('exportWizard.destination.volumes')}</dt>
      <dd data-testid="destination-volumes">
        {oneVolume
          ? t('exportWizard.destination.oneVolume')
          : t(custom ? 'exportWizard.destination.volumesChosen' : 'exportWizard.destination.volumesOf', { size: format.size(facts.volumeSize.bytes) })}
      </dd>
      {facts.warning !== null && (
        <>
          <dt>{t('exportWizard.destination.warning')}</dt>
          <dd className="choice-warning" data-testid="destination-warning" data-kind={facts.warning.kind}>{planWarningWords(facts.warning, t)}</dd>
        </>
      )}
    </dl>
  );
}

/** The largest file the bundle ships: a volume must hold it whole. */
function largestFileBytes(plan: ExportPlanAnswer): number {
  return plan.modules.reduce((largest, m) => m.files.reduce((most, f) => (f.heldOffline ? most : Math.max(most, f.size)), largest), 0);
}

// What the operator is offered on switching to a size of their own: a size any stick takes.
const SUGGESTED_VOLUME_SIZE = '2 GiB';

/** The volume size: the file system's (FAT's limit, the default and the maximum there), or one the operator types, checked as typed. */
function VolumeSizeField({ facts, largestFileBytes }: { facts: DestinationAnswer; largestFileBytes: number }) {
  const { t, format } = useI18n();
  const { volumeSizeText, setVolumeSize } = useExportWizard();
  const limits = { largestFileBytes, maxBytes: facts.volumeSize.maxBytes };
  const custom = volumeSizeText !== undefined;
  const reading = custom ? readVolumeSize(volumeSizeText, limits) : undefined;
  const type = (text: string): void => {
    const read = readVolumeSize(text, limits);
    setVolumeSize(text, read.ok ? read.bytes : undefined);
  };
  const { defaultBytes, maxBytes } = facts.volumeSize;
  const fileSystem = facts.fileSystem ?? t('exportWizard.destination.unknownFs');
  const defaultLabel =
    defaultBytes >= Number.MAX_SAFE_INTEGER
      ? t('exportWizard.destination.volumeSize.oneVolume', { fileSystem })
      : maxBytes !== null
        ? t('exportWizard.destination.volumeSize.limit', { fileSystem, size: format.size(maxBytes) })
        : t('exportWizard.destination.volumeSize.fitsFat', { size: format.size(defaultBytes) });
  return (
    <fieldset className="field volume-size" data-testid="volume-size">
      <legend>{t('exportWizard.destination.volumeSize')}</legend>
      <label className="choice">
        <input type="radio" name="volume-size" checked={!custom} onChange={() => setVolumeSize(undefined, undefined)} data-testid="volume-size-default" />
        <span className="choice-text">{defaultLabel}</span>
      </label>
      <label className="choice">
        <input type="radio" name="volume-size" checked={custom} onChange={() => type(SUGGESTED_VOLUME_SIZE)} data-testid="volume-size-custom" />
        <span className="choice-text">{t('exportWizard.destination.volumeSize.custom')}</span>
      </label>
      {custom && (
        <label className="inline-field volume-size-input">
          {t('exportWizard.destination.volumeSize.input')}
          <input
            value={volumeSizeText}
            onChange={(event) => type(event.target.value)}
            aria-invalid={reading?.ok === false}
            aria-describedby="volume-size-hint"
            data-testid="volume-size-input"
          />
        </label>
      )}
      {custom && reading?.ok === false && (
        <p role="alert" className="field-problem" data-testid="volume-size-problem" data-problem={reading.problem}>{volumeSizeProblem(reading, fileSystem, t, format.size)}</p>
      )}
      {custom && (
        <p className="hint" id="volume-size-hint">
          {maxBytes === null ? t('exportWizard.destination.volumeSize.hint') : t('exportWizard.destination.volumeSize.hintMax', { fileSystem, size: format.size(maxBytes) })}
        </p>
      )}
    </fieldset>
  );
}

function volumeSizeProblem(reading: VolumeSizeReading & { ok: false }, fileSystem: string, t: ReturnType<typeof useI18n>['t'], size: (bytes: number) => string): string {
  switch (reading.problem) {
    case 'unreadable':
      return t('exportWizard.destination.volumeSize.unreadable');
    case 'too-small':
      return t('exportWizard.destination.volumeSize.tooSmall', { size: size(reading.minBytes) });
    case 'too-large':
      return t('exportWizard.destination.volumeSize.tooLarge', { size: size(reading.maxBytes), fileSystem });
  }
}
