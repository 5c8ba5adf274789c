// The one way the app talks to Linli: openapi-fetch, typed from the server's own /openapi.json (schema.d.ts is
// generated from it; the browser test checks it is current). Every call carries the access token and the app's
// language; a 401 is answered by one refresh and one retry.
import createClient, { type Middleware } from 'openapi-fetch'
import type { paths, components } from './schema'
import { refresh, session } from '../session'
import { i18n } from '../i18n'

export type Problem = components['schemas']['Problem']

const retried = new WeakSet<Request>()

const auth: Middleware = {
  onRequest({ request }) {
    const token = session.current?.token
    if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`)
    // The server words what people read (why a provider was chosen) in the app's language, not the browser's.
    request.headers.set('accept-language', i18n.global.locale.value)
    retried.add(request.clone())
    return request
  },
  async onResponse({ request, response }) {
    if (response.status !== 401 || !session.current || request.url.endsWith('/auth/refresh')) return response
    const copy = request.clone()
    if (!(await refresh())) return response
    copy.headers.set('authorization', `Bearer ${session.current?.token}`)
    return fetch(copy)
  },
}

export const api = createClient<paths>({ baseUrl: '/' })
api.use(auth)

/** The person-readable text of a refusal, with the field it names when there is one. */
export function problemText(error: unknown): string {
  const p = error as Partial<Problem> | undefined
  if (!p || typeof p !== 'object') return String(error)
  return p.detail ?? p.title ?? p.code ?? 'error'
}
