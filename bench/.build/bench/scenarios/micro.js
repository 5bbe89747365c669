import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pinned } from '../machine.js';
const MICRO_SCRIPT = fileURLToPath(new URL('../micro/micro.js', import.meta.url));
/** The microbenchmarks, in a child process on the server CPU (idle at that point). */
export async function runMicroScenario(context) {
    context.progress.step('microbenchmarks (tinybench): parser, writer, mask, UTF-8');
    const [command, args] = pinned(context.serverCpus, process.execPath, [
        MICRO_SCRIPT,
        '--json',
        '--time',
        String(context.options.microTimeMs),
    ]);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
    const code = await new Promise((resolve) => child.on('close', resolve));
    if (code !== 0)
        throw new Error(`microbenchmarks exited with ${code}:\n${stderr.slice(-4000)}`);
    return JSON.parse(stdout.trim().split('\n').pop() ?? '[]');
}
//# sourceMappingURL=micro.js.map