// zh-CN by default. The switch is remembered in localStorage for this browser and, once signed in, kept with
// the account (MePage), which brings it to every browser the person signs in on (session.ts).
import { createI18n } from 'vue-i18n'
import { Locale } from 'vant'
import vantEn from 'vant/es/locale/lang/en-US'
import vantZh from 'vant/es/locale/lang/zh-CN'
import zh from './locales/zh-CN'
import en from './locales/en'

const KEY = 'linli.locale'
export type Lang = 'zh-CN' | 'en'

function saved(): Lang {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: saved(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en },
})

function apply(lang: Lang): void {
  document.documentElement.lang = lang
  Locale.use(lang === 'en' ? 'en-US' : 'zh-CN', lang === 'en' ? vantEn : vantZh)
}

apply(saved())

export function setLang(lang: Lang): void {
  i18n.global.locale.value = lang
  localStorage.setItem(KEY, lang)
  apply(lang)
}
