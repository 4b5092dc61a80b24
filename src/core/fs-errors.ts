/**
 * File-system errors told to a person: the cause in words, the errno code, the path, the remedy
 * (a raw `ENOSPC: no space left on device, write` names neither the file nor what to do).
 */
import * as path from 'node:path';

/** Refused by permissions or a read-only file system (not a full disk). */
const PERMISSION_CODES = new Set(['EACCES', 'EPERM', 'EROFS']);

/** Whether `e` is a refusal of permissions (not, say, a full disk). */
export function isPermissionError(e: unknown): boolean {
  return PERMISSION_CODES.has((e as NodeJS.ErrnoException)?.code ?? '');
}

/** An error of the file system (it has an errno code), as opposed to a bug. */
export function isFileSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code!);
}

/** "no space left on the device (ENOSPC in write) at clusters/dev/x.yaml": the cause, and the path relative to `rootDir`. */
export function describeFsError(rootDir: string, e: NodeJS.ErrnoException): string {
  const cause = FS_CAUSES[e.code!] ?? e.message.replace(/^E[A-Z]+: /, '').replace(/, \w+( '.*')?$/, '');
  const where = e.path ? ` at ${relativeToRoot(rootDir, e.path)}` : '';
  return `${cause} (${e.code}${e.syscall ? ` in ${e.syscall}` : ''})${where}`;
}

const FS_CAUSES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted (an immutable file?)',
  EMFILE: 'too many open files',
  EIO: 'an input/output error of the device',
};

export /** What a user does about it, in one sentence. */
function remedyFor(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOSPC':
    case 'EDQUOT': return 'Free some space on the disk that holds the repository.';
    case 'EROFS':
    case 'EACCES':
    case 'EPERM': return 'Make the repository writable.';
    default: return 'Fix the cause above.';
  }
}

function relativeToRoot(rootDir: string, p: string): string {
  const rel = path.relative(rootDir, p);
  return rel.startsWith('..') || path.isAbsolute(rel) ? p : rel.split(path.sep).join('/');
}
