/**
 * The CLI's side of the api: where it is and how to call it. The address and token come from, in
 * order: --api URL / --token TOKEN, then BATON_API_URL / BATON_API_TOKEN, then the api section of
 * --config FILE (host, port, urlPrefix, token), then http://127.0.0.1:3000. State-changing calls
 * are POSTs with the token in `Authorization: Bearer`; reads are GETs.
 */
import { loadConfig } from '@baton/config';
import { UsageError } from './io.ts';

export interface ApiTarget {
  /** Base URL up to and without `/api` (`http://127.0.0.1:3000`, or with the urlPrefix). */
  baseUrl: string;
  token: string | undefined;
  timeoutMs: number;
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON body (the envelope, or a raw array/object for orchestrator's list routes). */
  body: unknown;
}

/** The api answered ERROR, or with a status other than 2xx. */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  constructor(
    message: string,
    readonly response: ApiResponse,
  ) {
    super(message);
  }
}

/** The api could not be reached at all (refused, timed out, not HTTP). */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachableError';
}

export interface TargetOptions {
  api?: string | undefined;
  token?: string | undefined;
  config?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Default 70 s: above the api's own wait for a synchronous recover. */
  timeoutMs?: number;
}

export function resolveTarget(o: TargetOptions): ApiTarget {
  let fromConfig: { url: string; token: string | undefined } | undefined;
  if (o.config !== undefined) {
    try {
      const { api } = loadConfig({ file: o.config, env: {} });
      const host = api.host === '0.0.0.0' || api.host === '::' ? '127.0.0.1' : api.host;
      fromConfig = { url: `http://${host.includes(':') ? `[${host}]` : host}:${api.port}${api.urlPrefix}`, token: api.token };
    } catch (error) {
      throw new UsageError(`--config ${o.config}: ${(error as Error).message}`);
    }
  }
  const url = o.api ?? o.env['BATON_API_URL'] ?? fromConfig?.url ?? 'http://127.0.0.1:3000';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--api must be a URL such as http://127.0.0.1:3000, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--api must be an http:// or https:// URL, got ${JSON.stringify(url)}`);
  const baseUrl = url.replace(/\/+$/, '').replace(/\/api$/, '');
  const token = o.token ?? o.env['BATON_API_TOKEN'] ?? fromConfig?.token;
  return { baseUrl, token: token === '' ? undefined : token, timeoutMs: o.timeoutMs ?? 70_000 };
}

export interface CallOptions {
  /** POST with the token (state-changing routes). */
  mutating?: boolean;
  query?: Record<string, string | undefined>;
  /** Sent as X-Baton-User: who asks, for the audit. */
  user?: string | undefined;
}

const segment = (s: string | number) => encodeURIComponent(String(s));

/** `['recover', 'db1', 3306]` → `recover/db1/3306`, each part encoded. */
export function apiPath(...parts: Array<string | number>): string {
  return parts.map(segment).join('/');
}

/** Calls `<baseUrl>/api/<path>`; resolves for an OK envelope or a raw 2xx body, throws otherwise. */
export async function callApi(target: ApiTarget, path: string, o: CallOptions = {}): Promise<ApiResponse> {
  const url = new URL(`${target.baseUrl}/api/${path}`);
  for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (o.mutating && target.token !== undefined) headers['authorization'] = `Bearer ${target.token}`;
  if (o.user) headers['x-baton-user'] = o.user;
  let res: Response;
  try {
    res = await fetch(url, { method: o.mutating ? 'POST' : 'GET', headers, signal: AbortSignal.timeout(target.timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = (error as Error).name === 'TimeoutError' ? `no answer within ${target.timeoutMs} ms` : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new ApiUnreachableError(`cannot reach the api at ${target.baseUrl} (${why}); set --api or BATON_API_URL`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    throw new ApiUnreachableError(`${url.origin} answered ${res.status} with something that is not JSON: is it the Baton api?`);
  }
  const response = { status: res.status, body };
  const envelope = body as { Code?: unknown; Message?: unknown } | null;
  if (envelope && typeof envelope === 'object' && envelope.Code === 'ERROR') throw new ApiCallError(String(envelope.Message ?? `HTTP ${res.status}`), response);
  if (!res.ok) throw new ApiCallError(`HTTP ${res.status}`, response);
  return response;
}

/** Details of an OK envelope (or the raw body of a list route). */
export function detailsOf(response: ApiResponse): unknown {
  const b = response.body as { Code?: unknown; Details?: unknown } | null;
  return b && typeof b === 'object' && !Array.isArray(b) && b.Code === 'OK' ? b.Details : response.body;
}

export function messageOf(response: ApiResponse): string {
  const b = response.body as { Message?: unknown } | null;
  return b && typeof b === 'object' && typeof b.Message === 'string' ? b.Message : '';
}
