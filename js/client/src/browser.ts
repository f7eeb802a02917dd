/**
 * In browsers, coming back online or becoming visible again are good moments to retry at once
 * instead of waiting out a backoff delay. Looked up when called, never at import (SSR-safe);
 * outside a browser this does nothing.
 */
export function watchRetrySignals(retry: () => void): () => void {
  if (typeof window === 'undefined' || typeof document === 'undefined') return () => {}
  const online = () => retry()
  const visible = () => {
    if (document.visibilityState === 'visible') retry()
  }
  window.addEventListener('online', online)
  document.addEventListener('visibilitychange', visible)
  return () => {
    window.removeEventListener('online', online)
    document.removeEventListener('visibilitychange', visible)
  }
}
