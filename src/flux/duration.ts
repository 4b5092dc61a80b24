import { Duration } from 'cdk8s';

/** A unit of a Go duration as Flux's CRDs accept it. */
type GoDurationUnit = 'ms' | 's' | 'm' | 'h';

/**
 * A Go duration written as a string, such as `"30s"`, `"10m"`, `"1h"` or `"1m30s"` (up to four
 * parts, e.g. `1h2m3s4ms`). The type rejects `"10 min"` or `"10"` at compile time; synth checks the value again.
 */
export type GoDurationString =
  | `${number}${GoDurationUnit}`
  | `${number}${GoDurationUnit}${number}${GoDurationUnit}`
  | `${number}${GoDurationUnit}${number}${GoDurationUnit}${number}${GoDurationUnit}`
  | `${number}${GoDurationUnit}${number}${GoDurationUnit}${number}${GoDurationUnit}${number}${GoDurationUnit}`;

/** A duration: a cdk8s `Duration` (e.g. `Duration.minutes(10)`) or a Go duration string. */
export type FluxDuration = Duration | GoDurationString;

/**
 * The Go duration string Flux reads for a duration prop: a string is kept as written (so the
 * output shows what the user wrote); a `Duration` becomes the shortest exact form, e.g. 90 s → `1m30s`.
 */
export function goDuration(value: FluxDuration | undefined): string | undefined {
  if (!(value instanceof Duration)) return value as string | undefined;
  let ms = value.toMilliseconds({ integral: false });
  if (ms === 0) return '0s';
  if (!Number.isInteger(ms)) return `${ms}ms`; // Go reads fractions ("0.5ms"); cdk8s refuses negatives
  const parts: string[] = [];
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(ms / size);
    if (n > 0) parts.push(`${n}${unit}`);
    ms -= n * size;
  }
  return parts.join('');
}
