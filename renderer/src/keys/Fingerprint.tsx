import { Fragment } from 'react';

// Groups of four are what people compare fingerprints by; the prefix (SHA256:) stands alone.
const GROUP = 4;

/** A fingerprint's text in groups: `SHA256:` then groups of four characters. */
export function fingerprintGroups(fingerprint: string): string[] {
  const colon = fingerprint.indexOf(':');
  const prefix = colon < 0 ? [] : [fingerprint.slice(0, colon + 1)];
  const rest = fingerprint.slice(colon + 1);
  const groups: string[] = [];
  for (let i = 0; i < rest.length; i += GROUP) groups.push(rest.slice(i, i + GROUP));
  return [...prefix, ...groups];
}

/**
 * A key's fingerprint to read and compare: monospace, in groups set apart by spacing alone, so what
 * is selected and copied (and what a screen reader reads) is the fingerprint exactly; lines break
 * only between groups.
 */
export function Fingerprint({ fingerprint, testId, className }: { fingerprint: string; testId?: string; className?: string }) {
  return (
    <code className={className === undefined ? 'key-fingerprint' : `key-fingerprint ${className}`} data-testid={testId}>
      {fingerprintGroups(fingerprint).map((group, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          <span className="key-fingerprint-group">{group}</span>
        </Fragment>
      ))}
    </code>
  );
}
