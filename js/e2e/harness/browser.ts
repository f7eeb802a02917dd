import puppeteer, { type Browser, type Page } from 'puppeteer-core'
export type { Browser, Page } from 'puppeteer-core'

/** Debian's chromium (.ci/run installs it); CHROMIUM overrides. No browser is ever downloaded. */
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium'

/** Headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  })
}

/** A page, with what it reported and (when asked) what its WebSockets received. */
export interface TestPage {
  readonly page: Page
  /** Console errors and uncaught exceptions so far, for failure messages. */
  readonly errors: string[]
  /** The text frames its WebSockets received (captureFrames), from before the first one. */
  readonly frames: string[]
}

/**
 * Opens `url` in a new page, in a browser context of its own (pages share no storage). With
 * captureFrames, the DevTools protocol records every text frame the page's sockets receive:
 * what the server sent, not what the page chose to show.
 */
export async function openPage(browser: Browser, url: string, options: { captureFrames?: boolean } = {}): Promise<TestPage> {
  const context = await browser.createBrowserContext()
  const page = await context.newPage()
  const errors: string[] = []
  const frames: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  if (options.captureFrames === true) {
    const cdp = await page.createCDPSession()
    await cdp.send('Network.enable')
    cdp.on('Network.webSocketFrameReceived', (e) => {
      if (e.response.opcode === 1) frames.push(e.response.payloadData)
    })
  }
  await page.goto(url)
  return { page, errors, frames }
}

/** Waits until `text` is the page's element `selector`'s text. */
export async function waitForText(page: Page, selector: string, text: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    (sel: string, want: string) => document.querySelector(sel)?.textContent === want,
    { timeout },
    selector,
    text,
  )
}
