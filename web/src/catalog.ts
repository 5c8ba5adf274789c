// The catalog's items by id, read once per page load: orders and offers carry an item's id, people read its name.
import { ref, watch, type Ref } from 'vue'
import { api } from './api/client'
import type { components } from './api/schema'

export type Item = components['schemas']['CatalogItemView']

export const items = ref(new Map<number, Item>())
let loading: Promise<void> | null = null

/** Loads every item (a few pages of 100) unless loaded already. */
export function loadItems(): Promise<void> {
  loading ??= (async () => {
    const all = new Map<number, Item>()
    let cursor: string | undefined
    do {
      const page = (await api.GET('/api/v1/catalog/items', { params: { query: { limit: 100, cursor } } })).data
      for (const item of page?.items ?? []) all.set(item.id, item)
      cursor = page?.next_cursor
    } while (cursor)
    items.value = all
  })()
  return loading
}

export function itemName(id: number): string {
  return items.value.get(id)?.name ?? `#${id}`
}

/** The items matching what was typed (Chinese words, or pinyin in full or by initials), best first, as the
 * server ranks them; a search typed again before the answer came drops the older answer. */
export function useSearch(query: Ref<string>): Ref<Item[] | null> {
  const found = ref<Item[] | null>(null)
  let asked = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  watch(query, (q) => {
    clearTimeout(timer)
    const typed = q.trim()
    if (!typed) {
      found.value = null
      return
    }
    // A short pause after the last key: a search per word typed, not per letter.
    timer = setTimeout(async () => {
      const mine = ++asked
      const { data } = await api.GET('/api/v1/catalog/search', { params: { query: { q: typed } } })
      if (mine === asked) found.value = data?.items ?? []
    }, 200)
  })
  return found
}
