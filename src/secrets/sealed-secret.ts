import { ApiObjectMetadata, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as l1 from '../imports/sealed-secrets-bitnami.com';
import { markKnownKeys } from '../core/known-keys';
import { FieldChecks } from '../flux/field-checks';
import { FluxObject, FluxReference } from '../flux/flux-object';
import { ISecretRef } from '../flux/sources/source';
import { IValuesSource } from '../flux/values-source';
import { compareKeys } from '../core/render';
import { addWarning } from '../core/warnings';
import { SecretDeclaration } from './secret-declaration';
import { displayPath, SealedStore } from './sealed-store';
import { scopeAnnotation, SealingScope } from './seal';
import { EnumValue } from '../flux/sources/source-options';

/** Props of a `SealedSecret`. */
export interface SealedSecretProps {
  /** Name and namespace (required: sealed values are bound to them), labels and annotations of the SealedSecret. */
  readonly metadata: ApiObjectMetadata & {
    /** The Secret's name (sealed values are bound to it). */
    readonly name: string;
    /** The Secret's namespace (sealed values are bound to it). */
    readonly namespace: string;
  };
  /** The environment's store, where `npm run seal` put the ciphertext. */
  readonly store: SealedStore;
  /** The Secret keys this SealedSecret carries; each must be sealed in the store. */
  readonly keys: readonly string[];
  /** @default SealingScope.STRICT */
  readonly scope?: EnumValue<SealingScope>;
  /** The Secret's type. @default 'Opaque' */
  readonly type?: string;
  /** Labels and annotations of the Secret the controller creates. @default none */
  readonly template?: {
    /** Labels of the Secret. @default none */
    readonly labels?: Record<string, string>;
    /** Annotations of the Secret. @default none */
    readonly annotations?: Record<string, string>;
  };
}

/**
 * A Sealed Secrets `SealedSecret` (bitnami.com/v1alpha1): an encrypted Secret that only the
 * cluster's controller can decrypt. Its ciphertext comes from the environment's `SealedStore`
 * unchanged; synth fails if a key is missing or was sealed for a certificate the store does not know, scope,
 * namespace or name. Usable wherever a Secret is referenced (`secretRef`, `valuesFrom`).
 */
export class SealedSecret extends FluxObject implements ISecretRef, IValuesSource {
  /**
   * The SealedSecret that provides a declared Secret in one environment: same name, namespace
   * and keys, values from that environment's store.
   */
  public static forDeclaration(
    scope: Construct,
    id: string,
    declaration: SecretDeclaration,
    props: Omit<SealedSecretProps, 'metadata' | 'keys'> & { readonly metadata?: Omit<ApiObjectMetadata, 'name' | 'namespace'> },
  ): SealedSecret {
    return new SealedSecret(scope, id, {
      ...props,
      metadata: { ...props.metadata, name: declaration.name, namespace: declaration.namespace },
      keys: declaration.keys,
    });
  }

  /** The Secret keys it carries, for checks of `valuesKey` and of provider secrets. */
  public readonly keys: readonly string[];
  /** The scope its values are sealed for. */
  public readonly scope: SealingScope;

  constructor(scope: Construct, id: string, private readonly props: SealedSecretProps) {
    super(scope, id, l1.SealedSecret, {
      metadata: {
        ...props.metadata,
        annotations: { ...props.metadata.annotations, ...scopeAnnotation((props.scope ?? SealingScope.STRICT) as SealingScope) },
      },
    });
    this.keys = [...props.keys].sort(compareKeys);
    markKnownKeys(this);
    this.scope = (props.scope ?? SealingScope.STRICT) as SealingScope; // a string value is the member
  }

  public override fluxReferences(): FluxReference[] {
    return [];
  }

  protected renderSpec() {
    const p = this.props;
    const entry = p.store.entry(p.metadata.namespace, p.metadata.name);
    return {
      encryptedData: Object.fromEntries(this.keys.map(k => [k, entry?.data[k]?.ciphertext ?? ''])),
      template: {
        type: p.type ?? 'Opaque',
        metadata: {
          name: p.metadata.name,
          namespace: p.metadata.namespace,
          labels: p.template?.labels,
          annotations: Lazy.any({ produce: () => {
            const annotations = { ...p.template?.annotations, ...scopeAnnotation(this.scope) };
            return Object.keys(annotations).length > 0 ? annotations : undefined;
          } }),
        },
      },
    };
  }

  protected validateSpec(c: FieldChecks): void {
    const p = this.props;
    const id = `${p.metadata.namespace}/${p.metadata.name}`;
    const sealCommand = (keys: readonly string[]) =>
      `npm run seal -- --env ${p.store.environment} --namespace ${p.metadata.namespace} --name ${p.metadata.name}${this.scope !== SealingScope.STRICT ? ` --scope ${this.scope}` : ''} ${keys.map(k => `--from-file ${k}=<file>`).join(' ')}`;
    const scopeKeys = ['sealedsecrets.bitnami.com/namespace-wide', 'sealedsecrets.bitnami.com/cluster-wide'];
    for (const [where, annotations] of [['metadata.annotations', p.metadata.annotations], ['template.annotations', p.template?.annotations]] as const) {
      for (const key of Object.keys(annotations ?? {}).filter(k => scopeKeys.includes(k))) {
        c.add(`${where} sets "${key}", which would change the scope behind the sealed values' back (the controller could not decrypt them): set scope: SealingScope.${key.endsWith('cluster-wide') ? 'CLUSTER_WIDE' : 'NAMESPACE_WIDE'} instead, and re-seal with that scope`);
      }
    }
    if (this.keys.length === 0) {
      c.add('spec.encryptedData is empty: list the Secret keys in keys (e.g. ["password"])');
      return;
    }
    const entry = p.store.entry(p.metadata.namespace, p.metadata.name);
    if (!entry) {
      const sameName = p.store.all.filter(e => e.name === p.metadata.name).map(e => `${e.namespace}/${e.name}`);
      c.add(`spec.encryptedData: ${id} has no sealed values in ${p.store.displayPath}${sameName.length > 0 ? ` (it has ${sameName.join(', ')}: sealed values are bound to their namespace and name)` : ''}; seal them with ${sealCommand(this.keys)}`);
      return;
    }
    if (entry.scope !== this.scope) {
      c.add(`spec.encryptedData: ${id} is sealed with scope ${entry.scope} in ${p.store.displayPath}, but this SealedSecret has scope ${this.scope}, so the controller could not decrypt it: re-seal with --rotate (${sealCommand(this.keys)} --rotate) or set scope: SealingScope.${entry.scope.toUpperCase().replace('-', '_')}`);
    }
    const missing = this.keys.filter(k => !(k in entry.data));
    if (missing.length > 0) {
      c.add(`spec.encryptedData: ${id} has no sealed ${missing.map(k => `"${k}"`).join(', ')} in ${p.store.displayPath}; seal ${missing.length === 1 ? 'it' : 'them'} with ${sealCommand(missing)}`);
    }
    const stale = this.keys.filter(k => entry.data[k] && entry.data[k].certificate !== p.store.certificate.fingerprint);
    const current = `${displayPath(p.store.certificate.source)}, ${p.store.certificate.fingerprint}`;
    const earlier = stale.filter(k => p.store.knows(entry.data[k].certificate));
    const unknown = stale.filter(k => !p.store.knows(entry.data[k].certificate));
    if (earlier.length > 0) {
      // the controller keeps its old keys: the value still decrypts, but should be re-sealed before that key is removed
      addWarning(this, `${earlier.map(k => `"${k}"`).join(', ')} of ${id} ${earlier.length === 1 ? 'was' : 'were'} sealed for an earlier certificate of ${p.store.environment} (${entry.data[earlier[0]].certificate}), not its current one (${current}); the controller still decrypts ${earlier.length === 1 ? 'it' : 'them'} with its old key: re-seal with \`cdk8s-flux seal --rotate --env ${p.store.environment}\` (it lists every value to re-seal), e.g. ${sealCommand(earlier)} --rotate`);
    }
    if (unknown.length > 0) {
      c.add(`spec.encryptedData: ${unknown.map(k => `"${k}"`).join(', ')} of ${id} ${unknown.length === 1 ? 'was' : 'were'} sealed for certificate ${entry.data[unknown[0]].certificate}, which is not one ${p.store.displayPath} has sealed for (its current one is ${current}): the controller of ${p.store.environment} could not decrypt ${unknown.length === 1 ? 'it' : 'them'}; re-seal: ${sealCommand(unknown)} --rotate`);
    }
  }
}
