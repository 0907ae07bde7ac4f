/**
 * `baton forget CLUSTER`, `baton register-candidate HOST:PORT RULE`,
 * `baton downtime begin HOST:PORT --owner O --reason R [--duration D]`,
 * `baton downtime end HOST:PORT`, `baton downtime list [CLUSTER]`.
 */
import { apiCommand, parseHostPort } from './api-command.ts';
import { apiPath, callApi, messageOf } from './api-client.ts';
import { table } from './cluster-commands.ts';
import { UsageError, exitCodes } from './io.ts';

export const forgetCommand = apiCommand({
  name: 'forget',
  usage: `Usage: baton forget CLUSTER [options]

Retires a cluster: the detectors stop probing it and the api stops listing it. CLUSTER is its
id, its alias, or host:port of any member. Rediscover it with baton discover.`,
  positionals: [1, 1],
  async run({ positionals, target, io, json, printJson, user }) {
    const res = await callApi(target, apiPath('forget-cluster', positionals[0] as string), { mutating: true, user });
    if (json) printJson(res.body);
    else io.out(`${messageOf(res)}\n`);
    return exitCodes.ok;
  },
});

const rules = ['prefer', 'neutral', 'prefer_not', 'must_not'];

export const registerCandidateCommand = apiCommand({
  name: 'register-candidate',
  usage: `Usage: baton register-candidate HOST:PORT RULE [options]

Registers the instance's promotion rule for recovery.CandidateInstanceExpireMinutes:
prefer, neutral, prefer_not or must_not ("must" cannot be registered, as in orchestrator).`,
  positionals: [2, 2],
  async run({ positionals, target, io, json, printJson, user }) {
    const key = parseHostPort(positionals[0]);
    const rule = positionals[1] as string;
    if (!rules.includes(rule)) throw new UsageError(`RULE must be one of ${rules.join(', ')}, got ${JSON.stringify(rule)}`);
    const res = await callApi(target, apiPath('register-candidate', key.host, key.port, rule), { mutating: true, user });
    if (json) printJson(res.body);
    else io.out(`${messageOf(res)}: ${key.host}:${key.port} ${rule}\n`);
    return exitCodes.ok;
  },
});

interface InstanceJson {
  Key: { Hostname: string; Port: number };
  ClusterName: string;
  DowntimeOwner: string;
  DowntimeReason: string;
  DowntimeEndTimestamp: string;
}

export const downtimeCommand = apiCommand({
  name: 'downtime',
  usage: `Usage: baton downtime begin HOST:PORT --owner WHO --reason WHY [--duration D] [options]
       baton downtime end HOST:PORT [options]
       baton downtime list [CLUSTER] [options]

A downtimed instance is flagged in the analysis and automated recovery skips it.
  --duration D   90, 90s, 15m, 2h or 1d (default 10m, as orchestrator)`,
  options: { owner: { type: 'string' }, reason: { type: 'string' }, duration: { type: 'string' } },
  positionals: [1, 2],
  async run({ positionals, values, target, io, json, printJson, user }) {
    const [action, arg] = positionals;
    if (action === 'list') {
      const res = await callApi(target, arg === undefined ? 'downtimed' : apiPath('downtimed', arg));
      if (json) printJson(res.body);
      else {
        const rows = (res.body as InstanceJson[]).map((i) => [`${i.Key.Hostname}:${i.Key.Port}`, i.ClusterName, i.DowntimeOwner, i.DowntimeReason, i.DowntimeEndTimestamp || 'until ended']);
        io.out(rows.length === 0 ? 'no downtimed instances\n' : `${table([['INSTANCE', 'CLUSTER', 'OWNER', 'REASON', 'ENDS'], ...rows])}\n`);
      }
      return exitCodes.ok;
    }
    if (action !== 'begin' && action !== 'end') throw new UsageError(`expected begin, end or list, got ${JSON.stringify(action)}`);
    const key = parseHostPort(arg);
    let path: string;
    if (action === 'begin') {
      const owner = values['owner'];
      const reason = values['reason'];
      if (typeof owner !== 'string' || owner === '' || typeof reason !== 'string' || reason === '') throw new UsageError('downtime begin needs --owner and --reason');
      const duration = values['duration'];
      if (duration !== undefined && !/^[0-9]+[smhd]?$/.test(String(duration))) throw new UsageError(`--duration must be like 90, 90s, 15m, 2h or 1d, got ${JSON.stringify(duration)}`);
      path = apiPath('begin-downtime', key.host, key.port, owner, reason, ...(duration === undefined ? [] : [String(duration)]));
    } else {
      path = apiPath('end-downtime', key.host, key.port);
    }
    const res = await callApi(target, path, { mutating: true, user });
    if (json) printJson(res.body);
    else {
      const until = (res.body as { Details?: { DowntimeEndTimestamp?: string } }).Details?.DowntimeEndTimestamp;
      io.out(`${messageOf(res)}${until ? ` until ${until}` : ''}\n`);
    }
    return exitCodes.ok;
  },
});
