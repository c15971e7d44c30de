import type { Store } from '../store/store';

/**
 * What the proxy needs from a store: its index, never its folder. Every file the server opens is one
 * the index names, so a request can never reach a file by spelling its path.
 */
export type ProxyStore = Pick<Store, 'versions' | 'zipVersions' | 'file' | 'recordMiss' | 'stats' | 'generation' | 'readOnly' | 'proofs'>;
