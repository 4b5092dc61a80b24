/** A reference to an object in a named namespace, as a rendered Flux document states it. */
export interface NamespacedReference {
  /** The field, e.g. `spec.chart.spec.sourceRef` or `spec.dependsOn[1]`. */
  readonly field: string;
  /** The referenced object's kind. */
  readonly kind: string;
  /** The referenced object's name. */
  readonly name: string;
  /** The namespace the reference names. */
  readonly namespace: string;
  /** Whether Flux's lockdown (`--no-cross-namespace-refs`) refuses it across namespaces (dependsOn: no). */
  readonly lockedDown: boolean;
}

/** A rendered document. */
export type Doc = Record<string, any>;

/**
 * The references of a Flux object that name a namespace, read from the object as the cluster gets
 * it (patches applied): what the controllers resolve, whoever wrote the object — a construct, an
 * L1 class or a patch.
 */
export function namespacedReferences(doc: Doc): NamespacedReference[] {
  const spec: Doc = doc.spec ?? {};
  const out: NamespacedReference[] = [];
  const add = (field: string, ref: Doc | undefined, kind: string | undefined, lockedDown = true) => {
    if (ref && typeof ref.namespace === 'string' && typeof ref.name === 'string') {
      out.push({ field, kind: String(ref.kind ?? kind ?? ''), name: ref.name, namespace: ref.namespace, lockedDown });
    }
  };
  const dependsOn = (kind: string) => ((spec.dependsOn ?? []) as Doc[]).forEach((d, i) => add(`spec.dependsOn[${i}]`, d, kind, false));
  switch (doc.kind) {
    case 'Kustomization':
      add('spec.sourceRef', spec.sourceRef, undefined);
      dependsOn('Kustomization');
      break;
    case 'HelmRelease':
      add('spec.chart.spec.sourceRef', spec.chart?.spec?.sourceRef, undefined);
      add('spec.chartRef', spec.chartRef, undefined);
      dependsOn('HelmRelease');
      break;
    case 'ImagePolicy':
      add('spec.imageRepositoryRef', spec.imageRepositoryRef, 'ImageRepository');
      break;
    case 'ImageUpdateAutomation':
      add('spec.sourceRef', spec.sourceRef, 'GitRepository');
      break;
    case 'Alert':
      ((spec.eventSources ?? []) as Doc[]).forEach((s, i) => add(`spec.eventSources[${i}]`, s, undefined));
      break;
    case 'Receiver':
      ((spec.resources ?? []) as Doc[]).forEach((s, i) => add(`spec.resources[${i}]`, s, undefined));
      break;
  }
  return out;
}
