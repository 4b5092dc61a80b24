import { FieldChecks } from '../flux/field-checks';
import { markKeyedReference } from '../core/model/fleet-model';
import { markKnownKeys } from '../core/known-keys';
import { ISecretRef } from '../flux/sources/source';
import { IValuesSource } from '../flux/values-source';

/** Props of a `SecretDeclaration`. */
export interface SecretDeclarationProps {
  /** The Secret's name. */
  readonly name: string;
  /** The Secret's namespace. */
  readonly namespace: string;
  /** The keys every environment's Secret must carry. */
  readonly keys: readonly string[];
}

/**
 * A Secret that shared objects need but whose values differ per environment: declared once (name,
 * namespace, keys) and referenced by the shared object (`secretRef: slackUrl`), then provided in
 * each environment by a SealedSecret sealed for that cluster (`SealedSecret.forDeclaration`).
 * Synth checks that every cluster applying the referencing object also gets that Secret, with
 * every declared key.
 */
export class SecretDeclaration implements ISecretRef, IValuesSource {
  /** The kind of the declared object. */
  public readonly kind = 'Secret';
  /** The API version of the declared object. */
  public readonly apiVersion = 'v1';
  /** The Secret's name. */
  public readonly name: string;
  /** The Secret's namespace. */
  public readonly namespace: string;
  /** The keys every environment's Secret must carry, sorted. */
  public readonly keys: readonly string[];

  constructor(props: SecretDeclarationProps) {
    this.name = props.name;
    this.namespace = props.namespace;
    this.keys = [...props.keys].sort();
    markKeyedReference(this);
    markKnownKeys(this);
    const problems = new FieldChecks().objectName('name', props.name).label('namespace', props.namespace).problems;
    if (problems.length > 0) throw new Error(`SecretDeclaration ${props.namespace}/${props.name}: ${problems.join('; ')}`);
  }
}
