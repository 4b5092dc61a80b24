const KNOWN_KEYS = Symbol.for('cdk8s-flux.known-keys');

/** An object whose Secret keys are known at synth without reading its data (a SealedSecret, a SecretDeclaration). */
export interface IKnownKeys {
  /** The keys it carries. */
  readonly keys: readonly string[];
}

/** Brands an object whose keys are known (call it in the constructor). */
export function markKnownKeys(x: IKnownKeys): void {
  Object.defineProperty(x, KNOWN_KEYS, { value: true });
}

/** Whether an object declares its keys (by the brand, not by having a property called `keys`). */
export function hasKnownKeys(x: unknown): x is IKnownKeys {
  return typeof x === 'object' && x !== null && KNOWN_KEYS in x;
}
