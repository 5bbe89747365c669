import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
const HEAP_SAMPLING_INTERVAL = 4096;
function post(message) {
    process.send?.(message);
}
function inspectorCall(session, method, params) {
    return new Promise((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
}
async function startHeapSampling() {
    const file = process.env.BENCH_HEAP_PROFILE;
    if (!file)
        return undefined;
    const session = new Session();
    session.connect();
    await inspectorCall(session, 'HeapProfiler.startSampling', {
        samplingInterval: HEAP_SAMPLING_INTERVAL,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
    });
    return async () => {
        const { profile } = await inspectorCall(session, 'HeapProfiler.stopSampling');
        writeFileSync(file, JSON.stringify(profile));
        session.disconnect();
    };
}
/** Call once the target listens on `port`. */
export async function serveTarget(port) {
    const stopHeapSampling = await startHeapSampling();
    let exiting = false;
    const exit = () => {
        if (exiting)
            return;
        exiting = true;
        const done = () => process.exit(0);
        if (stopHeapSampling === undefined)
            done();
        else
            stopHeapSampling().then(done, (error) => {
                console.error(error);
                done();
            });
    };
    process.on('message', (command) => {
        if (command.type === 'gc') {
            if (typeof gc === 'function') {
                gc();
                gc();
            }
            post({ type: 'gc-done' });
        }
        else if (command.type === 'exit') {
            exit();
        }
    });
    process.on('SIGTERM', exit);
    process.on('disconnect', exit);
    post({ type: 'ready', port });
}
/** Reports a start-up failure to the coordinator and exits. */
export function failTarget(error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    post({ type: 'failed', message });
    console.error(message);
    process.exit(1);
}
//# sourceMappingURL=target-control.js.map