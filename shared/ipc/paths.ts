import { z } from 'zod';

// Requests come from a renderer whose working folder means nothing to main or the ui server.
const ABSOLUTE = /^(\/|[A-Za-z]:[\\/]|\\\\)/;

/** A file or folder path, absolute on any platform. */
export const absolutePath = z.string().min(1, 'is empty').regex(ABSOLUTE, 'must be an absolute path (e.g. /home/me/project or C:\\project)');
