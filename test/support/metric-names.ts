/**
 * Reading the metric names out of the shipped Grafana dashboard and Prometheus rules, and out of a /metrics
 * answer, so a test can hold one against the other (deploy/observability/). Purpose-made and small: PromQL and
 * YAML only as far as those two files use them.
 */

const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression selects: identifiers that are not functions, keywords, labels or durations. */
export function metricNamesInPromQL(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // string literals (label values, regexes)
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range and subquery durations
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // grouping label lists
  const names = new Set<string>();
  for (const match of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = bare.slice(match.index! + match[0].length);
    if (/^\s*\(/.test(after)) continue; // a function: rate(, histogram_quantile(, sum(
    if (PROMQL_KEYWORDS.has(match[0].toLowerCase())) continue;
    const before = bare[match.index! - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue; // the unit of a number such as 5m or 1e3
    names.add(match[0]);
  }
  return [...names];
}

/** Each alert of a rules file with its expression and `for:`; block scalars (`expr: |`) are read too. */
export function alertRulesIn(yaml: string): { alert: string; expr: string; for: string | null }[] {
  const lines = yaml.split('\n');
  const rules: { alert: string; expr: string; for: string | null }[] = [];
  let current: { alert: string; expr: string; for: string | null } | null = null;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const alert = /^\s*-\s*alert:\s*(\S+)/.exec(line);
    if (alert) {
      current = { alert: alert[1], expr: '', for: null };
      rules.push(current);
      continue;
    }
    if (!current) continue;
    const duration = /^\s*for:\s*(\S+)/.exec(line);
    if (duration) current.for = duration[1];
    const expr = /^(\s*)expr:\s*(.*)$/.exec(line);
    if (!expr) continue;
    if (!/^[|>][+-]?$/.test(expr[2].trim())) {
      current.expr = expr[2].trim();
      continue;
    }
    const indent = expr[1].length;
    const block: string[] = [];
    while (index + 1 < lines.length && (lines[index + 1].trim() === '' || lines[index + 1].search(/\S/) > indent)) block.push(lines[++index].trim());
    current.expr = block.join(' ').trim();
  }
  return rules;
}

/** Every PromQL expression of a Grafana dashboard: panel targets, nested rows, and label_values() variables. */
export function dashboardExpressions(dashboard: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'expr' && typeof value === 'string') found.push(value);
      else if (key === 'definition' && typeof value === 'string') {
        // label_values(metric, label): only the metric is one.
        const labelValues = /^label_values\(\s*([^,)]+)/.exec(value);
        found.push(labelValues ? labelValues[1] : value);
      } else walk(value);
    }
  };
  walk(dashboard);
  return found;
}

export interface Exposition {
  /** Sample name -> the sample lines with that name. */
  readonly samples: ReadonlyMap<string, string[]>;
  /** Metric family name -> its `# TYPE`. */
  readonly types: ReadonlyMap<string, string>;
}

/** The Prometheus text format, as far as names, types and sample lines go. */
export function parseExposition(text: string): Exposition {
  const samples = new Map<string, string[]>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) types.set(type[1], type[2]);
    if (line === '' || line.startsWith('#')) continue;
    const name = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(line)![0];
    samples.set(name, [...(samples.get(name) ?? []), line]);
  }
  return { samples, types };
}

/** The value of the one sample whose name and labels are these (in any order), or undefined. */
export function sampleValue(exposition: Exposition, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of exposition.samples.get(name) ?? []) {
    const match = /^[^{\s]+(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match) continue;
    const present: string[] = (match[1] ?? '').match(/[A-Za-z_][A-Za-z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? [];
    if (present.length === wanted.length && wanted.every((pair) => present.includes(pair))) return Number(match[2]);
  }
  return undefined;
}

/**
 * Is a name a query uses exposed? A sample of that name, where `_bucket`, `_sum` and `_count` must belong to a
 * histogram (or summary) family of the base name.
 */
export function isExposed(exposition: Exposition, name: string): boolean {
  if (!exposition.samples.has(name)) return false;
  const histogramPart = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (!histogramPart) return true;
  const family = exposition.types.get(histogramPart[1]);
  if (family === 'histogram') return true;
  return family === 'summary' && histogramPart[2] !== 'bucket';
}
