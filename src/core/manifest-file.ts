import { ApiObject, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { FileRole, ILayoutFile, markLayoutFile } from './layout-file';
import { FILE_NAME_PATTERN, KUSTOMIZATION_FILE } from './names';
import { orderDocument } from './render';

/** Props of a `ManifestFile`. */
export interface ManifestFileProps extends ChartProps {
  /**
   * The file's name inside its directory.
   * @default `${id}.yaml`
   */
  readonly fileName?: string;
}

/**
 * One YAML file of the repository layout: a cdk8s `Chart` whose API objects are written,
 * in the order they were defined, into `<directory>/<fileName>` where the directory is the
 * nearest enclosing `LayoutDirectory`. A file with no objects is not written.
 */
export class ManifestFile extends Chart implements ILayoutFile {
  public readonly fileName: string;
  public readonly role = FileRole.RESOURCE;

  constructor(scope: Construct, id: string, props: ManifestFileProps = {}) {
    super(scope, id, props);
    this.fileName = props.fileName ?? `${id}.yaml`;
    markLayoutFile(this);

    this.node.addValidation({
      validate: () => {
        if (this.fileName === KUSTOMIZATION_FILE) {
          return [`fileName "${this.fileName}" is reserved: the layout writer generates every kustomization.yaml itself; pick another name (e.g. "release.yaml")`];
        }
        return FILE_NAME_PATTERN.test(this.fileName) ? [] : [
          `fileName "${this.fileName}" is not a valid file name: use lowercase letters, digits, '-', '.' or '_' and end with ".yaml" (e.g. "release.yaml")`,
        ];
      },
    });
  }

  /**
   * Every API object of this file in definition order, including those nested inside
   * higher-level constructs (cdk8s-plus), but not those of nested charts.
   */
  public override get apiObjects(): ApiObject[] {
    return this.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === this);
  }

  public renderDocuments(): Record<string, unknown>[] {
    return this.apiObjects.map(o => orderDocument(o.toJson()));
  }
}
