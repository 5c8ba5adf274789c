// Files the API serves to signed-in accounts only (CSV exports): fetched with the bearer token and handed to
// the browser as a download, since a plain link cannot carry the token.
import { session } from './session'

/** Downloads `path` as `filename`; false when the server refused. */
export async function download(path: string, filename: string): Promise<boolean> {
  const resp = await fetch(path, { headers: { authorization: `Bearer ${session.current?.token ?? ''}` } })
  if (!resp.ok) return false
  const link = document.createElement('a')
  link.href = URL.createObjectURL(await resp.blob())
  link.download = filename
  link.click()
  URL.revokeObjectURL(link.href)
  return true
}
