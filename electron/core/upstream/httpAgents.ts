/**
 * The connection pools requests go out through: direct, or through the proxy the environment names
 * for the request (proxyEnvironment.ts). https requests through a proxy are tunnelled with CONNECT, so
 * the proxy sees only the host and port, and TLS runs end to end with the upstream.
 */
import http from 'node:http';
import https from 'node:https';
import { proxyFor, type ProxyEnvironment } from './proxyEnvironment';

export interface AgentChoice {
  agent: http.Agent;
  /** The proxy the request goes through, as `scheme://host:port` (no credentials), or undefined when it goes direct. */
  proxy: string | undefined;
}


export class HttpAgents {
  private readonly direct: { http: http.Agent; https: https.Agent };
  private readonly proxied = new Map<string, http.Agent>();

  /** maxSockets: most connections per host (through a proxy, per proxy and host). */
  constructor(
    private readonly environment: ProxyEnvironment,
    private readonly maxSockets: number,
  ) {
    this.direct = {
      http: new http.Agent({ keepAlive: true, maxSockets }),
      https: new https.Agent({ keepAlive: true, maxSockets }),
    };
  }

  for(url: URL): AgentChoice {
    const isHttps = url.protocol === 'https:';
    const proxy = proxyFor(this.environment, url);
    if (proxy === undefined) return { agent: isHttps ? this.direct.https : this.direct.http, proxy: undefined };
    const key = `${url.protocol} ${proxy.href}`;
    let agent = this.proxied.get(key);
    if (agent === undefined) {
      const options = { keepAlive: true, maxSockets: this.maxSockets };
      // Loaded on the first request through a proxy: most runs make none, and loading them weighs on every command's start-up.
      if (isHttps) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
        const { HttpsProxyAgent } = require('https-proxy-agent') as typeof import('https-proxy-agent');
        agent = new HttpsProxyAgent(proxy, options);
      } else {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
        const { HttpProxyAgent } = require('http-proxy-agent') as typeof import('http-proxy-agent');
        agent = new HttpProxyAgent(proxy, options);
      }
      this.proxied.set(key, agent);
    }
    return { agent, proxy: `${proxy.protocol}//${proxy.host}` };
  }

  destroy(): void {
    this.direct.http.destroy();
    this.direct.https.destroy();
    for (const agent of this.proxied.values()) agent.destroy();
  }
}
