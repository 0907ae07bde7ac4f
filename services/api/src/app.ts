/**
 * build(settings, deps) → the fastify instance with every route under `<urlPrefix>/api/`, the
 * envelope error handler, the token guard and the OpenAPI document (`/api/openapi.json`). No
 * listening here: start-api.ts listens, route tests use inject.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import type { Static, TSchema } from '@sinclair/typebox';
import type { Logger } from '@baton/logging';
import type { Registry } from '@baton/metrics';
import { isRetryable } from '@baton/errors';
import { guardMutation, requesterOf } from './auth.ts';
import { ClusterDirectory, type ClusterView } from './cluster-directory.ts';
import { ApiError, failure } from './envelope.ts';
import { clientError, frameworkError, MAX_PARAM_LENGTH, shownPath } from './framework-errors.ts';
import type { ApiDeps } from './ports.ts';
import type { ApiSettings } from './settings.ts';
import { registerAckRoutes } from './routes/ack-routes.ts';
import { registerAuditRoutes } from './routes/audit-routes.ts';
import { registerClusterRoutes } from './routes/cluster-routes.ts';
import { registerGlobalRoutes } from './routes/global-routes.ts';
import { countRequests } from './routes/metrics-route.ts';
import { registerInstanceRoutes } from './routes/instance-routes.ts';
import { registerInstanceReadRoutes } from './routes/instance-read-routes.ts';
import { registerRecoverRoutes } from './routes/recover-routes.ts';
import { registerOperationRoutes } from './routes/operation-routes.ts';
import { registerWebPage } from './routes/web-page-route.ts';

export interface RequestLike<P, Q> {
  params: P;
  query: Q;
  headers: FastifyRequest['headers'];
}

export interface RouteDef<P extends TSchema | undefined, Q extends TSchema | undefined> {
  /** Path after `/api/`, fastify syntax (`cluster/:clusterHint`). */
  url: string;
  summary: string;
  tag: string;
  /** State-changing: GET and POST, token required, refused in read-only mode. */
  mutating?: boolean;
  params?: P;
  querystring?: Q;
  handler: (request: RequestLike<P extends TSchema ? Static<P> : Record<string, never>, Q extends TSchema ? Static<Q> : Record<string, never>>) => Promise<unknown>;
}

export interface RouteContext {
  settings: ApiSettings;
  deps: Required<Pick<ApiDeps, 'state' | 'registry' | 'audit' | 'commands' | 'events' | 'deadLetters'>>;
  now(): Date;
  hostname: string;
  pollIntervalMs: number;
  newRequestId(): string;
  /** The clusters known now (snapshots joined with the registry). */
  directory(): Promise<ClusterDirectory>;
  /** The cluster a hint names (ClusterDirectory.resolve); 404 when none. */
  cluster(hint: string): Promise<ClusterView>;
  /** Who asks: `api:<basic-auth user, else X-Baton-User header, else "anonymous">` (auth.ts requesterOf). */
  requestedBy(request: { headers: FastifyRequest['headers'] }): string;
  route<P extends TSchema | undefined = undefined, Q extends TSchema | undefined = undefined>(def: RouteDef<P, Q>): void;
}

export interface BuildOptions {
  logger?: Logger;
  /** Counts the requests into this Prometheus registry (served by start-api.ts on api.metricsPort). */
  registry?: Registry;
}

/** Field named by a fastify validation error: `/port` → port, a missing property → its name. */
function validationField(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.validationContext ?? 'request';
  const path = first.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const missing = (first.params as { missingProperty?: string }).missingProperty;
  return path || missing || error.validationContext || 'request';
}

function validationProblem(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const allowed = (first.params as { allowedValues?: unknown[] }).allowedValues;
  if (allowed) return `must be one of ${allowed.join(', ')}`;
  if ((first.params as { missingProperty?: string }).missingProperty) return 'is required';
  return first.message ?? error.message;
}

export async function build(settings: ApiSettings, deps: ApiDeps, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: settings.requestTimeoutMs,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError,
    genReqId: () => randomUUID(),
  });
  const log = options.logger;

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ApiError) {
      if (error.statusCode >= 500) log?.warn({ err: error, url: request.url }, 'api request failed');
      return reply.code(error.statusCode).send(failure(error.message, error.details));
    }
    if (error.validation) {
      const field = validationField(error);
      return reply.code(400).send(failure(`bad parameter ${field}: ${validationProblem(error)}`, { field, in: error.validationContext ?? null }));
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send(failure(error.message, { code: error.code ?? null }));
    }
    const unavailable = isRetryable(error);
    log?.error({ err: error, url: request.url, reqId: request.id }, 'api request failed');
    return reply
      .code(unavailable ? 503 : 500)
      .send(failure(unavailable ? `a dependency is unavailable: ${error.message}` : `internal error (request ${request.id}; see the api log)`, null));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(failure(`no such route: ${request.method} ${shownPath(request.url)}`)));

  const base = `${settings.urlPrefix}/api`;
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Baton API',
        version: '1',
        description:
          "orchestrator's failover routes and envelope ({Code, Message, Details}). State-changing routes accept GET (as orchestrator) and POST, " +
          'and need the configured token (Authorization: Bearer <token>, X-Baton-Token, or the password of HTTP basic auth) unless api.authentication is false.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          batonToken: { type: 'apiKey', in: 'header', name: 'X-Baton-Token' },
          basic: { type: 'http', scheme: 'basic' },
        },
      },
    },
  });

  const ctx: RouteContext = {
    settings,
    deps: { state: deps.state, registry: deps.registry, audit: deps.audit, commands: deps.commands, events: deps.events, deadLetters: deps.deadLetters ?? { reasonFor: () => undefined } },
    now: deps.now ?? (() => new Date()),
    hostname: deps.hostname ?? hostname(),
    pollIntervalMs: deps.pollIntervalMs ?? 200,
    newRequestId: deps.newRequestId ?? (() => randomUUID()),
    directory: () => ClusterDirectory.load(deps.state, deps.registry),
    cluster: (hint) => ClusterDirectory.resolve(deps.state, deps.registry, hint),
    requestedBy: (request) => requesterOf(request.headers),
    route(def) {
      app.route({
        method: def.mutating ? ['GET', 'POST'] : ['GET'],
        url: `${base}/${def.url}`,
        schema: {
          summary: def.summary,
          tags: [def.tag],
          ...(def.params ? { params: def.params } : {}),
          ...(def.querystring ? { querystring: def.querystring } : {}),
          ...(def.mutating ? { security: [{ bearer: [] }, { batonToken: [] }, { basic: [] }] } : {}),
        },
        ...(def.mutating ? { onRequest: guardMutation(settings) } : {}),
        handler: async (request, reply) => {
          const result = await def.handler(request as never);
          // orchestrator answers a bare JSON string for some routes (leader-check: "OK")
          return typeof result === 'string' ? reply.type('application/json; charset=utf-8').send(JSON.stringify(result)) : result;
        },
      });
    },
  };

  registerClusterRoutes(ctx);
  registerInstanceRoutes(ctx);
  registerInstanceReadRoutes(ctx);
  registerRecoverRoutes(ctx);
  registerOperationRoutes(ctx);
  registerAckRoutes(ctx);
  registerAuditRoutes(ctx);
  registerGlobalRoutes(ctx);
  if (options.registry) countRequests(app, options.registry);
  app.get(`${base}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());
  await registerWebPage(app, settings);
  await app.ready();
  return app;
}
