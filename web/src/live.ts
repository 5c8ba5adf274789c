// The account's live stream (GET /api/v1/live, server-sent events): order changes, new and withdrawn offers,
// inbox messages, shifts' rosters. Pages subscribe to it and refetch what they show; the stream reconnects by itself, and
// `onLive` also fires on every (re)connection, because whatever happened while it was down was missed.
import { fetchEventSource } from '@microsoft/fetch-event-source'
import { ref } from 'vue'
import { refresh, session } from './session'

export interface LiveEvent {
  kind: string
  order_id?: string
  state?: string
  shift_id?: string
}

type Listener = (event: LiveEvent) => void

const listeners = new Set<Listener>()
let controller: AbortController | null = null
export const connected = ref(false)

export function onLive(listener: Listener): () => void {
  listeners.add(listener)
  start()
  return () => listeners.delete(listener)
}

function tell(event: LiveEvent): void {
  for (const l of listeners) l(event)
}

function start(): void {
  if (controller || !session.current) return
  const mine = new AbortController()
  controller = mine
  void fetchEventSource('/api/v1/live', {
    signal: mine.signal,
    openWhenHidden: true,
    headers: { authorization: `Bearer ${session.current.token}` },
    async onopen(resp) {
      if (resp.status === 401) {
        // The access token expired: renew it and open a new stream with the new one.
        const renewed = await refresh()
        stopLive()
        if (renewed) start()
        return
      }
      if (!resp.ok) throw new Error(`live stream: ${resp.status}`)
      connected.value = true
      tell({ kind: 'connected' })
    },
    onmessage(msg) {
      if (msg.data) tell(JSON.parse(msg.data) as LiveEvent)
    },
    onclose() {
      throw new Error('live stream closed')
    },
    onerror() {
      connected.value = false
      // fetchEventSource reconnects after this many milliseconds.
      return 2000
    },
  }).catch(() => undefined)
}

export function stopLive(): void {
  controller?.abort()
  controller = null
  connected.value = false
}
