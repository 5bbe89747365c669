// Lints sources given on stdin with the project's ESLint config and reports what its layer
// rule (no-restricted-imports) says, as JSON. Without type information: the rule needs none,
// and building a TypeScript program would take most of a minute.
// stdin: {"probes": [{"filePath": "src/...", "code": "..."}], "files": ["src"]}
// stdout: [{"filePath": "src/...", "messages": [{"ruleId", "message", "line"}]}]
import { relative } from 'node:path';
import { text } from 'node:stream/consumers';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const { probes = [], files = [] } = JSON.parse(await text(process.stdin));
const eslint = new ESLint({
  overrideConfig: tseslint.configs.disableTypeChecked,
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});
const results = [];
for (const { filePath, code } of probes) results.push(...(await eslint.lintText(code, { filePath })));
if (files.length > 0) results.push(...(await eslint.lintFiles(files)));
const report = results.map((result) => ({
  filePath: relative(process.cwd(), result.filePath),
  messages: result.messages.map(({ ruleId, message, line }) => ({ ruleId, message, line })),
}));
process.stdout.write(JSON.stringify(report));
