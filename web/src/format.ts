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

/** The date in Shanghai of an instant, as `YYYY-MM-DD`. */
export function shanghaiDate(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10)
}

/** 0.857 → "85.7%"; nothing to show → "—". */
export function percent(rate: number | null | undefined): string {
  return rate == null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`
}

/** Seconds as minutes and seconds in the chosen language; nothing to show → "—". */
export function duration(seconds: number | null | undefined): string {
  if (seconds == null) return '—'
  const m = Math.floor(seconds / 60)
  return i18n.global.t('time.minSec', { m, s: seconds % 60 })
}

/** An order's answers to its item's questions on one line: 份数：2；饮食要求：低盐、软烂易嚼. */
export function answersLine(answers: { label: string; text: string }[]): string {
  return answers.map((a) => `${a.label}：${a.text}`).join('；')
}

/** The time of day of an instant in Shanghai, as `HH:MM`. */
export function timeOfDay(iso: string): string {
  return new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(11, 16)
}
