import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { RecordingSmsSender } from '@binge/core/accounts/sms-sender-recording';
import type { AuthSession } from '@binge/core/protocol/catalog';

/**
 * A device's view of the sign-in and session routes, so that a test reads as what a phone does:
 * `await device.smsSend('+8613800138000')`, `await device.refresh(token)`. It sends the bearer it
 * was made with (none for an anonymous device) from the address it was given; raw responses.
 */
export interface AuthClient {
  refresh(refreshToken: unknown): Promise<LightMyRequestResponse>;
  logout(): Promise<LightMyRequestResponse>;
  logoutAll(): Promise<LightMyRequestResponse>;
  sessions(): Promise<LightMyRequestResponse>;
  deleteSession(id: string): Promise<LightMyRequestResponse>;
  smsSend(phone: unknown): Promise<LightMyRequestResponse>;
  smsVerify(body: Record<string, unknown>): Promise<LightMyRequestResponse>;
  identities(): Promise<LightMyRequestResponse>;
  linkPhone(body: Record<string, unknown>): Promise<LightMyRequestResponse>;
  unlink(provider: string): Promise<LightMyRequestResponse>;
  oauthStart(
    provider: string,
    query?: string,
    accept?: 'json' | 'html',
  ): Promise<LightMyRequestResponse>;
  /** `cookie` is the Set-Cookie value of the start (its first `name=value`), or none. */
  oauthCallback(provider: string, query: string, cookie?: string): Promise<LightMyRequestResponse>;
}

export function authClient(
  app: FastifyInstance,
  options: { headers?: { authorization: string }; ip?: string; userAgent?: string } = {},
): AuthClient {
  const headers: Record<string, string> = {
    ...options.headers,
    ...(options.userAgent === undefined ? {} : { 'user-agent': options.userAgent }),
  };
  const remoteAddress = options.ip ?? '127.0.0.1';
  const post = (url: string, payload?: unknown) =>
    app.inject({
      method: 'POST',
      url,
      headers,
      remoteAddress,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const get = (url: string, extra: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers: { ...headers, ...extra }, remoteAddress });
  const del = (url: string) => app.inject({ method: 'DELETE', url, headers, remoteAddress });
  return {
    refresh: (refreshToken) => post('/api/v1/auth/refresh', { refreshToken }),
    logout: () => post('/api/v1/auth/logout'),
    logoutAll: () => post('/api/v1/auth/logout-all'),
    sessions: () => get('/api/v1/me/sessions'),
    deleteSession: (id) => del(`/api/v1/me/sessions/${encodeURIComponent(id)}`),
    smsSend: (phone) => post('/api/v1/auth/sms/send', { phone }),
    smsVerify: (body) => post('/api/v1/auth/sms/verify', body),
    identities: () => get('/api/v1/me/identities'),
    linkPhone: (body) => post('/api/v1/me/identities/phone', body),
    unlink: (provider) => del(`/api/v1/me/identities/${encodeURIComponent(provider)}`),
    oauthStart: (provider, query = '', accept = 'html') =>
      get(`/api/v1/auth/oauth/${provider}/start${query ? `?${query}` : ''}`, {
        accept: accept === 'json' ? 'application/json' : 'text/html',
      }),
    oauthCallback: (provider, query, cookie) =>
      get(
        `/api/v1/auth/oauth/${provider}/callback?${query}`,
        cookie === undefined ? {} : { cookie },
      ),
  };
}

/** The `name=value` of a Set-Cookie answer, to send back as a Cookie header. */
export function cookieFrom(response: LightMyRequestResponse): string {
  const header = response.headers['set-cookie'];
  const first = Array.isArray(header) ? header[0] : header;
  if (first === undefined) throw new Error('no Set-Cookie in the answer');
  return first.split(';', 1)[0]!;
}

/**
 * Signs in with a phone as a device does: asks for a code, reads it from the recording SMS
 * adapter, verifies it. `headers` carries a guest's bearer to upgrade that guest.
 */
export async function signInWithPhone(
  app: FastifyInstance,
  sms: RecordingSmsSender,
  phone: string,
  options: { headers?: { authorization: string }; ip?: string; deviceName?: string } = {},
): Promise<AuthSession> {
  const device = authClient(app, options);
  const sent = await device.smsSend(phone);
  if (sent.statusCode !== 202) throw new Error(`sms/send: ${sent.body}`);
  const verified = await device.smsVerify({
    phone,
    code: sms.lastCodeTo(phone),
    ...(options.deviceName === undefined ? {} : { deviceName: options.deviceName }),
  });
  if (verified.statusCode !== 200) throw new Error(`sms/verify: ${verified.body}`);
  return verified.json();
}
