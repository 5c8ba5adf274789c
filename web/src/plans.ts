// How a care plan's rule reads: 每周一至五 11:30，2026-12-08 起至 2027-01-04.
import { i18n } from './i18n'
import { shanghaiDate } from './format'
import type { components } from './api/schema'

type Plan = components['schemas']['PlanView']

/** The days and time a plan repeats on, with its start and end, in the chosen language. */
export function repeatLine(plan: Plan): string {
  const t = i18n.global.t
  const r = plan.repeat
  const weekdays = r.weekdays ?? []
  const days =
    r.kind === 'weekly'
      ? weekdays.join() === '1,2,3,4,5'
        ? t('plans.workdays')
        : t('plans.everyWeek', { days: weekdays.map((d) => t(`plans.day.${d}`)).join('、') })
      : r.kind === 'monthly_day'
        ? t('plans.everyMonthDay', { day: r.day })
        : t(r.nth === -1 ? 'plans.everyMonthLast' : 'plans.everyMonthWeekday', { nth: r.nth, day: t(`plans.day.${r.weekday}`) })
  // The time in force today: the last change that has begun, else the plan's own.
  const today = shanghaiDate(Date.now())
  const begun = plan.time_changes.filter((c) => c.from <= today)
  const time = begun.length ? begun[begun.length - 1].time : plan.time
  const later = plan.time_changes.find((c) => c.from > today)
  const span = plan.end_date
    ? t('plans.between', { from: plan.start_date, to: plan.end_date })
    : t('plans.since', { from: plan.start_date })
  const next = later ? ` · ${t('plans.fromOn', { from: later.from, time: later.time })}` : ''
  return `${days} ${time} · ${span}${next}`
}
