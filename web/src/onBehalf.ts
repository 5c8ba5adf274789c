// 全科受理: the order and care-plan pages, opened with `?for=<resident id>` by a community worker, file for that
// resident. This reads the resident once, for the page to name them and start from where they live. A worker
// who reaches those pages without choosing a resident is taken to choose one first.
import { onMounted, ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { api, problemText } from './api/client'
import type { components } from './api/schema'
import { notify } from './notify'
import { role } from './session'

export type Resident = components['schemas']['ResidentView']

export function useOnBehalf() {
  const route = useRoute()
  const router = useRouter()
  const id = typeof route.query.for === 'string' ? route.query.for : undefined
  const resident = ref<Resident | null>(null)
  /** A worker files only for a resident: without one chosen, they are sent to choose. */
  const choosing = !id && role.value === 'community_worker'
  /** Whether the page may render its form: at once for oneself, once the resident is read for someone else. */
  const ready = ref(!id && !choosing)
  onMounted(async () => {
    if (choosing) {
      await router.replace('/community/intake')
      return
    }
    if (!id) return
    const { data, error } = await api.GET('/api/v1/residents/{id}', { params: { path: { id } } })
    if (!data) return notify(problemText(error))
    resident.value = data
    ready.value = true
  })
  /** The query that keeps filing for the same resident on the next page. */
  const query = id ? `?for=${encodeURIComponent(id)}` : ''
  return { id, resident, ready, query }
}
