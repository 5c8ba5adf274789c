// The signed-in account and its tokens, kept in localStorage so a reload stays signed in. The access token
// lives 15 minutes; `refresh()` swaps the refresh token for a new pair (each refresh token works once).
import { computed, reactive } from 'vue'
import type { components } from './api/schema'
import { setLang } from './i18n'

export type Account = components['schemas']['AccountView']
type Login = components['schemas']['LoginResponse']

const KEY = 'linli.session'

interface Stored {
  token: string
  refreshToken: string
  account: Account
}

function load(): Stored | null {
  try {
    const raw = localStorage.getItem(KEY)
    return raw ? (JSON.parse(raw) as Stored) : null
  } catch {
    return null
  }
}

export const session = reactive<{ current: Stored | null }>({ current: load() })

export const account = computed(() => session.current?.account ?? null)
export const role = computed(() => session.current?.account.role ?? null)

export function signedIn(login: Login): void {
  session.current = { token: login.token, refreshToken: login.refresh_token, account: login.account }
  localStorage.setItem(KEY, JSON.stringify(session.current))
  // The language the person chose on any device follows them here.
  if (login.account.language) setLang(login.account.language)
}

/** Keeps what changed of the signed-in account, as the server now has it. */
export function accountChanged(patch: Partial<Account>): void {
  if (!session.current) return
  session.current.account = { ...session.current.account, ...patch }
  localStorage.setItem(KEY, JSON.stringify(session.current))
}

export function signedOut(): void {
  session.current = null
  localStorage.removeItem(KEY)
}

let refreshing: Promise<boolean> | null = null

/** Renews the pair once however many requests found the token expired at the same moment. */
export function refresh(): Promise<boolean> {
  const current = session.current
  if (!current) return Promise.resolve(false)
  refreshing ??= fetch('/api/v1/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: current.refreshToken }),
  })
    .then(async (resp) => {
      if (!resp.ok) {
        signedOut()
        return false
      }
      signedIn((await resp.json()) as Login)
      return true
    })
    .catch(() => false)
    .finally(() => {
      refreshing = null
    })
  return refreshing
}

/** The page each role starts on. */
export function home(r: string | null): string {
  switch (r) {
    case 'resident':
      return '/catalog'
    case 'provider_staff':
    case 'party_member':
      return '/jobs'
    case 'community_worker':
      return '/community'
    case 'admin':
      return '/admin'
    case null:
      return '/sign-in'
    default:
      return '/inbox'
  }
}
