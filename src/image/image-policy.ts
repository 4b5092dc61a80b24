import { Construct } from 'constructs';
import * as l1 from '../imports/image-reflector-image.toolkit.fluxcd.io';
import { FieldChecks } from '../flux/field-checks';
import { explicitNamespace, FluxObject, FluxObjectProps, FluxReference, ImportedObject, ImportedObjectProps } from '../flux/flux-object';
import { re2Problem, templateProblem } from '../flux/regex';
import { IImageRepository, ImageRepository } from './image-repository';
import { IImagePolicy, setterMethods } from './image-setter';
import { FluxDuration, goDuration } from '../flux/duration';

export { ImagePolicySpecDigestReflectionPolicy as DigestReflectionPolicy } from '../imports/image-reflector-image.toolkit.fluxcd.io';
type DigestReflectionPolicy = l1.ImagePolicySpecDigestReflectionPolicy;

/** Sorting order of tags: ascending picks the highest (`z`, `9`), descending the lowest. */
export enum TagOrder {
  /** The last tag in ascending order wins (`v9` after `v10` alphabetically). */
  ASC = 'asc',
  /** The first tag in descending order wins. */
  DESC = 'desc',
}

/** How an ImagePolicy picks the latest tag. */
export class ImagePolicyRule {
  /**
   * The highest tag that is a semantic version in `range` (Masterminds semver, as Flux reads it:
   * `>=6.0.0 <7`, `6.5.x`, `^6`, `~6.5`).
   */
  public static semver(range: string): ImagePolicyRule {
    return new ImagePolicyRule({ semver: { range } });
  }

  /** The last tag in alphabetical order (e.g. RFC 3339 timestamps), or the first with `TagOrder.DESC`. */
  public static alphabetical(order?: TagOrder | `${TagOrder}`): ImagePolicyRule {
    return new ImagePolicyRule({ alphabetical: { order } });
  }

  /** The highest tag read as a number (e.g. a build number or Unix time), or the lowest with `TagOrder.DESC`. */
  public static numerical(order?: TagOrder | `${TagOrder}`): ImagePolicyRule {
    return new ImagePolicyRule({ numerical: { order } });
  }

  private constructor(
    /** The `spec.policy` it renders. */
    public readonly spec: {
      readonly semver?: { readonly range: string };
      readonly alphabetical?: { readonly order?: string };
      readonly numerical?: { readonly order?: string };
    },
  ) {}
}

/** Which tags a policy considers, and what of each it compares. */
export interface TagFilter {
  /** Only tags matching this Go regular expression, e.g. `^main-[a-f0-9]+-(?P<ts>[0-9]+)$`. */
  readonly pattern: string;
  /**
   * What of a matching tag is compared (Go `Regexp.Expand` template), e.g. `$ts`.
   * @default the whole tag
   */
  readonly extract?: string;
}

/** Props of an `ImagePolicy`. */
export interface ImagePolicyProps extends FluxObjectProps {
  /** The ImageRepository whose tags are considered (the object, never its name). */
  readonly imageRepository: IImageRepository;
  /** How the latest tag is picked: `ImagePolicyRule.semver('>=6.0.0 <7')`, `.alphabetical()`, `.numerical()`. */
  readonly policy: ImagePolicyRule;
  /** @default every tag, compared whole */
  readonly filterTags?: TagFilter;
  /**
   * Whether the latest image's digest is reflected (needed for `digestSetter` and for the
   * `@sha256:…` that `setter` then writes).
   * @default DigestReflectionPolicy.NEVER (Flux's default)
   */
  readonly digestReflectionPolicy?: DigestReflectionPolicy | `${DigestReflectionPolicy}`;
  /**
   * How often the digest of the latest tag is refreshed; only with `DigestReflectionPolicy.ALWAYS`.
   * @default '10m' with DigestReflectionPolicy.ALWAYS (Flux requires it then), none otherwise
   */
  readonly interval?: FluxDuration;
  /** @default false */
  readonly suspend?: boolean;
}

const ALWAYS = l1.ImagePolicySpecDigestReflectionPolicy.ALWAYS;
const NEVER = l1.ImagePolicySpecDigestReflectionPolicy.NEVER;

/**
 * A Flux `ImagePolicy` (image.toolkit.fluxcd.io/v1): picks the latest image of an ImageRepository.
 * Mark the fields it should update with `setter`, `tagSetter`, `nameSetter` or `digestSetter`.
 */
export class ImagePolicy extends FluxObject implements IImagePolicy {
  /**
   * References an ImagePolicy defined outside the fleet, to mark fields with. Give its namespace:
   * a marker names the policy as `<namespace>:<name>`.
   */
  public static fromName(scope: Construct, id: string, props: ImportedObjectProps): IImagePolicy {
    const imported = Object.assign(new ImportedObject(scope, id, l1.ImagePolicy.GVK, props), { isImagePolicy: true as const });
    return Object.assign(imported, setterMethods(imported as unknown as IImagePolicy));
  }

