#!/usr/bin/env node
// Checks jouleflow's Grafana dashboards (every *.json in dashboards/grafana/).
//
//   npm ci --prefix dashboards/grafana/schema-check      (once; offline afterwards)
//   node dashboards/grafana/schema-check/check.mjs        check every dashboard
//   node dashboards/grafana/schema-check/check.mjs --list-queries
//                                                        print every PromQL expression as JSON lines
//   node dashboards/grafana/schema-check/check.mjs path/to/other.json ...
//                                                        check the given files instead
//
// The check has two parts:
//  1. Types. Each dashboard is written as an object literal into build/run-<pid>/<name>.ts with
//     `satisfies` the @grafana/schema `Dashboard` type (string enums as their JSON values, see
//     dashboard-types.ts), and each panel `satisfies` the option types of its panel plugin. Then
//     `tsc --noEmit -p build/run-<pid>/tsconfig.json` (extends tsconfig.json) runs; the directory
//     is removed afterwards. Object literals get excess-property checks, so an
//     unknown key is an error, and enum fields only accept their values.
//  2. Structure the types cannot express: unique panel ids, gridPos on every panel (inside the
//     24-column grid, no overlaps), datasource ${datasource} on every panel and target, a
//     non-empty expr and a unique refId on every target, the template variables datasource,
//     model and layer, only known variables and jouleflow metric names in queries, and the
//     schemaVersion of the installed @grafana/schema.
//
// Each problem is printed as one line `file: where: message`; the exit status is 1 if there is
// any. --list-queries needs no node_modules and prints one JSON object per line:
//   {"panel": <panel title>, "refId": <refId>, "expr": <PromQL>}                   for panel targets
//   {"panel": "variable: <name>", "refId": <name>, "expr": "label_values(...)"}  for query variables
// Expressions are printed as written, with $datasource, $model, $layer, $__rate_interval, $__range
// and $__interval unsubstituted. Variable queries are Grafana's label_values(<selector>, <label>),
// not PromQL: the selector is.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const DASHBOARD_DIR = resolve(HERE, '..');
// one directory per run, so that concurrent runs (parallel tests) do not clash
const BUILD_DIR = join(HERE, 'build', `run-${process.pid}`);

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const REQUIRED_VARIABLES = {
  datasource: { type: 'datasource' },
  model: { type: 'query' },
  layer: { type: 'query' },
};
/** Variables a query may use besides the dashboard's own. */
const GLOBAL_VARIABLES = new Set(['__rate_interval', '__range', '__interval']);
/** Every metric the agent exports (and the recording rules in prometheus/rules/). */
const KNOWN_METRICS = new Set([
  'jouleflow_inference_runs_total',
  'jouleflow_inference_traced_runs_total',
  'jouleflow_inference_duration_seconds_bucket',
  'jouleflow_inference_duration_seconds_sum',
  'jouleflow_inference_duration_seconds_count',
  'jouleflow_inference_energy_joules_total',
  'jouleflow_layer_energy_joules_total',
  'jouleflow_layer_duration_seconds_total',
  'jouleflow_layer_samples_total',
  'jouleflow_layer_energy_observed_joules',
  'jouleflow_layer_energy_predicted_joules',
  'jouleflow_prediction_error',
  'jouleflow_model_set',
  'jouleflow_emissions_grams_total',
  'jouleflow_samples_written_total',
  'hw_energy_joules_total',
  'hw_power_watts',
  'jouleflow_op_duration_seconds_total',
  'jouleflow_op_calls_total',
  'jouleflow_agent_dropped_total',
  'model:jouleflow_energy_joules_per_inference:rate5m',
  'model_layer:jouleflow_energy_joules_per_inference:rate5m',
  'model_layer:jouleflow_energy_share:rate5m',
  'model:jouleflow_traced_share:rate5m',
]);
/** Panel type -> the type in dashboard-types.ts its literal must satisfy. */
const PANEL_TYPES = {
  timeseries: 'TimeSeriesPanel',
  stat: 'StatPanel',
  bargauge: 'BarGaugePanel',
  table: 'TablePanel',
  gauge: 'GaugePanel',
  piechart: 'PieChartPanel',
  barchart: 'BarChartPanel',
  statetimeline: 'StateTimelinePanel',
  text: 'TextPanel',
  row: 'Row',
};
/** Panel types that show no query results. */
const NO_QUERY_PANELS = new Set(['row', 'text']);

// ---- command line -------------------------------------------------------------------------

const args = process.argv.slice(2);
const listQueries = args.includes('--list-queries');
const unknownFlags = args.filter((a) => a.startsWith('--') && a !== '--list-queries');
if (unknownFlags.length) {
  console.error(`unknown option ${unknownFlags[0]}; usage: check.mjs [--list-queries] [dashboard.json ...]`);
  process.exit(2);
}
const named = args.filter((a) => !a.startsWith('--')).map((a) => resolve(a));
const files = named.length
  ? named
  : readdirSync(DASHBOARD_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(DASHBOARD_DIR, f));
