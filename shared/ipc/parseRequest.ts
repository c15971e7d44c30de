import { ipcContract, isIpcChannel, type IpcChannel, type ParsedRequest } from './contract';

export type ParsedCall =
  | { ok: true; channel: IpcChannel; request: ParsedRequest<IpcChannel> }
  | { ok: false; message: string };

/** A request as it arrives from the renderer, checked against its channel's schema; a refusal names each field at fault. */
export function parseRequest(channel: unknown, request: unknown): ParsedCall {
  if (!isIpcChannel(channel)) return { ok: false, message: `unknown channel ${JSON.stringify(channel)}` };
  const parsed = ipcContract[channel].request.safeParse(request);
  if (parsed.success) return { ok: true, channel, request: parsed.data as ParsedRequest<IpcChannel> };
  const problems = parsed.error.issues.map((issue) => `${issue.path.length === 0 ? 'request' : issue.path.join('.')}: ${issue.message}`);
  return { ok: false, message: `${channel}: ${problems.join('; ')}` };
}