  public readonly isImagePolicy = true as const;
  /** A value for a field holding the whole image reference, marked `<namespace>:<name>` (see `IImagePolicy.setter`). */
  public readonly setter: (image: string) => string;
  /** A value for a field holding the tag, marked `<namespace>:<name>:tag`. */
  public readonly tagSetter: (tag: string) => string;
  /** A value for a field holding the image name, marked `<namespace>:<name>:name`. */
  public readonly nameSetter: (name: string) => string;
  /** A value for a field holding the digest, marked `<namespace>:<name>:digest` (needs `digestReflectionPolicy`). */
  public readonly digestSetter: (digest: string) => string;

  constructor(scope: Construct, id: string, private readonly props: ImagePolicyProps) {
    super(scope, id, l1.ImagePolicy, props);
    ({ setter: this.setter, tagSetter: this.tagSetter, nameSetter: this.nameSetter, digestSetter: this.digestSetter } = setterMethods(this));
  }

  /** The ImageRepository it picks from. */
  public get imageRepository(): IImageRepository {
    return this.props.imageRepository;
  }

  /** Whether the latest image's digest is reflected (so that digest markers get a value). */
  public get reflectsDigest(): boolean {
    return (this.props.digestReflectionPolicy ?? NEVER) !== NEVER;
  }

  public override fluxReferences(): FluxReference[] {
    const repo = this.props.imageRepository;
    return [{ field: 'spec.imageRepositoryRef', target: repo, explicitNamespace: explicitNamespace(repo, this) }];
  }

  protected renderSpec() {
    const p = this.props;
    return {
      imageRepositoryRef: { name: p.imageRepository.name, namespace: explicitNamespace(p.imageRepository, this) },
      policy: p.policy.spec,
      filterTags: p.filterTags,
      digestReflectionPolicy: p.digestReflectionPolicy,
      interval: goDuration(p.interval) ?? (p.digestReflectionPolicy === ALWAYS ? '10m' : undefined),
      suspend: p.suspend,
    };
  }

  protected validateSpec(c: FieldChecks): void {
    const p = this.props;
    const rule = p.policy.spec;
    if (rule.semver) c.semverRange('spec.policy.semver.range', rule.semver.range);
    for (const [kind, choice] of [['alphabetical', rule.alphabetical], ['numerical', rule.numerical]] as const) {
      const orders = Object.values(TagOrder) as string[];
      if (choice?.order !== undefined && !orders.includes(choice.order)) {
        c.add(`spec.policy.${kind}.order ${JSON.stringify(choice.order)} is not an order: use "asc" (the highest wins) or "desc" (the lowest wins)`);
      }
    }
    this.validateFilter(c);
    const policies = Object.values(l1.ImagePolicySpecDigestReflectionPolicy) as string[];
    if (p.digestReflectionPolicy !== undefined && !policies.includes(p.digestReflectionPolicy)) {
      c.add(`spec.digestReflectionPolicy ${JSON.stringify(p.digestReflectionPolicy)} is not valid: use ${policies.join(', ')}`);
    }
    c.duration('spec.interval', p.interval);
    if (p.interval !== undefined && p.digestReflectionPolicy !== ALWAYS) {
      c.add(`spec.interval ${JSON.stringify(goDuration(p.interval))} is only accepted with digestReflectionPolicy "Always" (it is how often the digest is refreshed): remove it, or set digestReflectionPolicy: DigestReflectionPolicy.ALWAYS`);
    }
    const repo = p.imageRepository;
    if (repo instanceof ImageRepository && (repo.namespace ?? this.namespace) !== this.namespace && !repo.sharedWithOtherNamespaces) {
      c.add(`spec.imageRepositoryRef points at ImageRepository ${repo.namespace}/${repo.name} in another namespace, which the image-reflector-controller refuses unless that ImageRepository grants access with accessFrom: set accessFrom on it (e.g. { namespaceSelectors: [{ matchLabels: { "kubernetes.io/metadata.name": "${this.namespace ?? 'default'}" } }] }), or define the ImagePolicy in "${repo.namespace}"`);
    }
  }

  private validateFilter(c: FieldChecks): void {
    const f = this.props.filterTags;
    if (!f) return;
    const bad = re2Problem(f.pattern, 'the image-reflector-controller would fail the policy');
    if (bad) {
      c.add(`spec.filterTags.pattern ${JSON.stringify(f.pattern)} ${bad}`);
      return;
    }
    if (f.extract === undefined) return;
    if (f.extract === '') {
      c.add('spec.filterTags.extract is empty: leave it out to compare whole tags, or name a group of the pattern (e.g. "$version")');
      return;
    }
    const problem = templateProblem(f.extract, f.pattern);
    if (problem) c.add(`spec.filterTags.extract ${JSON.stringify(f.extract)} ${problem}`);
  }
}
