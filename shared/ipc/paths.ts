import { z } from 'zod';

/** Absolute on any platform: requests come from a renderer whose working folder means nothing to main or the ui server. */
export const ABSOLUTE_PATH = /^(\/|[A-Za-z]:[\\/]|\\\\)/;

/** A file or folder path, absolute on any platform. */
export const absolutePath = z.string().min(1, 'is empty').regex(ABSOLUTE_PATH, 'must be an absolute path (e.g. /home/me/project or C:\\project)');
