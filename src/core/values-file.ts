import { Construct } from 'constructs';
import { FileRole, ILayoutFile, markLayoutFile } from './layout-file';
import { FILE_NAME_PATTERN, KUSTOMIZATION_FILE } from './names';

/** Props of a `ValuesFile`. */
export interface ValuesFileProps {
  /**
   * The file's name inside its directory.
   * @default `${id}.yaml`
   */
  readonly fileName?: string;
  /** The values, written as one YAML document (Helm chart values, settings of an app…). */
  readonly values: Readonly<Record<string, unknown>>;
}

/**
 * A YAML data file of the layout that is not a Kubernetes object: the values a `configMapGenerator`
 * of its directory (or of a directory above it) turns into a ConfigMap, as in Flux's multi-tenancy
 * and operator examples (`LayoutDirectory.addConfigMapGenerator({ name, files: [valuesFile] })`). It is
 * written like every generated file, and not listed under `resources:`.
 */
export class ValuesFile extends Construct implements ILayoutFile {
  public readonly fileName: string;
  public readonly role = FileRole.DATA;
  /** The values written. */
  public readonly values: Readonly<Record<string, unknown>>;

  constructor(scope: Construct, id: string, props: ValuesFileProps) {
    super(scope, id);
    markLayoutFile(this);
    this.fileName = props.fileName ?? `${id}.yaml`;
    this.values = props.values;
    this.node.addValidation({
      validate: () => {
        if (this.fileName === KUSTOMIZATION_FILE) return [`fileName "${this.fileName}" is reserved: the layout writer generates every kustomization.yaml itself; pick another name (e.g. "values.yaml")`];
        return FILE_NAME_PATTERN.test(this.fileName) ? [] : [
          `fileName "${this.fileName}" is not a valid file name: use lowercase letters, digits, '-', '.' or '_' and end with ".yaml" (e.g. "podinfo-values.yaml")`,
        ];
      },
    });
  }

  public renderDocuments(): Record<string, unknown>[] {
    return [structuredClone(this.values) as Record<string, unknown>];
  }
}
