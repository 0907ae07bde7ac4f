/**
 * The statuses fastify (or Node's HTTP parser under it) answers by itself, in Baton's envelope
 * rather than fastify's `{error, code, message, statusCode}`:
 *   - frameworkErrors (the router, before any route or hook runs): FST_ERR_BAD_URL → 400 (a path
 *     that is not valid percent-encoding), FST_ERR_MAX_PARAM_LENGTH → 414 (a path parameter longer
 *     than the router's maxParamLength, MAX_PARAM_LENGTH here — past every parameter schema's
 *     maxLength, so a long but legal parameter still reaches its validation and a 400 naming it);
 *   - clientErrorHandler (a request Node could not parse; written straight to the socket, which is
 *     then closed): 408 the request was not received within api.requestTimeoutMs, 431 the request
 *     line and headers exceed Node's --max-http-header-size (a very long URL ends here), 400 else.
 * The rest goes through the app's error handler (app.ts): 400 validation and JSON body errors,
 * 413 body too large, 415 unsupported content type, 404 unknown route (a method a route does not
 * have is a 404 there too: fastify answers no 405).
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { failure } from './envelope.ts';

/** The longest path parameter the router accepts (Text params allow 1024 characters). */
export const MAX_PARAM_LENGTH = 1024;

/** A URL as echoed in a message: the path only, cut short. */
export function shownPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.length > 120 ? `${path.slice(0, 120)}… (${path.length} characters)` : path;
}

export function frameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const path = shownPath(request.url);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.code(414).send(failure(`URI too long: a path parameter exceeds ${MAX_PARAM_LENGTH} characters in ${path}`, { code: error.code }));
    return;
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    void reply.code(400).send(failure(`bad URL: ${path} is not valid percent-encoding`, { code: error.code }));
    return;
  }
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 400;
  void reply.code(status).send(failure(error.message, { code: error.code ?? null }));
}

export function clientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request timeout: the request was not received in time (api.requestTimeoutMs)']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request header fields too large (a URL this long is refused)']
        : [400, 'Bad request: the HTTP request could not be parsed'];
  const body = JSON.stringify(failure(message, { code: error.code ?? null }));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
