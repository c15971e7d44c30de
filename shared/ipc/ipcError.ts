/**
 * How a failure crosses IPC and the ui WebSocket: core's errorRecord, as plain data. The renderer
 * turns it back into an IpcError whose kind and fields it reads, never its message.
 */
import { ERROR_FIELD_NAMES, isErrorProblem, type ErrorFields, type ErrorProblem } from '../errorRecord';

export type IpcErrorFields = ErrorFields;

export interface IpcErrorRecord extends IpcErrorFields {
  kind: string;
  message: string;
  /** What is wrong, as a code the screen words (ERROR_PROBLEMS); a code this side does not know is left out. */
  problem?: string;
  /** The same work may succeed if simply run again (a drive replugged, space freed). */
  retryable?: true;
}

/** What a call answers: its value, or the failure as data (structured clone and JSON keep nothing of an Error but its message). */
export type IpcReply<T> = { ok: true; value: T } | { ok: false; error: IpcErrorRecord };

export class IpcError extends Error {
  override name = 'IpcError';
  readonly kind: string;
  readonly fields: Readonly<IpcErrorFields>;
  /** Running the same work again may succeed: the screen offers to. */
  readonly retryable: boolean;
  readonly problem: ErrorProblem | undefined;

  constructor(record: IpcErrorRecord) {
    super(record.message);
    this.kind = record.kind;
    this.retryable = record.retryable === true;
    this.problem = isErrorProblem(record.problem) ? record.problem : undefined;
    const fields: Record<string, unknown> = {};
    for (const name of ERROR_FIELD_NAMES) {
      const value = record[name];
      if (typeof value === 'string' || typeof value === 'number') fields[name] = value;
    }
    this.fields = fields as IpcErrorFields;
  }
}

/** The reply's value, or its failure thrown as an IpcError. */
export function unwrapReply<T>(reply: IpcReply<T>): T {
  if (reply.ok) return reply.value;
  throw new IpcError(reply.error);
}
