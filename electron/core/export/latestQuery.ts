import type { UpstreamClient } from '../upstream/upstreamClient';

export interface LatestAnswer {
  version: string;
  retractionsFrom?: string;
}

export async function queryLatest(client: UpstreamClient, modulePath: string): Promise<LatestAnswer> {
  return { version: (await client.latest(modulePath)).Version };
}
