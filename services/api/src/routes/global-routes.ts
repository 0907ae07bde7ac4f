/**
 * The global recovery switch (disable/enable/check-global-recoveries), automated-recovery-filters,
 * health and leader-check. Every api process serves every route (no leader: the services
 * coordinate through Kafka and Redis), so leader-check answers "OK" everywhere — a load balancer
 * that probes it sends traffic to any healthy api.
 */
import type { RouteContext } from '../app.ts';
import { confirmEffect } from '../await-effect.ts';
import { ApiError, ok } from '../envelope.ts';
import { params } from '../schemas.ts';
import { Type } from '@sinclair/typebox';

const tag = 'global';

export function registerGlobalRoutes(ctx: RouteContext): void {
  const { settings, deps } = ctx;
  const wait = { timeoutMs: settings.commandWaitMs, intervalMs: ctx.pollIntervalMs };

  for (const disable of [true, false]) {
    const word = disable ? 'disable' : 'enable';
    ctx.route({
      url: `${word}-global-recoveries`,
      tag,
      mutating: true,
      summary: `${disable ? 'Disables' : 'Enables'} automated recoveries on every cluster (forced recover still runs)`,
      handler: async (req) => {
        const { commandId } = await deps.commands.publish('global', { kind: disable ? 'disable-global-recoveries' : 'enable-global-recoveries', requestedBy: ctx.requestedBy(req) });
        await confirmEffect(async () => (await deps.state.recoveriesDisabled()) === disable, `${word}-global-recoveries`, commandId, wait);
        return ok(`Globally ${word}d recoveries`, disable ? 'disabled' : 'enabled');
      },
    });
  }

  ctx.route({
    url: 'check-global-recoveries',
    tag,
    summary: 'Details "enabled" or "disabled"',
    handler: async () => {
      const details = (await deps.state.recoveriesDisabled()) ? 'disabled' : 'enabled';
      return ok(`Global recoveries ${details}`, details);
    },
  });

  ctx.route({
    url: 'automated-recovery-filters',
    tag,
    summary: 'RecoverMasterClusterFilters, RecoverIntermediateMasterClusterFilters, RecoveryIgnoreHostnameFilters',
    handler: async () => ok('Automated recovery configuration details', settings.filters),
  });

  ctx.route({
    url: 'health',
    tag,
    summary: 'OK when Redis, the backend and the registry answer; ERROR (503) naming what does not',
    handler: async () => {
      const check = async (what: () => Promise<void>): Promise<string> => {
        try {
          await what();
          return 'ok';
        } catch (error) {
          return (error as Error).message || 'failed';
        }
      };
      const [redis, backend, kafka] = await Promise.all([
        check(() => deps.state.ping()),
        check(() => deps.audit.ping()),
        check(async () => (deps.commands.ping ? deps.commands.ping() : undefined)),
      ]);
      const registry = deps.registry.ready() ? 'ok' : 'not read yet';
      const checks = { redis, backend, kafka, registry };
      const healthy = Object.values(checks).every((v) => v === 'ok');
      const details = { Healthy: healthy, Hostname: ctx.hostname, Token: '', IsActiveNode: true, ActiveNode: { Hostname: ctx.hostname, Token: '' }, Error: null, Checks: checks };
      if (!healthy) throw new ApiError(503, `Application node is unhealthy: ${Object.entries(checks).filter(([, v]) => v !== 'ok').map(([k, v]) => `${k}: ${v}`).join('; ')}`, details);
      return ok('Application node is healthy', details);
    },
  });

  ctx.route({ url: 'leader-check', tag, summary: '"OK": every api process serves (no leader election)', handler: async () => 'OK' });
  ctx.route({
    url: 'leader-check/:errorStatusCode',
    tag,
    summary: 'As leader-check (the status a follower would answer is never used)',
    params: params({ errorStatusCode: Type.Integer({ minimum: 0, maximum: 599 }) }),
    handler: async () => 'OK',
  });
}
