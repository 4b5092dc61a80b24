import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const PROJECT_ROOT = path.resolve(__dirname, '../..');

/** Type-checks a generated fleet with the project's TypeScript, `cdk8s-flux` resolved to this source tree. */
export function typeCheck(outDir: string): string[] {
  const config = ts.parseJsonConfigFileContent(JSON.parse(fs.readFileSync(path.join(outDir, 'tsconfig.json'), 'utf8')), ts.sys, outDir);
  const program = ts.createProgram(config.fileNames, {
    ...config.options,
    baseUrl: outDir,
    paths: { 'cdk8s-flux': [path.join(PROJECT_ROOT, 'src', 'index.ts')], '*': [path.join(PROJECT_ROOT, 'node_modules', '*')] },
    typeRoots: [path.join(PROJECT_ROOT, 'node_modules', '@types')],
  });
  return ts.getPreEmitDiagnostics(program).map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n') + (d.file ? ` (${path.relative(outDir, d.file.fileName)})` : ''));
}
