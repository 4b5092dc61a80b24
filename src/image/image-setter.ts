import { IObjectRef } from '../flux/flux-object';
import { markValue } from '../core/setter-markers';

/**
 * Which part of the policy's latest image a marked field receives, as the image-automation
 * controller's setters name them (`<namespace>:<policy>` then an optional `:tag`, `:name` or `:digest`).
 */
export enum ImageSetterField {
  /** The whole reference, `<name>:<tag>` (with `@<digest>` when the policy reflects digests). */
  IMAGE = 'image',
  /** The tag alone, e.g. a chart's `image.tag` value. */
  TAG = 'tag',
  /** The image name alone (registry and repository), e.g. a chart's `image.repository`. */
  NAME = 'name',
  /** The digest alone (`sha256:…`); needs the policy's `digestReflectionPolicy`. */
  DIGEST = 'digest',
}

/** An ImagePolicy a field can be marked with: of the fleet or imported by name. */
export interface IImagePolicy extends IObjectRef {
  /** Brand: only image policies implement it. */
  readonly isImagePolicy: true;
  /**
   * Marks a field as holding the whole image reference (`<name>:<tag>`): returns a value to put in
   * the field (a HelmRelease value, a container image) that synth writes as `image` followed by
   * the marker `# {"$imagepolicy": "<namespace>:<policy>"}`. The field must hold exactly this value.
   * @param image the reference written until the controller picks a newer one, e.g. `ghcr.io/org/app:1.0.0`
   */
  setter(image: string): string;
  /** Like `setter`, for a field holding the tag alone (`# {"$imagepolicy": "<namespace>:<policy>:tag"}`). */
  tagSetter(tag: string): string;
  /** Like `setter`, for a field holding the image name alone (`…:name`). */
  nameSetter(name: string): string;
  /** Like `setter`, for a field holding the digest alone (`…:digest`). */
  digestSetter(digest: string): string;
}

/** A field marked for the image-automation controller. */
export class ImageSetter {
  constructor(
    /** The policy whose latest image the field receives. */
    public readonly policy: IImagePolicy,
    /** Which part of the image. */
    public readonly field: ImageSetterField,
    /** The value written until the controller updates it. */
    public readonly value: string,
  ) {}

  /** The setter's name as the controller reads it: `<namespace>:<policy>[:tag|:name|:digest]`. */
  public get setterName(): string {
    const base = `${this.policy.namespace ?? ''}:${this.policy.name}`;
    return this.field === ImageSetterField.IMAGE ? base : `${base}:${this.field}`;
  }

  /** The marker comment, e.g. `{"$imagepolicy": "flux-system:podinfo:tag"}`. */
  public get marker(): string {
    return `{"$imagepolicy": ${JSON.stringify(this.setterName)}}`;
  }

  /** How the code wrote it, for messages. */
  public get description(): string {
    const method = this.field === ImageSetterField.IMAGE ? 'setter' : `${this.field}Setter`;
    return `ImagePolicy ${this.policy.namespace ? `${this.policy.namespace}/` : ''}${this.policy.name} ${method}(${JSON.stringify(this.value)})`;
  }
}

/** The setter methods of an image policy (shared by the construct and its imports). */
export function setterMethods(policy: IImagePolicy): Pick<IImagePolicy, 'setter' | 'tagSetter' | 'nameSetter' | 'digestSetter'> {
  const mark = (field: ImageSetterField) => (value: string) => {
    const setter = new ImageSetter(policy, field, value);
    return markValue({ value, comment: () => setter.marker, description: setter.description, origin: setter });
  };
  return {
    setter: mark(ImageSetterField.IMAGE),
    tagSetter: mark(ImageSetterField.TAG),
    nameSetter: mark(ImageSetterField.NAME),
    digestSetter: mark(ImageSetterField.DIGEST),
  };
}
