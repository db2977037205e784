/**
 * Headers on every response that carries the clinician's window, in either host.
 *
 * The page needs nothing but its own scripts and styles and, in the headless host, the one WebSocket back
 * to its own origin, so the policy starts from `default-src 'none'`. No Access-Control-* header is ever
 * sent: no other origin may read anything the window is served with.
 */
export function securityHeaders({ connectSrc }: { connectSrc: string }): Record<string, string> {
  return {
    'Content-Security-Policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src ${connectSrc}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), hid=(), serial=()',
  };
}
