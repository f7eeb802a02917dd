/** A page's settings, from its URL's query: the tests open each page with what it needs. */
const query = new URLSearchParams(location.search)

export function param(name: string): string {
  const v = query.get(name)
  if (v === null) throw new Error(`the page needs ?${name}=`)
  return v
}

export function optionalParam(name: string): string | null {
  return query.get(name)
}

/** What every page exposes to the test driving it (page.evaluate(() => window.e2e…)). */
declare global {
  interface Window {
    e2e: { [name: string]: (...args: never[]) => unknown }
  }
}