if (!files.length) {
  console.error(`no dashboards (*.json) in ${DASHBOARD_DIR}`);
  process.exit(1);
}

const problems = [];
const report = (file, where, message) => {
  const line = `${displayPath(file)}: ${where ? where + ': ' : ''}${message}`;
  if (!problems.includes(line)) problems.push(line);
};
const displayPath = (file) => relative(process.cwd(), file) || file;

const dashboards = [];
for (const file of files) {
  let json;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    report(file, '', `not valid JSON: ${e.message}`);
    continue;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    report(file, '', 'not a JSON object');
    continue;
  }
  dashboards.push({ file, json });
}

// ---- --list-queries -----------------------------------------------------------------------

if (listQueries) {
  for (const { json } of dashboards) {
    for (const { panel } of allPanels(json)) {
      for (const t of Array.isArray(panel.targets) ? panel.targets : []) {
        if (t && typeof t.expr === 'string') {
          console.log(JSON.stringify({ panel: panel.title ?? '', refId: t.refId ?? '', expr: t.expr }));
        }
      }
    }
    for (const v of variables(json)) {
      const query = variableQuery(v);
      if (v.type === 'query' && query) console.log(JSON.stringify({ panel: `variable: ${v.name}`, refId: v.name, expr: query }));
    }
  }
  if (problems.length) finish();
  process.exit(0);
}

// ---- structural checks --------------------------------------------------------------------

const schemaVersion = installedSchemaVersion();
for (const { file, json } of dashboards) structuralChecks(file, json);

// ---- type check ---------------------------------------------------------------------------

typeCheck();
finish();

// ===========================================================================================

function finish() {
  for (const p of problems) console.log(p);
  if (problems.length) {
    console.log(`${problems.length} problem(s) in ${files.length} dashboard file(s)`);
    process.exit(1);
  }
  console.log(`ok: ${files.map((f) => displayPath(f)).join(', ')} (schemaVersion ${schemaVersion})`);
}

/** Top-level panels and the panels of (collapsed) rows, each with a readable location. */
function allPanels(json) {
  const out = [];
  (Array.isArray(json.panels) ? json.panels : []).forEach((p, i) => {
    if (!p || typeof p !== 'object') return;
    out.push({ panel: p, path: `panels[${i}]` });
    if (Array.isArray(p.panels)) {
      p.panels.forEach((q, j) => {
        if (q && typeof q === 'object') out.push({ panel: q, path: `panels[${i}].panels[${j}]`, nested: true });
      });
    }
  });
  return out;
}

function variables(json) {
  const list = json.templating?.list;
  return Array.isArray(list) ? list.filter((v) => v && typeof v === 'object') : [];
}

/** A query variable's query: a string, or Grafana's object form {query: "..."}. */
function variableQuery(v) {
  if (typeof v.query === 'string') return v.query;
  if (v.query && typeof v.query === 'object' && typeof v.query.query === 'string') return v.query.query;
  return '';
}

function panelWhere(path, panel) {
  return `${path} (${JSON.stringify(panel.title ?? '')}, id ${panel.id ?? '?'})`;
}

function sameDatasource(ds) {
  return ds && typeof ds === 'object' && ds.type === DATASOURCE.type && ds.uid === DATASOURCE.uid;
}

function installedSchemaVersion() {
  try {
    const require = createRequire(join(HERE, 'package.json'));
    return require('@grafana/schema').defaultDashboard.schemaVersion;
  } catch (e) {
    console.error(`cannot load @grafana/schema (${e.message.split('\n')[0]}); run: npm ci --prefix ${displayPath(HERE)}`);
    process.exit(2);
  }
}

