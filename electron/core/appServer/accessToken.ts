import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A secret for the printed URL: who has it may use the app, nobody else (other users of the machine, pages in the browser). */
export function newAccessToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Cookies are shared by every port of a host: one per port keeps two `modferry ui` from logging each other out. */
export function tokenCookieName(port: number): string {
  return `modferry_ui_${port}`;
}

export function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** Kept from scripts (HttpOnly) and from requests other sites start (SameSite=Strict). */
export function tokenCookie(name: string, token: string): string {
  return `${name}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}
