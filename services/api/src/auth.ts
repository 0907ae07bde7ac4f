/**
 * The guard of every state-changing route (orchestrator's isAuthorizedForAction, fixing W16):
 *   1. read-only mode (api.readOnly) refuses, 403;
 *   2. with api.authentication (the default) the request must carry api.token, as
 *      `Authorization: Bearer <token>` or `X-Baton-Token: <token>` — none or a wrong one is 401;
 *      with no token configured every state-changing request is refused, 403;
 *   3. api.authentication: false lets everyone through (the config only allows it on loopback).
 * Runs at onRequest, before parameter validation: an unauthorised caller learns nothing else.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { failure } from './envelope.ts';
import type { ApiSettings } from './settings.ts';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

export function presentedToken(headers: FastifyRequest['headers']): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1];
  }
  const header = headers['x-baton-token'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}

export function guardMutation(settings: Pick<ApiSettings, 'readOnly' | 'authentication' | 'token'>) {
  const expected = settings.token === undefined ? undefined : digest(settings.token);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (settings.readOnly) {
      await reply.code(403).send(failure('Refused: the api is in read-only mode (api.readOnly); state-changing routes are disabled', { readOnly: true }));
      return;
    }
    if (!settings.authentication) return;
    if (expected === undefined) {
      await reply.code(403).send(failure('Refused: authentication is on and no api.token is configured, so every state-changing request is refused', { authentication: true }));
      return;
    }
    const token = presentedToken(request.headers);
    if (token === undefined || !timingSafeEqual(digest(token), expected)) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(failure(token === undefined ? 'Unauthorized: send the api token as Authorization: Bearer <token> or X-Baton-Token' : 'Unauthorized: wrong api token'));
    }
  };
}