function structuralChecks(file, json) {
  if (json.schemaVersion !== schemaVersion) {
    report(file, 'schemaVersion', `is ${json.schemaVersion}, the installed @grafana/schema's defaultDashboard has ${schemaVersion}`);
  }
  for (const key of ['uid', 'title']) {
    if (typeof json[key] !== 'string' || !json[key]) report(file, key, 'missing');
  }

  // template variables
  const vars = variables(json);
  const names = new Set();
  for (const v of vars) {
    if (names.has(v.name)) report(file, `templating: variable ${v.name}`, 'defined twice');
    names.add(v.name);
    if (v.type === 'query') {
      if (!sameDatasource(v.datasource)) {
        report(file, `templating: variable ${v.name}`, `datasource must be ${JSON.stringify(DATASOURCE)}`);
      }
      const query = variableQuery(v);
      if (!query.trim()) report(file, `templating: variable ${v.name}`, 'empty query');
      else checkQuery(file, `templating: variable ${v.name}`, query, vars);
    }
  }
  for (const [name, want] of Object.entries(REQUIRED_VARIABLES)) {
    const v = vars.find((x) => x.name === name);
    if (!v) report(file, 'templating', `variable ${name} missing`);
    else if (v.type !== want.type) report(file, `templating: variable ${name}`, `type is ${v.type}, want ${want.type}`);
  }
  const ds = vars.find((x) => x.name === 'datasource');
  if (ds && ds.query !== 'prometheus') report(file, 'templating: variable datasource', 'query must be "prometheus"');

  // panels
  const ids = new Map();
  const boxes = [];
  for (const { panel, path, nested } of allPanels(json)) {
    const where = panelWhere(path, panel);
    if (typeof panel.id !== 'number') report(file, where, 'no numeric id');
    else if (ids.has(panel.id)) report(file, where, `id ${panel.id} already used by ${ids.get(panel.id)}`);
    else ids.set(panel.id, path);

    const g = panel.gridPos;
    if (!g || typeof g !== 'object' || !['h', 'w', 'x', 'y'].every((k) => Number.isInteger(g[k]))) {
      report(file, where, 'gridPos with integer h, w, x, y missing');
    } else if (g.x < 0 || g.y < 0 || g.w < 1 || g.h < 1 || g.x + g.w > 24) {
      report(file, where, `gridPos ${JSON.stringify(g)} is outside the 24-column grid`);
    } else if (!nested) {
      for (const b of boxes) {
        if (g.x < b.g.x + b.g.w && b.g.x < g.x + g.w && g.y < b.g.y + b.g.h && b.g.y < g.y + g.h) {
          report(file, where, `gridPos overlaps ${b.where}`);
        }
      }
      boxes.push({ g, where });
    }

    if (panel.type === 'text') continue;
    if (!sameDatasource(panel.datasource)) report(file, where, `datasource must be ${JSON.stringify(DATASOURCE)}`);
    if (NO_QUERY_PANELS.has(panel.type)) continue;

    const targets = panel.targets;
    if (!Array.isArray(targets) || !targets.length) {
      report(file, where, 'no targets');
      continue;
    }
    const refIds = new Set();
    targets.forEach((t, k) => {
      const tw = `${where}.targets[${k}]`;
      if (!t || typeof t !== 'object') return report(file, tw, 'not an object');
      if (typeof t.refId !== 'string' || !t.refId) report(file, tw, 'no refId');
      else if (refIds.has(t.refId)) report(file, tw, `refId ${t.refId} used twice`);
      else refIds.add(t.refId);
      if (!sameDatasource(t.datasource)) report(file, tw, `datasource must be ${JSON.stringify(DATASOURCE)}`);
      if (typeof t.expr !== 'string' || !t.expr.trim()) report(file, tw, 'empty expr');
      else checkQuery(file, tw, t.expr, vars);
    });
  }
}

/** Variables and metric names in a query. */
function checkQuery(file, where, expr, vars) {
  const all = new Set(vars.map((v) => v.name));
  for (const m of expr.matchAll(/\$(?:\{([A-Za-z0-9_]+)(?::[a-z]+)?\}|([A-Za-z0-9_]+))/g)) {
    const name = m[1] ?? m[2];
    if (!all.has(name) && !GLOBAL_VARIABLES.has(name)) report(file, where, `unknown variable $${name}`);
  }
  // metric names: identifiers outside string literals that look like jouleflow's
  const code = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  for (const m of code.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const id = m[0];
    if ((id.includes('jouleflow') || id.startsWith('hw_')) && !KNOWN_METRICS.has(id)) {
      report(file, where, `unknown metric ${id}`);
    }
  }
}

// ---- TypeScript -----------------------------------------------------------------------------

function typeCheck() {
  const tsc = join(HERE, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) {
    console.error(`typescript is not installed; run: npm ci --prefix ${displayPath(HERE)}`);
    process.exit(2);
  }
  rmSync(BUILD_DIR, { recursive: true, force: true });
  mkdirSync(BUILD_DIR, { recursive: true });
  try {
    typeCheckIn(tsc);
  } finally {
    rmSync(BUILD_DIR, { recursive: true, force: true });
  }
}

