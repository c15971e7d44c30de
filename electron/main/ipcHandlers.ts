import type { IpcChannel, IpcRequest, IpcResponse } from '../../shared/ipc/contract';
import packageJson from '../../package.json';

type Handlers = { [C in IpcChannel]: (request: IpcRequest<C>) => Promise<IpcResponse<C>> };

/** Plain functions over the core services: main wires them to ipcMain, the dev bridge to HTTP. */
export const ipcHandlers: Handlers = {
  'app:info': async () => ({ name: 'ModFerry', version: packageJson.version, platform: process.platform }),
};

/** Requests come from a renderer we do not trust blindly: check their shape where they enter main. */
export function validateRequest<C extends IpcChannel>(channel: C, request: unknown): IpcRequest<C> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new Error(`${channel}: request must be an object`);
  }
  if (channel === 'app:info' && Object.keys(request).length > 0) {
    throw new Error(`${channel}: takes no fields`);
  }
  return request as IpcRequest<C>;
}
