/**
 * Go regular expressions (RE2) as Flux's controllers compile them, checked with JavaScript's engine
 * after translating the syntax the two spell differently.
 */

/** The JavaScript spelling of a Go RE2 expression: named groups `(?P<n>…)`, inline flags dropped. */
function toJs(re: string): string {
  return re.replace(/\(\?P</g, '(?<').replace(/\(\?[imsU]+\)/g, '').replace(/\(\?[imsU]*(-[imsU]+)?:/g, '(?:');
}

/**
 * Why Go's RE2 (which Flux's controllers compile regular expressions with) would refuse a regular
 * expression, or undefined. RE2 has no lookaround and no backreferences; it does have inline flags
 * such as `(?i)` and named groups `(?P<name>…)`, which are translated before JavaScript checks the rest.
 *
 * @param consequence what the controller does with an expression it cannot compile
 */
export function re2Problem(re: string, consequence = 'the controller would skip it'): string | undefined {
  if (/\(\?<?[=!]/.test(re)) return `uses lookaround, which Go's RE2 does not support (${consequence}): rewrite it without (?=, (?!, (?<= or (?<!`;
  if (/\\[1-9]/.test(re)) return `uses a backreference, which Go's RE2 does not support (${consequence}): rewrite it without \\1…\\9`;
  try {
    new RegExp(toJs(re));
    return undefined;
  } catch (e) {
    return `is not a regular expression: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')}`;
  }
}

/** The capture groups of a valid RE2 expression: how many, and the names of the named ones. */
export function captureGroups(re: string): { readonly count: number; readonly names: readonly string[] } {
  // an alternative that matches the empty string makes exec() report every group
  const match = new RegExp(`${toJs(re)}|`).exec('')!;
  return { count: match.length - 1, names: Object.keys(match.groups ?? {}) };
}

/**
 * The `$1`, `${1}`, `$name` and `${name}` references of a Go `Regexp.Expand` template, read the
 * way Go reads them: a name is as long as possible (`$1x` is `${1x}`), `$$` is a literal `$`, and a
 * malformed reference is literal text.
 */
export function templateReferences(template: string): string[] {
  const refs: string[] = [];
  for (let i = template.indexOf('$'); i >= 0; i = template.indexOf('$', i)) {
    const rest = template.slice(i + 1);
    if (rest.startsWith('$')) {
      i += 2;
      continue;
    }
    const m = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
    if (!m) {
      i += 1;
      continue;
    }
    refs.push(m[1] ?? m[2]);
    i += 1 + m[0].length;
  }
  return refs;
}

/**
 * Why a Go `Regexp.Expand` template refers to a group the expression does not have (Go expands it
 * to nothing, silently), or undefined.
 */
export function templateProblem(template: string, re: string): string | undefined {
  const groups = captureGroups(re);
  for (const ref of templateReferences(template)) {
    // Go reads a reference as a group number only when it is all digits without a leading zero
    const numeric = /^[0-9]+$/.test(ref) && !(ref.length > 1 && ref.startsWith('0'));
    if (numeric ? Number(ref) > groups.count : !groups.names.includes(ref)) {
      const numbers = groups.count === 1 ? '$1' : `$1…$${groups.count}`;
      const has = groups.count === 0
        ? 'it has no capture group'
        : `it has ${groups.count} capture group${groups.count === 1 ? '' : 's'}: ${numbers}${groups.names.length > 0 ? `, named ${groups.names.map(n => `$${n}`).join(', ')}` : ''}`;
      return `refers to "$${ref}", which the pattern does not capture (${has}), so every tag would be extracted as "": refer to a group of the pattern, e.g. "(?P<version>[0-9.]+)" with "$version"`;
    }
  }
  return undefined;
}
