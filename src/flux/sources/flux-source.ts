import { GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import { FieldChecks } from '../field-checks';
import { FluxObject, FluxReference, L1Class } from '../flux-object';
import { nameRef, secretReference, SourceProps } from './source';
import { goDuration } from '../duration';

/**
 * Base of the source constructs: renders, validates and references what every source has
 * (`secretRef`, `timeout`, `suspend`), leaving each kind its own fields.
 */
export abstract class FluxSource extends FluxObject {
  constructor(scope: Construct, id: string, l1: L1Class & { GVK: GroupVersionKind }, private readonly common: SourceProps) {
    super(scope, id, l1, common);
  }

  public override fluxReferences(): FluxReference[] {
    return secretReference('spec.secretRef', this.common.secretRef);
  }

  protected renderSpec(): Record<string, unknown> {
    const p = this.common;
    return { ...this.renderSourceSpec(), secretRef: nameRef(p.secretRef), timeout: goDuration(p.timeout), suspend: p.suspend };
  }

  protected validateSpec(c: FieldChecks): void {
    c.shortDuration('spec.timeout', this.common.timeout);
    this.validateSourceSpec(c);
  }

  /** The kind's own spec fields. */
  protected abstract renderSourceSpec(): Record<string, unknown>;

  /** Checks of the kind's own spec fields. */
  protected abstract validateSourceSpec(c: FieldChecks): void;
}
