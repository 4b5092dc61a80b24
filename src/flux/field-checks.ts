import * as semver from 'semver';
import { Duration } from 'cdk8s';
import { FluxDuration, goDuration } from './duration';
import { re2Problem } from './regex';

/** Go duration as Flux's CRDs accept it (units ms, s, m, h), e.g. `1m30s`. */
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
/** The sources' `spec.timeout` pattern: no hours. */
const GO_DURATION_NO_HOURS = /^([0-9]+(\.[0-9]+)?(ms|s|m))+$/;
/** RFC 1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: dot-separated labels. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Collects field problems of one construct, each phrased for a person: the field, the bad
 * value, and what would be valid. Used inside `node.addValidation`.
 */
export class FieldChecks {
  /** The problems found so far, in the order they were found. */
  public readonly problems: string[] = [];

  /** Records a problem as is. */
  public add(message: string): this {
    this.problems.push(message);
    return this;
  }

  /**
   * Whether `value` is a string to check further: `undefined` (an optional field left out) is not,
   * and anything else that is not a string (from JavaScript, a cast or parsed input) is a problem.
   */
  public isString(field: string, value: unknown): value is string {
    if (value === undefined) return false;
    if (typeof value === 'string') return true;
    const shown = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `${String(value)} (a ${typeof value})`;
    this.add(`${field} is ${shown}, not a string: give a string, or leave the field out`);
    return false;
  }

  /** A Go duration such as `1m30s` (`undefined` is accepted: the field is optional). */
  public duration(field: string, value: FluxDuration | undefined): this {
    if (this.durationObject(value)) return this;
    if (this.isString(field, value) && !GO_DURATION.test(value)) {
      this.add(`${field} ${JSON.stringify(value)} is not a Go duration: use digits with units ms, s, m or h, e.g. "30s", "10m", "1h" or "1m30s"`);
    }
    return this;
  }

  /** A Go duration without hours, as the sources' `spec.timeout` takes it (e.g. `60s`, `2m`). */
  public shortDuration(field: string, value: FluxDuration | undefined): this {
    if (this.durationObject(value)) {
      const text = goDuration(value);
      if (text !== undefined && text.includes('h')) this.add(`${field} ${text} is not valid here: the field takes at most minutes (no hours), e.g. Duration.minutes(2)`);
      return this;
    }
    if (this.isString(field, value) && !GO_DURATION_NO_HOURS.test(value)) {
      this.add(`${field} ${JSON.stringify(value)} is not valid here: use a Go duration in ms, s or m (no hours), e.g. "60s" or "2m"`);
    }
    return this;
  }

  /** Whether the value is a cdk8s `Duration` (else it is checked as a string). */
  private durationObject(value: unknown): boolean {
    return value instanceof Duration; // valid by construction: cdk8s refuses negative amounts
  }

  /** A Kubernetes object name (RFC 1123 subdomain, at most `max` characters). */
  public objectName(field: string, value: string | undefined, max = 253): this {
    if (!this.isString(field, value)) return this;
    if (value.length > max || !DNS_SUBDOMAIN.test(value)) {
      this.add(`${field} ${JSON.stringify(value)} is not a valid Kubernetes name: use at most ${max} lowercase letters, digits, '-' or '.', starting and ending with a letter or digit (e.g. "external-dns")`);
    }
    return this;
  }

  /** A namespace or other RFC 1123 label (at most 63 characters by default). */
  public label(field: string, value: string | undefined, max = 63): this {
    if (!this.isString(field, value)) return this;
    if (value.length > max || !DNS_LABEL.test(value)) {
      this.add(`${field} ${JSON.stringify(value)} is not a valid RFC 1123 label: use at most ${max} lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. "kube-system")`);
    }
    return this;
  }

  /**
   * A chart or artifact version: an exact semantic version or a range as Flux reads it with
   * Masterminds semver: `1.4.0`, `>=6.2.1 <7`, `>=1.0, <2.0`, `~1.2`, `^1.2`, `1.x`, `*`,
   * `1.2 - 1.4`, `!=1.5.0`, `=>1.0`, alternatives with `||`.
   */
  public semverRange(field: string, value: string | undefined): this {
    if (!this.isString(field, value)) return this;
    if (!isMastermindsRange(value)) {
      this.add(`${field} ${JSON.stringify(value)} is not a semantic version or range: use e.g. "1.4.0", ">=6.2.1 <7", "~1.2" or "1.x"`);
    }
    return this;
  }

