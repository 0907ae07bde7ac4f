/**
 * The guard of every state-changing route (orchestrator's isAuthorizedForAction, fixing W16):
 *   1. read-only mode (api.readOnly) refuses, 403;
 *   2. with api.authentication (the default) the request must carry api.token, as
 *      `Authorization: Bearer <token>`, `X-Baton-Token: <token>`, or as the password of HTTP basic
 *      auth (`Authorization: Basic …`, what orchestrator-client sends with ORCHESTRATOR_AUTH_USER /
 *      ORCHESTRATOR_AUTH_PASSWORD, i.e. `curl --user user:password`; the user name is who asks) —
 *      none or a wrong one is 401, compared in constant time (both sides hashed first);
 *      with no token configured every state-changing request is refused, 403;
 *   3. api.authentication: false lets everyone through (the config only allows it on loopback);
 *   4. whatever the credentials, a request a browser marks as cross-site (`Sec-Fetch-Site:
 *      cross-site`) is refused, 403: state-changing routes answer GET too (orchestrator-client
 *      uses GET), so a page elsewhere must not ride on basic-auth credentials a browser cached.
 * Runs at onRequest, before parameter validation: an unauthorised caller learns nothing else.
 * Neither the token nor the basic password is ever logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { failure } from './envelope.ts';
import type { ApiSettings } from './settings.ts';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

export interface BasicCredentials {
  user: string;
  password: string;
}

/** `Basic base64(user:password)` (the Authorization value, trimmed) → its parts (the password may hold ':'); undefined when not one or malformed. */
function basicOf(auth: string): BasicCredentials | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)$/i.exec(auth);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** What a request presents in its headers (see presented). */
export interface PresentedCredentials {
  /** The token: Bearer's, the basic-auth password ('' for a malformed Basic header), or X-Baton-Token; undefined for none. */
  token: string | undefined;
  /** The basic-auth user name, when the Authorization header is well-formed basic auth. */
  user: string | undefined;
}

/** The credentials a request presents (the guard and requesterOf each read them: a regex and a base64 decode). */
export function presented(headers: FastifyRequest['headers']): PresentedCredentials {
  const auth = typeof headers.authorization === 'string' ? headers.authorization.trim() : undefined;
  if (auth !== undefined) {
    const bearer = /^Bearer\s+(.+)$/i.exec(auth);
    if (bearer) return { token: bearer[1], user: undefined };
    if (/^Basic(\s|$)/i.test(auth)) {
      const basic = basicOf(auth);
      return { token: basic?.password ?? '', user: basic?.user };
    }
  }
  const header = headers['x-baton-token'];
  return typeof header === 'string' && header !== '' ? { token: header, user: undefined } : { token: undefined, user: undefined };
}

const userName = (text: unknown): string | undefined => (typeof text === 'string' && /^[\w.@-]{1,64}$/.test(text) ? text : undefined);

/** Who asks, as recorded in requestedBy: `api:<basic-auth user, else X-Baton-User, else "anonymous">`. */
export function requesterOf(headers: FastifyRequest['headers']): string {
  return `api:${userName(presented(headers).user) ?? userName(headers['x-baton-user']) ?? 'anonymous'}`;
}

export function guardMutation(settings: Pick<ApiSettings, 'readOnly' | 'authentication' | 'token'>) {
  const expected = settings.token === undefined ? undefined : digest(settings.token);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.headers['sec-fetch-site'] === 'cross-site') {
      await reply.code(403).send(failure('Refused: a state-changing request from another site (Sec-Fetch-Site: cross-site)', { crossSite: true }));
      return;
    }
    if (settings.readOnly) {
      await reply.code(403).send(failure('Refused: the api is in read-only mode (api.readOnly); state-changing routes are disabled', { readOnly: true }));
      return;
    }
    if (!settings.authentication) return;
    if (expected === undefined) {
      await reply.code(403).send(failure('Refused: authentication is on and no api.token is configured, so every state-changing request is refused', { authentication: true }));
      return;
    }
    const { token } = presented(request.headers);
    if (token === undefined || !timingSafeEqual(digest(token), expected)) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer, Basic realm="baton"')
        .send(
          failure(
            token === undefined
              ? 'Unauthorized: send the api token as Authorization: Bearer <token>, X-Baton-Token, or the password of HTTP basic auth'
              : 'Unauthorized: wrong api token',
          ),
        );
    }
  };
}
