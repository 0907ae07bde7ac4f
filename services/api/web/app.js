/* global document, window, sessionStorage */
/**
 * Baton's web page: polls the api's JSON routes every POLL_MS and shows the clusters' topologies,
 * the analysis, the recoveries with their audited steps, the blocked recoveries and the global
 * recovery switch. Preact + htm straight from the api (web-page-route.ts serves them from
 * node_modules, wired by the import map in index.html): nothing to build. The state-changing
 * routes (switch, acks) take the api token, kept in sessionStorage and sent as Bearer.
 */
import { h, render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { buildTree, durationText, elapsedMs, instanceFlags, keyText, lagText, outcomeText, outcomeTone, stepMark, stepTimeline, whyBlocked, whyNotRecovering } from './format.js';

const html = htm.bind(h);
const POLL_MS = 1500;
const RECOVERIES_SHOWN = 10;
const TOKEN_KEY = 'baton.apiToken';
const base = document.querySelector('meta[name="baton-base"]')?.getAttribute('content') ?? '';
const apiUrl = (path) => `${base}/api/${path}`;

class ApiFailure extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function getJson(path) {
  const res = await fetch(apiUrl(path), { cache: 'no-store', headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiFailure(res.status, body?.Message ?? `${res.status} ${res.statusText}`);
  return body;
}

async function mutate(path) {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? '';
  const res = await fetch(apiUrl(path), { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = await res.json().catch(() => null);
  return { ok: res.ok, message: body?.Message ?? `${res.status} ${res.statusText}` };
}

/** A recovery's steps are read again while it runs and for a minute after (late steps: loss report, release). */
const stepsSettled = (recovery, now) => !recovery.IsActive && (elapsedMs(recovery.RecoveryEndTimestamp, new Date(now).toISOString()) ?? 0) > 60_000;

async function load(previous) {
  const [clusters, analysis, recoveries, blocked, global] = await Promise.all([
    getJson('clusters-info'),
    getJson('replication-analysis'),
    getJson('audit-recovery'),
    getJson('blocked-recoveries'),
    getJson('check-global-recoveries'),
  ]);
  const instances = {};
  const instanceErrors = {};
  await Promise.all(
    clusters.map(async (c) => {
      try {
        instances[c.ClusterName] = await getJson(`cluster/${encodeURIComponent(c.ClusterName)}`);
      } catch (error) {
        instanceErrors[c.ClusterName] = error.message;
      }
    }),
  );
  const now = Date.now();
  const steps = {};
  await Promise.all(
    recoveries.slice(0, RECOVERIES_SHOWN).map(async (r) => {
      const known = previous?.steps[r.UID];
      steps[r.UID] = known && stepsSettled(r, now) ? known : await getJson(`audit-recovery-steps/${encodeURIComponent(r.UID)}`).catch(() => known ?? []);
    }),
  );
  return { clusters, analysis: analysis.Details ?? [], recoveries, blocked, recoveriesDisabled: global.Details === 'disabled', instances, instanceErrors, steps, at: now };
}

function Badge({ tone, title, children }) {
  return html`<span class=${`badge ${tone}`} title=${title ?? ''}>${children}</span>`;
}

function InstanceNode({ node }) {
  const { row } = node;
  const lag = lagText(row);
  const problems = row.Problems ?? [];
  return html`<li class="node" data-key=${node.key} data-role=${node.role}>
    <div class="instance">
      <span class=${`role ${node.role}`}>${node.role}</span>
      <code class="key">${node.key}</code>
      ${lag === null ? null : html`<span class="lag">${lag}</span>`}
      ${instanceFlags(row).map((f) => html`<${Badge} tone=${f.tone} title=${f.title}>${f.label}<//>`)}
      ${problems.map((p) => html`<${Badge} tone="bad" title="analysis">${p}<//>`)}
    </div>
    ${node.children.length > 0 ? html`<ul>${node.children.map((c) => html`<${InstanceNode} key=${c.key} node=${c} />`)}</ul>` : null}
  </li>`;
}

function ClusterCard({ cluster, data, onAck }) {
  const id = cluster.ClusterName;
  const rows = data.instances[id];
  const entries = data.analysis.filter((e) => e.ClusterDetails?.ClusterName === id);
  const context = { recoveriesDisabled: data.recoveriesDisabled, blocked: data.blocked, now: data.at };
  return html`<section class="card cluster" data-cluster=${id}>
    <header>
      <h3>${cluster.ClusterAlias || id}${cluster.ClusterAlias && cluster.ClusterAlias !== id ? html` <small>${id}</small>` : null}</h3>
      <span class="muted">${cluster.CountInstances} instances</span>
      ${cluster.HasAutomatedMasterRecovery ? html`<${Badge} tone="ok" title="RecoverMasterClusterFilters">automated recovery<//>` : html`<${Badge} tone="warn" title="RecoverMasterClusterFilters">no automated recovery<//>`}
      <button class="small" onClick=${() => onAck({ path: `ack-recovery/cluster/${encodeURIComponent(id)}`, what: `the recoveries of cluster ${id}` })}>Ack cluster</button>
    </header>
    ${rows ? html`<ul class="tree">${buildTree(rows).map((n) => html`<${InstanceNode} key=${n.key} node=${n} />`)}</ul>` : html`<p class="muted">No topology: ${data.instanceErrors[id] ?? 'not probed yet'}</p>`}
    ${entries.length > 0
      ? html`<ul class="analysis">
          ${entries.map((e) => {
            const why = whyNotRecovering(e, context);
            return html`<li data-analysis=${e.Analysis}>
              <${Badge} tone=${e.Analysis === 'NoProblem' ? 'info' : 'bad'}>${e.Analysis}<//>
              <code>${keyText(e.AnalyzedInstanceKey)}</code> ${e.Description ?? ''}
              ${(e.StructureAnalysis ?? []).map((s) => html` <${Badge} tone="warn">${s}<//>`)}
              ${why ? html`<div class="why">${why}</div>` : null}
            </li>`;
          })}
        </ul>`
      : html`<p class="muted ok-line">No problems in the analysis.</p>`}
  </section>`;
}

const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : '');

function RecoveryCard({ recovery, steps, onAck }) {
  const failed = keyText(recovery.AnalysisEntry?.AnalyzedInstanceKey);
  const successor = keyText(recovery.SuccessorKey);
  const took = recovery.IsActive ? null : elapsedMs(recovery.RecoveryStartTimestamp, recovery.RecoveryEndTimestamp);
  const timeline = stepTimeline(recovery, steps ?? []);
  return html`<section class="card recovery" data-uid=${recovery.UID} data-outcome=${recovery.IsActive ? 'running' : recovery.Outcome}>
    <header>
      <h3>#${recovery.Id} ${recovery.AnalysisEntry?.Analysis} on <code>${failed}</code>${successor ? html` → <code class="successor">${successor}</code>` : null}</h3>
      <${Badge} tone=${outcomeTone(recovery)}>${outcomeText(recovery)}<//>
    </header>
    <p class="muted">
      cluster ${recovery.AnalysisEntry?.ClusterDetails?.ClusterName} · started ${clock(recovery.RecoveryStartTimestamp)}${took === null ? '' : ` · took ${durationText(took)}`}
      ${recovery.Forced ? ' · forced' : ''} · ${recovery.ProcessingNodeHostname}
    </p>
    <ol class="timeline">
      ${timeline.map(
        ({ step, offsetMs }) => html`<li class=${step.Ok === true ? 'ok' : step.Ok === false ? 'bad' : 'info'} data-step=${step.Step}>
          <span class="mark">${stepMark(step.Ok)}</span>
          <span class="offset">+${durationText(offsetMs)}</span>
          <span class="step">${step.Step}</span>
          <span class="message">${step.Message}</span>
        </li>`,
      )}
    </ol>
    <footer>
      ${recovery.Acknowledged
        ? html`<span class="muted">Acknowledged by ${recovery.AcknowledgedBy} at ${clock(recovery.AcknowledgedAt)}: “${recovery.AcknowledgedComment}”</span>`
        : recovery.IsActive
          ? html`<span class="muted">Running: it can be acknowledged once it resolved.</span>`
          : html`<button class="small" onClick=${() => onAck({ path: `ack-recovery/uid/${encodeURIComponent(recovery.UID)}`, what: `recovery ${recovery.Id}` })}>Acknowledge</button>
            <span class="muted">Not acknowledged: it holds the cluster's anti-flapping block until acknowledged or expired.</span>`}
    </footer>
  </section>`;
}

function TokenBox({ onSaved }) {
  const [value, setValue] = useState(() => sessionStorage.getItem(TOKEN_KEY) ?? '');
  const save = (event) => {
    event.preventDefault();
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
    onSaved(value ? 'Token saved for this browser tab.' : 'Token cleared.');
  };
  return html`<form class="token" onSubmit=${save}>
    <label>API token <input type="password" autocomplete="off" value=${value} onInput=${(e) => setValue(e.currentTarget.value)} placeholder="for switch and acks" /></label>
    <button type="submit" class="small">Save</button>
  </form>`;
}

function App() {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const latest = useRef(null);

  const refresh = useCallback(async () => {
    try {
      const next = await load(latest.current);
      latest.current = next;
      setData(next);
      setError(null);
    } catch (e) {
      setError(e.message);
    }
  }, []);

  useEffect(() => {
    let stopped = false;
    let timer;
    const loop = async () => {
      await refresh();
      if (!stopped) timer = window.setTimeout(loop, POLL_MS);
    };
    void loop();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [refresh]);

  const act = async (path, confirmText) => {
    if (confirmText && !window.confirm(confirmText)) return;
    const answer = await mutate(path);
    setNotice({ tone: answer.ok ? 'ok' : 'bad', text: answer.message });
    await refresh();
  };
  const onAck = ({ path, what }) => {
    const comment = window.prompt(`Acknowledge ${what}: comment (required)`);
    if (comment === null) return;
    if (comment.trim() === '') {
      setNotice({ tone: 'bad', text: 'An acknowledgement needs a comment.' });
      return;
    }
    void act(`${path}?comment=${encodeURIComponent(comment.trim())}`);
  };

  const disabled = data?.recoveriesDisabled;
  return html`<div>
    <header class="top">
      <h1>Baton</h1>
      ${data
        ? html`<div class="switch" data-global=${disabled ? 'disabled' : 'enabled'}>
            Automated recoveries: <${Badge} tone=${disabled ? 'bad' : 'ok'}>${disabled ? 'disabled globally' : 'enabled'}<//>
            <button class="small" onClick=${() => act(disabled ? 'enable-global-recoveries' : 'disable-global-recoveries', disabled ? null : 'Disable automated recoveries on every cluster?')}>
              ${disabled ? 'Enable' : 'Disable'}
            </button>
          </div>`
        : null}
      <${TokenBox} onSaved=${(text) => setNotice({ tone: 'ok', text })} />
      <span class="muted updated">${error ? html`<span class="bad-text">api: ${error}</span>` : data ? `updated ${clock(new Date(data.at).toISOString())}` : 'loading…'}</span>
    </header>
    ${notice ? html`<div class=${`notice ${notice.tone}`} onClick=${() => setNotice(null)}>${notice.text}</div>` : null}
    ${data
      ? html`<main>
          <div class="column">
            <h2>Clusters</h2>
            ${data.clusters.length === 0 ? html`<p class="muted">No cluster registered (baton discover HOST:PORT).</p>` : null}
            ${data.clusters.map((c) => html`<${ClusterCard} key=${c.ClusterName} cluster=${c} data=${data} onAck=${onAck} />`)}
            <h2>Blocked recoveries</h2>
            ${data.blocked.length === 0
              ? html`<p class="muted">None.</p>`
              : html`<ul class="blocked">${data.blocked.map((b) => html`<li class="card" data-reason=${b.Reason}><${Badge} tone="warn">${b.Reason}<//> ${whyBlocked(b, data.at)}</li>`)}</ul>`}
          </div>
          <div class="column">
            <h2>Recoveries</h2>
            ${data.recoveries.length === 0 ? html`<p class="muted">No recovery yet.</p>` : null}
            ${data.recoveries.slice(0, RECOVERIES_SHOWN).map((r) => html`<${RecoveryCard} key=${r.UID} recovery=${r} steps=${data.steps[r.UID]} onAck=${onAck} />`)}
          </div>
        </main>`
      : null}
  </div>`;
}

const root = document.getElementById('app');
root.textContent = ''; // the no-JavaScript placeholder
render(html`<${App} />`, root);
