// The catalog's items by id, read once per page load: orders and offers carry an item's id, people read its name.
import { ref } from 'vue'
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
