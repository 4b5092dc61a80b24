/**
 * Reads the simple block YAML that `emitBlockYaml` writes for string-only documents (the sealed
 * stores: mappings, sequences of mappings, strings either plain or double-quoted, `[]` and `{}`)
 * an order of magnitude faster than `yaml`, which builds a node tree per document. It returns
 * exactly what `parse(text)` of `yaml` returns, or `undefined` for anything outside that subset
 * (a number, a flow collection, an anchor, a multi-line string, a tab, a duplicate key, several
 * documents…), when the caller must use `yaml`. A test compares both on generated input.
 */
export function readBlockYaml(text: string): unknown {
  const lines: { indent: number; text: string }[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const body = raw.trimStart();
    if (body.startsWith('#')) {
      if (raw !== body) return undefined; // an indented comment: leave it to yaml
      continue;
    }
    if (raw.includes('\t') || raw.includes('\r') || body === '' || /^(---|\.\.\.|%)/.test(raw)) return undefined;
    lines.push({ indent: raw.length - body.length, text: body });
  }
  if (lines.length === 0 || lines[0].indent !== 0) return undefined;
  const reader = new Reader(lines);
  const doc = reader.block(0);
  return doc !== undefined && reader.done ? doc : undefined;
}

/** Strings `yaml` reads back as strings (YAML 1.2 core schema) when written plain. */
const PLAIN_VALUE = /^[A-Za-z][A-Za-z0-9._/+=:-]*$/;
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9._/-]*$/;
const NOT_STRINGS = /^(true|True|TRUE|false|False|FALSE|null|Null|NULL)$/;
/** Double-quoted: JSON's escapes, which YAML reads the same way. */
const QUOTED = /^"(?:[^"\\]|\\.)*"$/;
const NO_VALUE = Symbol('no value');

class Reader {
  private i = 0;
  constructor(private readonly lines: readonly { indent: number; text: string }[]) {}

  public get done(): boolean {
    return this.i === this.lines.length;
  }

  /** The mapping or sequence whose lines start at `indent`. */
  public block(indent: number): unknown {
    const line = this.lines[this.i];
    if (!line || line.indent !== indent) return undefined;
    return line.text === '-' || line.text.startsWith('- ') ? this.sequence(indent) : this.mapping(indent);
  }

  private mapping(indent: number): Record<string, unknown> | undefined {
    const out: Record<string, unknown> = {};
    while (this.i < this.lines.length && this.lines[this.i].indent === indent) {
      const { text } = this.lines[this.i];
      if (text.startsWith('-')) return undefined;
      const entry = splitEntry(text);
      if (!entry || Object.prototype.hasOwnProperty.call(out, entry.key) || entry.key === '__proto__') return undefined;
      this.i++;
      let value: unknown;
      if (entry.value === undefined) {
        const next = this.lines[this.i];
        // a sequence may sit at the key's own indentation; a mapping must be deeper
        if (!next || next.indent < indent || (next.indent === indent && !(next.text === '-' || next.text.startsWith('- ')))) value = null;
        else value = this.block(next.indent);
        if (value === undefined) return undefined;
      } else {
        value = scalar(entry.value);
        if (value === NO_VALUE) return undefined;
      }
      out[entry.key] = value;
    }
    return this.i < this.lines.length && this.lines[this.i].indent > indent ? undefined : out;
  }

  private sequence(indent: number): unknown[] | undefined {
    const out: unknown[] = [];
    while (this.i < this.lines.length && this.lines[this.i].indent === indent && (this.lines[this.i].text === '-' || this.lines[this.i].text.startsWith('- '))) {
      const rest = this.lines[this.i].text.slice(1).trimStart();
      if (rest === '') return undefined;
      const entry = splitEntry(rest);
      if (entry) {
        // `- key: value`: a mapping whose first line starts after the dash
        (this.lines as { indent: number; text: string }[])[this.i] = { indent: indent + (this.lines[this.i].text.length - rest.length), text: rest };
        const item = this.block(this.lines[this.i].indent);
        if (item === undefined) return undefined;
        out.push(item);
      } else {
        const value = scalar(rest);
        if (value === NO_VALUE) return undefined;
        out.push(value);
        this.i++;
      }
    }
    return this.i < this.lines.length && this.lines[this.i].indent > indent ? undefined : out;
  }
}

/** `key: value` or `key:`; undefined when the line is not a simple entry. */
function splitEntry(text: string): { key: string; value?: string } | undefined {
  let key: string;
  let rest: string;
  if (text.startsWith('"')) {
    const m = /^("(?:[^"\\]|\\.)*"):( |$)/.exec(text);
    if (!m) return undefined;
    try {
      key = JSON.parse(m[1]) as string;
    } catch {
      return undefined;
    }
    rest = text.slice(m[1].length + 1);
  } else {
    const colon = text.indexOf(':');
    if (colon <= 0) return undefined;
    key = text.slice(0, colon);
    if (!PLAIN_KEY.test(key) || NOT_STRINGS.test(key)) return undefined;
    rest = text.slice(colon + 1);
  }
  if (rest === '') return { key };
  if (!rest.startsWith(' ')) return undefined;
  return { key, value: rest.slice(1) };
}

/** A scalar as `yaml` reads it, or NO_VALUE when it is not one this reader knows. */
function scalar(text: string): unknown {
  if (text === '[]') return [];
  if (text === '{}') return {};
  if (text.startsWith('"')) {
    if (!QUOTED.test(text)) return NO_VALUE;
    try {
      return JSON.parse(text) as string;
    } catch {
      return NO_VALUE;
    }
  }
  return PLAIN_VALUE.test(text) && !text.endsWith(':') && !NOT_STRINGS.test(text) ? text : NO_VALUE;
}
