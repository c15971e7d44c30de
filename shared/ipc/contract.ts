/**
 * The one IPC contract between the renderer and main: channel -> request, response and progress event types.
 * Main, preload and renderer all import it, so a wrong payload is a compile error on either side.
 */
export interface AppInfo {
  name: string;
  version: string;
  platform: string;
}

export interface IpcContract {
  'app:info': { request: Record<string, never>; response: AppInfo; progress: never };
}

export type IpcChannel = keyof IpcContract;
export type IpcRequest<C extends IpcChannel> = IpcContract[C]['request'];
export type IpcResponse<C extends IpcChannel> = IpcContract[C]['response'];

/** What preload exposes to the renderer as `window.modferry`. */
export interface ModFerryBridge {
  invoke<C extends IpcChannel>(channel: C, request: IpcRequest<C>): Promise<IpcResponse<C>>;
}

export const ipcChannels: readonly IpcChannel[] = ['app:info'];

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && (ipcChannels as readonly string[]).includes(value);
}
