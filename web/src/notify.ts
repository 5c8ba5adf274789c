// Short messages for the person using the app ("code sent", "another provider took it", a refusal's detail),
// shown in a polite live region that screen readers announce. Vant's toast is a dialog without a name, which
// assistive technology announces as an unnamed dialog; this is the accessible equivalent.
import { ref } from 'vue'

export const notice = ref('')
let timer: ReturnType<typeof setTimeout> | undefined

export function notify(text: string): void {
  notice.value = text
  clearTimeout(timer)
  timer = setTimeout(() => (notice.value = ''), 4000)
}
