/**
 * `deployment.name` is the default of every name that must differ between two deployments on
 * shared infrastructure: topics, consumer groups, Redis keys and the backend schema (heartbeat
 * files read it directly). A key the operator set explicitly wins.
 */
import { isPlainObject } from './issues.ts';

type Json = Record<string, unknown>;

const sectionOf = (root: Json, name: string): Json => (isPlainObject(root[name]) ? (root[name] as Json) : {});

/** The backend schema of a deployment: `baton_<name>`, dashes made underscores. */
export const deploymentDatabase = (name: string): string => `baton_${name.replace(/-/g, '_')}`;

/** Fills the derived defaults into `value` (the defaulted config); `raw` tells what the operator set. */
export function applyDeploymentDefaults(value: Json, raw: Json): void {
  const name = sectionOf(value, 'deployment')['name'];
  if (typeof name !== 'string' || name === '') return;
  const set = (section: string, key: string, derived: string): void => {
    if (sectionOf(raw, section)[key] !== undefined) return;
    const target = sectionOf(value, section);
    target[key] = derived;
    value[section] = target;
  };
  set('kafka', 'topicPrefix', name);
  set('kafka', 'groupIdPrefix', name);
  set('redis', 'keyPrefix', name);
  const backend = sectionOf(raw, 'backend');
  const dsnDatabase = typeof backend['dsn'] === 'string' && /^[^/]*\/\/[^/]+\/[^/?]+/.test(backend['dsn']);
  if (!dsnDatabase) set('backend', 'database', deploymentDatabase(name));
}
