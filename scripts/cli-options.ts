/** `--name value` / `--name=value` options of the scripts, numbers only. */
export function numberOptions<T extends Record<string, number>>(
  defaults: T,
  usage: string,
  argv = process.argv.slice(2),
): T {
  const options: Record<string, number> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const name = match?.[1].replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (match === null || name === undefined || !(name in defaults)) {
      console.error(`unknown option ${arg}\n${usage}`);
      process.exit(2);
    }
    const text = match[2] ?? argv[++i];
    const value = Number(text);
    if (text === undefined || !Number.isFinite(value) || value < 0) {
      console.error(`--${match[1]} needs a number >= 0, got ${text}\n${usage}`);
      process.exit(2);
    }
    options[name] = value;
  }
  return options as T;
}
