/**
 * Whether a GitRepository's `spec.ignore` (gitignore syntax, as source-controller reads it) leaves a
 * top-level directory out of the artifact: the lines are read in order and the last one that
 * matches `<dir>/` wins, a `!` line re-including. Only lines that can match a top-level directory are
 * judged: an anchored single segment (`/*`, `/apps/`, `!/tenants/`) or an unanchored one (`*.md`);
 * a line naming a deeper path (`/apps/*.md`) never excludes a whole root. Returns undefined when no
 * line matches (the directory is kept).
 */
export function ignoringLine(ignore: string, dir: string): string | undefined {
  let verdict: string | undefined;
  for (const raw of ignore.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    let pattern = negated ? line.slice(1) : line;
    if (pattern.endsWith('/')) pattern = pattern.slice(0, -1); // a directory pattern: dir is one
    if (pattern.startsWith('/')) pattern = pattern.slice(1);
    if (pattern === '' || pattern.includes('/')) continue;
    if (globMatches(pattern, dir)) verdict = negated ? undefined : line;
  }
  return verdict;
}

/** A gitignore glob of one segment (`*`, `?`, `[abc]`) against a name. */
function globMatches(glob: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) re += `\\${glob[++i]}`;
    else re += c.replace(/[.+^${}()|\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(name);
}
