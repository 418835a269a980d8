/**
 * `npm run build`: compiles the service (`tsconfig.build.json`: src/ without its
 * tests) to plain ES modules in dist/, then copies the files beside the code
 * that modules read at run time (the Lua scripts), so `node dist/main.js` runs
 * with production dependencies only.
 *
 * The sources import each other without extensions (bundler-style resolution,
 * what tsx runs), which Node's ESM loader does not resolve; each relative
 * import is rewritten to the file it names (`./service` → `./service.js`,
 * `./db/index` → `./db/index.js`). With `isolatedModules` every file compiles
 * on its own, so the type check runs once over the whole program and the
 * emit file by file.
 *
 *   tsx scripts/build.ts [--out-dir DIR] [--no-check]
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: { 'out-dir': { type: 'string' }, 'no-check': { type: 'boolean', default: false } },
});

function fail(message: string): never {
  console.error(`build: ${message}`);
  process.exit(1);
}

const configPath = join(ROOT, 'tsconfig.build.json');
const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
});
if (!parsed) fail(`cannot read ${configPath}`);
const srcDir = parsed.options.rootDir!;
const outDir = args['out-dir'] ? resolve(args['out-dir']) : parsed.options.outDir!;
const started = Date.now();

if (!args['no-check']) {
  const program = ts.createProgram(parsed.fileNames, { ...parsed.options, noEmit: true });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) {
    console.error(ts.formatDiagnosticsWithColorAndContext(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => ROOT,
      getNewLine: () => '\n',
    }));
    fail(`${diagnostics.length} type error(s)`);
  }
}

/** `./x` → `./x.js` or `./x/index.js`, whichever source file exists; other specifiers as they are. */
function rewrite(specifier: string, fromFile: string): string {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return specifier;
  const base = resolve(dirname(fromFile), specifier);
  if (existsSync(`${base}.ts`)) return `${specifier}.js`;
  if (existsSync(join(base, 'index.ts'))) return `${specifier.replace(/\/$/, '')}/index.js`;
  if (existsSync(base) && statSync(base).isFile()) return specifier;
  fail(`${relative(ROOT, fromFile)}: cannot resolve "${specifier}"`);
}

function specifierRewriter(fileName: string): ts.TransformerFactory<ts.SourceFile> {
  return (context) => {
    const f = context.factory;
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        return f.updateImportDeclaration(node, node.modifiers, node.importClause,
          f.createStringLiteral(rewrite(node.moduleSpecifier.text, fileName)), node.attributes);
      }
      if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        return f.updateExportDeclaration(node, node.modifiers, node.isTypeOnly, node.exportClause,
          f.createStringLiteral(rewrite(node.moduleSpecifier.text, fileName)), node.attributes);
      }
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword
        && node.arguments.length > 0 && ts.isStringLiteral(node.arguments[0])) {
        const [first, ...rest] = node.arguments;
        return f.updateCallExpression(node, node.expression, node.typeArguments,
          [f.createStringLiteral(rewrite((first as ts.StringLiteral).text, fileName)), ...rest.map((a) => ts.visitNode(a, visit) as ts.Expression)]);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return (sourceFile) => ts.visitNode(sourceFile, visit) as ts.SourceFile;
  };
}

rmSync(outDir, { recursive: true, force: true });
for (const file of parsed.fileNames) {
  const out = join(outDir, relative(srcDir, file)).replace(/\.ts$/, '.js');
  const { outputText, diagnostics } = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: parsed.options,
    fileName: file,
    reportDiagnostics: true,
    transformers: { after: [specifierRewriter(file)] },
  });
  if (diagnostics?.length) fail(ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, outputText);
}

// Run-time assets: every file under src/ that is neither TypeScript nor documentation.
let assets = 0;
const copyAssets = (dir: string) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(path);
    else if (!/\.(ts|md)$/.test(entry.name)) {
      cpSync(path, join(outDir, relative(srcDir, path)));
      assets++;
    }
  }
};
copyAssets(srcDir);

console.log(`build: ${parsed.fileNames.length} modules and ${assets} assets in ${relative(ROOT, outDir) || '.'}/ ` +
  `(${args['no-check'] ? 'no type check, ' : ''}${((Date.now() - started) / 1000).toFixed(1)} s)`);
