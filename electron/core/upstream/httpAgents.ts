/**
 * The connection pools requests go out through: direct, or through the proxy the environment names
 * for the request (proxyEnvironment.ts). https requests through a proxy are tunnelled with CONNECT, so
 * the proxy sees only the host and port, and TLS runs end to end with the upstream.
 */
import http from 'node:http';
import https from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
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
      agent = isHttps ? new HttpsProxyAgent(proxy, options) : new HttpProxyAgent(proxy, options);
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
