export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format: every sample of `name`. */
export function samplesOf(exposition: string, name: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    let valueText: string;
    if (rest.startsWith('{')) {
      const end = rest.indexOf('}');
      labels = Object.fromEntries(
        [...rest.slice(1, end).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((match) => [match[1], match[2]]),
      );
      valueText = rest.slice(end + 1).trim();
    } else if (rest.startsWith(' ')) {
      valueText = rest.trim();
    } else {
      continue; // another metric whose name starts with `name`
    }
    samples.push({ labels, value: Number(valueText.split(' ')[0]) });
  }
  return samples;
}

/** The value of the sample of `name` with exactly these labels (among others), or undefined. */
export function valueOf(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return samplesOf(exposition, name).find((sample) =>
    Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )?.value;
}