  /** A URL whose scheme is one of `schemes` (e.g. `['https', 'http']`). */
  public urlScheme(field: string, value: string | undefined, schemes: readonly string[], example: string): this {
    if (!this.isString(field, value)) return this;
    const scheme = /^([a-z][a-z0-9+.-]*):\/\/./i.exec(value)?.[1]?.toLowerCase();
    if (!scheme || !schemes.includes(scheme)) {
      this.add(`${field} ${JSON.stringify(value)} must start with ${schemes.map(s => `"${s}://"`).join(' or ')} (e.g. "${example}")`);
    }
    return this;
  }

  /** One of a fixed set of values (an enum prop given a string from JavaScript or a cast). */
  public oneOf(field: string, value: unknown, allowed: readonly string[]): this {
    if (value === undefined || allowed.includes(value as string)) return this;
    this.add(`${field} ${JSON.stringify(value)} is not valid: use one of ${allowed.map(a => `"${a}"`).join(', ')}`);
    return this;
  }

  /** A regular expression Go's RE2 compiles (Flux's controllers compile it). */
  public regex(field: string, value: string | undefined): this {
    if (!this.isString(field, value)) return this;
    const problem = re2Problem(value, 'the controller would refuse the object');
    if (problem) this.add(`${field} ${JSON.stringify(value)} ${problem}`);
    return this;
  }

  /** A path relative to an artifact's or repository's root: no leading '/', no '..'. */
  public relativePath(field: string, value: string | undefined, example: string): this {
    if (!this.isString(field, value)) return this;
    if (value.startsWith('/') || value.split('/').includes('..')) {
      this.add(`${field} ${JSON.stringify(value)} must be relative to the root, without a leading "/" and without "..": e.g. ${JSON.stringify(example)}`);
    }
    return this;
  }

  /** A whole number, optionally not below `min`. */
  public integer(field: string, value: number | undefined, min = Number.MIN_SAFE_INTEGER): this {
    if (value !== undefined && (!Number.isInteger(value) || value < min)) {
      this.add(`${field} ${value} is not valid: use a whole number${min === Number.MIN_SAFE_INTEGER ? '' : ` from ${min} up`}`);
    }
    return this;
  }
}

/**
 * Whether Masterminds semver (Flux's library) accepts a constraint string. Each `||` alternative
 * and each comma-separated part must be non-empty; Masterminds' extra operators (`!=`, `=>`, `=<`)
 * are mapped onto node-semver's before node-semver checks the rest.
 */
export function isMastermindsRange(value: string): boolean {
  const alternatives = value.split('||').map(a => a.trim());
  if (alternatives.some(a => a === '')) return false;
  return alternatives.every(alternative => {
    const parts = alternative.split(',').map(p => p.trim());
    if (parts.some(p => p === '')) return false;
    const normalized = parts.join(' ')
      .replace(/=>\s*/g, '>=').replace(/=<\s*/g, '<=')
      .replace(/!=\s*/g, '>='); // `!=V` excludes one version: V itself must be valid
    return semver.validRange(normalized, { loose: false }) !== null;
  });
}

/**
 * Whether an exact version satisfies a constraint as Masterminds semver (Flux's library) reads it:
 * `||` alternatives, comma- or space-separated parts, `!=V` excluding one version.
 */
export function satisfiesMastermindsRange(version: string, range: string): boolean {
  if (!isMastermindsRange(range) || semver.valid(version) === null) return false;
  return range.split('||').some(alternative => {
    const excluded = [...alternative.matchAll(/!=\s*([^\s,]+)/g)].map(m => m[1]);
    const rest = alternative.replace(/!=\s*[^\s,]+/g, ' ').replace(/,/g, ' ')
      .replace(/=>\s*/g, '>=').replace(/=<\s*/g, '<=').trim();
    return !excluded.some(v => semver.valid(v) !== null && semver.eq(version, v)) && semver.satisfies(version, rest || '*');
  });
}
