/**
 * A ServiceAccount, as a field that names one takes it: the cdk8s-plus object (or any construct
 * with a `name`, such as `kplus.ServiceAccount.fromServiceAccountName(…)`) or its name.
 */
export type ServiceAccountReference = string | { readonly name: string };

/** A Namespace, as a field that names one takes it: the cdk8s-plus `Namespace` (or anything with a `name`) or its name. */
export type NamespaceReference = string | { readonly name: string };

/** A Secret, ConfigMap or other object a `…Ref: { name }` field names: the object itself (anything with a `name`). */
export interface NamedObject {
  /** The object's name. */
  readonly name: string;
}

/** The name a reference field renders, or nothing when it is left out. */
export function nameOf(ref: ServiceAccountReference | NamespaceReference | undefined): string | undefined {
  if (ref !== null && typeof ref === 'object' && typeof ref.name === 'string') return ref.name;
  // a string, or a value of the wrong type (from JavaScript or a cast), which the field checks report as it is
  return ref as string | undefined;
}