function typeCheckIn(tsc) {
  writeFileSync(
    join(BUILD_DIR, 'tsconfig.json'),
    JSON.stringify({ extends: '../../tsconfig.json', include: ['../../dashboard-types.ts', '*.ts'] }, null, 2),
  );

  const generated = new Map(); // build file name -> { file, json, paths: line -> JSON path }
  dashboards.forEach(({ file, json }, n) => {
    const name = `${String(n).padStart(2, '0')}-${basename(file, '.json').replace(/[^A-Za-z0-9_-]/g, '_')}.ts`;
    const { text, paths } = generate(file, json);
    writeFileSync(join(BUILD_DIR, name), text);
    generated.set(name, { file, json, paths });
  });

  const run = spawnSync(process.execPath, [tsc, '--noEmit', '-p', join(BUILD_DIR, 'tsconfig.json'), '--pretty', 'false'], {
    cwd: HERE,
    encoding: 'utf8',
  });
  if (run.error) {
    console.error(`cannot run tsc: ${run.error.message}`);
    process.exit(2);
  }
  const out = `${run.stdout}${run.stderr}`;
  const seen = new Set();
  let current = null;
  const flush = () => {
    if (!current) return;
    const key = `${current.file}:${current.line}:${current.col}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(current.render());
    }
    current = null;
  };
  for (const line of out.split(/\r?\n/)) {
    const m = line.match(/^(.*)\((\d+),(\d+)\): error (TS\d+): (.*)$/);
    if (m) {
      flush();
      const [, where, l, c, code, message] = m;
      const buildName = basename(where);
      const g = generated.get(buildName);
      const lineNo = Number(l);
      current = {
        file: where,
        line: lineNo,
        col: Number(c),
        parts: [`${code}: ${message}`],
        render() {
          // the types TypeScript prints are long; an object type is shortened to {…}
          const text = this.parts.join(' ').replace(/'\{[^']{60,}'/g, "'{…}'");
          if (!g) return `${where}(${l},${c}): ${text}`;
          return `${displayPath(g.file)}: ${describe(g.json, g.paths[lineNo - 1] ?? '')}: ${text}`;
        },
      };
    } else if (current && /^\s+\S/.test(line)) {
      current.parts.push(line.trim());
    } else if (line.trim()) {
      flush();
      problems.push(`tsc: ${line.trim()}`);
    }
  }
  flush();
  if (run.status !== 0 && !problems.length) problems.push(`tsc exited with status ${run.status}:\n${out}`);
}

/** "panels[3].fieldConfig..." -> with the panel's title, for humans. */
function describe(json, path) {
  if (!path) return '(dashboard)';
  return path.replace(/^panels\[(\d+)\](?:\.panels\[(\d+)\])?/, (all, i, j) => {
    let p = json.panels?.[Number(i)];
    if (j !== undefined) p = p?.panels?.[Number(j)];
    return `${all} (${JSON.stringify(p?.title ?? '')})`;
  });
}

/**
 * The dashboard as a TypeScript object literal that `satisfies JsonDashboard`, every panel
 * wrapped in `(...) satisfies <its panel type>`. Also returns, per generated line, the JSON path
 * of the value on it.
 */
function generate(file, json) {
  const lines = [];
  const paths = [];
  let cur = '';
  let curPath = '';
  const write = (s) => {
    cur += s;
  };
  const newline = (path) => {
    lines.push(cur);
    paths.push(curPath);
    cur = '';
    curPath = path;
  };
  const isPanelPath = (path) => /^panels\[\d+\](\.panels\[\d+\])?$/.test(path);

  const emit = (v, path, indent) => {
    if (v === null || typeof v !== 'object') {
      write(JSON.stringify(v));
      return;
    }
    const inner = indent + '  ';
    if (Array.isArray(v)) {
      if (!v.length) return write('[]');
      write('[');
      v.forEach((e, i) => {
        const p = `${path}[${i}]`;
        newline(p);
        write(inner);
        emitElement(e, p, inner);
        if (i < v.length - 1) write(',');
      });
      newline(path);
      write(`${indent}]`);
      return;
    }
    const keys = Object.keys(v);
    if (!keys.length) return write('{}');
    write('{');
    keys.forEach((k, i) => {
      const p = path ? `${path}.${k}` : k;
      newline(p);
      write(`${inner}${JSON.stringify(k)}: `);
      emit(v[k], p, inner);
      if (i < keys.length - 1) write(',');
    });
    newline(path);
    write(`${indent}}`);
  };
  const emitElement = (e, path, indent) => {
    if (isPanelPath(path) && e && typeof e === 'object' && !Array.isArray(e)) {
      const type = PANEL_TYPES[e.type] ?? 'OtherPanel';
      write('(');
      emit(e, path, indent);
      write(`) satisfies T.${type}`);
    } else {
      emit(e, path, indent);
    }
  };

  write(`// Generated by check.mjs from ${relative(BUILD_DIR, file)}. Do not edit.`);
  newline('');
  write(`import type * as T from '../../dashboard-types';`);
  newline('');
  newline('');
  write('export const dashboard = ');
  emit(json, '', '');
  write(' satisfies T.JsonDashboard;');
  newline('');
  return { text: lines.join('\n') + '\n', paths };
}
