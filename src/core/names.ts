/** File names the writer accepts: lowercase, readable, ending in `.yaml`. */
export const FILE_NAME_PATTERN = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?\.yaml$/;

/** Directory names the writer accepts (the same alphabet as Kubernetes names, plus `.` and `_`). */
export const DIRECTORY_NAME_PATTERN = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;

/** The file kustomize reads in every directory it builds; written by the layout writer itself. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';
