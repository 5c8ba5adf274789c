// Times as residents read them: Shanghai time, in the chosen language.
import { i18n } from './i18n'

export function when(iso: string | undefined): string {
  if (!iso) return ''
  return new Date(iso).toLocaleString(i18n.global.locale.value, {
    timeZone: 'Asia/Shanghai',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })
}

/** Whole seconds from now until `iso`, never below zero. */
export function secondsUntil(iso: string, now: number): number {
  return Math.max(0, Math.round((new Date(iso).getTime() - now) / 1000))
}

/** 125 → "2:05". */
export function clock(seconds: number): string {
  const m = Math.floor(seconds / 60)
  const s = seconds % 60
  return `${m}:${s.toString().padStart(2, '0')}`
}
