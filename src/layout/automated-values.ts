import * as fs from 'node:fs';
import * as path from 'node:path';
import { LayoutFiles } from './layout-model';
import { GENERATED_MARKER } from './render';

/** A YAML line whose value an image automation owns: `key: value # {"$imagepolicy": "ns:name[:field]"}`. */
const MARKED_LINE = /^(\s*(?:- )?[^\s#][^#]*?:\s+)(\S.*?)(\s+# \{"\$imagepolicy": "[^"]+"\})\s*$/;

/**
 * Keeps what image automation committed. A field marked with a setter belongs to the
 * image-automation-controller once it is in the repository: the controller commits each new
 * image into that line, and the code's value only seeds it. So, for every marked line of a file
 * that is already committed (a generated file with the same line: same key, same marker), the
 * committed value is kept; everything else is written from the code. Deleting the file (or
 * changing the marker) hands the line back to the code.
 */
export function keepAutomatedValues(rootDir: string, files: LayoutFiles): LayoutFiles {
  const out = new Map(files);
  for (const [file, content] of files) {
    if (!content.includes('"$imagepolicy"')) continue;
    const committed = readGenerated(path.join(rootDir, file));
    if (committed === undefined) continue;
    const owned = markedValues(committed);
    const seen = new Map<string, number>();
    const lines = content.split('\n').map(line => {
      const m = MARKED_LINE.exec(line);
      if (!m) return line;
      const key = occurrence(seen, `${m[1]}\u0000${m[3]}`);
      const value = owned.get(key);
      return value === undefined ? line : `${m[1]}${value}${m[3]}`;
    });
    out.set(file, lines.join('\n'));
  }
  return out;
}

/** Committed values of marked lines, keyed by key text, marker and occurrence. */
function markedValues(content: string): Map<string, string> {
  const seen = new Map<string, number>();
  const values = new Map<string, string>();
  for (const line of content.split('\n')) {
    const m = MARKED_LINE.exec(line);
    if (m) values.set(occurrence(seen, `${m[1]}\u0000${m[3]}`), m[2]);
  }
  return values;
}

function occurrence(seen: Map<string, number>, key: string): string {
  const n = seen.get(key) ?? 0;
  seen.set(key, n + 1);
  return `${key}\u0000${n}`;
}

function readGenerated(file: string): string | undefined {
  try {
    const content = fs.readFileSync(file, 'utf8');
    return content.startsWith(GENERATED_MARKER) ? content : undefined;
  } catch {
    return undefined;
  }
}
