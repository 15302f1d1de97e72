/** Errors of the admin API (/_vcoroute): JSON `{ "error": { "code", "message" } }` with an HTTP status. */
export class AdminError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export const badRequest = (message: string): AdminError => new AdminError(400, 'InvalidRequest', message);
export const notFound = (message: string): AdminError => new AdminError(404, 'NotFound', message);
