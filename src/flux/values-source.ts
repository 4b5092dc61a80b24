import { apiObjectOf, IObjectRef } from './flux-object';
import { hasKnownKeys } from '../core/known-keys';

/**
 * A ConfigMap or Secret whose keys a Flux object reads: a cdk8s-plus `ConfigMap`/`Secret`,
 * a `SealedSecret`, or an import by name (`kplus.ConfigMap.fromConfigMapName`).
 */
export interface IValuesSource {
  /** The ConfigMap's or Secret's name. */
  readonly name: string;
  /** `ConfigMap`, `Secret` or `SealedSecret` (which becomes a Secret in the cluster). */
  readonly kind: string;
}

/** The kind the controller reads: a SealedSecret is unsealed into a Secret of the same name. */
export function valuesKindOf(source: IValuesSource): 'ConfigMap' | 'Secret' {
  return source.kind === 'ConfigMap' ? 'ConfigMap' : 'Secret';
}

/** The reference target of a values source, with its namespace when it is part of the fleet. */
export function valuesTarget(source: IValuesSource): IObjectRef {
  return {
    apiVersion: 'v1',
    kind: valuesKindOf(source),
    name: source.name,
    namespace: apiObjectOf(source)?.metadata.namespace ?? (source as { namespace?: string }).namespace,
  };
}

/**
 * The keys a values source is known to hold, or `undefined` when they cannot be known at
 * synth (an import, or a Secret whose data is not in the fleet). For post-build substitution,
 * a ConfigMap's `binaryData` does not count: Flux reads only `data`.
 */
export function knownKeysOf(source: object, options: { forSubstitution?: boolean } = {}): string[] | undefined {
  if (hasKnownKeys(source)) return [...source.keys]; // a SealedSecret or a SecretDeclaration
  const obj = apiObjectOf(source);
  if (!obj) return undefined;
  const json = obj.toJson() as { data?: object; stringData?: object; binaryData?: object };
  if (!json.data && !json.stringData && !json.binaryData) return undefined;
  return [
    ...Object.keys(json.data ?? {}),
    ...Object.keys(json.stringData ?? {}),
    ...options.forSubstitution ? [] : Object.keys(json.binaryData ?? {}),
  ];
}
