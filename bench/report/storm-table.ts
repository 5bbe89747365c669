import { formatDecimal, formatInteger } from './format.js';
import type { StormResult, StormRun } from './results.js';

/** Section F of results.md: a reconnect storm into one room against as many rooms of one. */
export function rejoinStormSection(result: StormResult): string {
  const n = result.clients.toLocaleString('en-US');
  const title = `## F. Reconnect storm (${n} clients rejoin within ${formatDecimal(result.spreadMs / 1000)} s)`;
  const intro =
    'One instance of the service (in-memory bus, default presence settings). The clients are connected first; then ' +
    `all of them join within the spread, into one room, or (a fresh instance) each into a room of its own. "all joined": ` +
    'from the first join sent until every client has its reply; server CPU until presence has settled; presence frames ' +
    'received by all clients. Issue 15 asks the one-room storm to cost at most 2x the rooms of one.';
  const one = result.oneRoom.ours;
  const many = result.roomsOfOne.ours;
  if (one === undefined || many === undefined || one.runs.length === 0 || many.runs.length === 0) {
    const failure = [...(one?.failures ?? []), ...(many?.failures ?? [])].at(-1);
    return `${title}\n\n${intro}\n\nNo successful run${failure === undefined ? '' : `: ${failure}`}.`;
  }
  const row = (label: string, run: StormRun) =>
    `| ${label} | ${formatInteger(run.allJoinedMs)} ms | ${formatDecimal(run.serverCpuSeconds)} s | ${formatInteger(run.presenceDeliveries)} | ${formatInteger(run.errors)} |`;
  const ratio = (key: keyof StormRun) => formatDecimal(one.median[key] / many.median[key]);
  return [
    title,
    '',
    intro,
    '',
    '| storm | all joined | server CPU | presence frames | errors |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('one room', one.median),
    row(`${n} rooms of one`, many.median),
    `| one room / rooms of one | ${ratio('allJoinedMs')}x | ${ratio('serverCpuSeconds')}x | ${ratio('presenceDeliveries')}x | |`,
  ].join('\n');
}
