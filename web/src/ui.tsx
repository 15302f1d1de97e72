/** Small shared pieces: the API error box, a pager, formatting. */
import type { ComponentChildren } from 'preact';
import { ApiError } from './api';

/** An API error exactly as the API worded it: Code, Message and RequestId. */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError(0, 'Error', String((error as Error)?.message ?? error), '');
  return (
    <div class="error" role="alert">
      {title ? <p class="error-title">{title}</p> : null}
      <p>
        <strong class="error-code">{e.code}</strong>
        {e.status ? <span class="muted"> (HTTP {e.status})</span> : null}
      </p>
      <p class="error-message">{e.apiMessage}</p>
      {e.requestId ? <p class="muted">RequestId: <code>{e.requestId}</code></p> : null}
    </div>
  );
}

export function Pager({ pageNumber, pageSize, totalCount, onPage, label }: {
  pageNumber: number; pageSize: number; totalCount: number; onPage(page: number): void; label: string;
}) {
  const last = Math.max(1, Math.ceil(totalCount / pageSize));
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" onClick={() => onPage(1)} disabled={pageNumber <= 1}>First</button>
      <button type="button" onClick={() => onPage(pageNumber - 1)} disabled={pageNumber <= 1}>Previous</button>
      <span class="pager-status">Page {pageNumber} of {last}</span>
      <button type="button" onClick={() => onPage(pageNumber + 1)} disabled={pageNumber >= last}>Next</button>
      <button type="button" onClick={() => onPage(last)} disabled={pageNumber >= last}>Last</button>
    </nav>
  );
}

/** A wide table in a horizontally scrollable, focusable region (narrow screens). */
export function TableRegion({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-region" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export function formatTime(ms: number | string | undefined): string {
  if (ms === undefined || ms === '') return '';
  const d = new Date(typeof ms === 'number' ? ms : Date.parse(ms));
  if (Number.isNaN(d.getTime())) return String(ms);
  return d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

export function Badge({ text, kind }: { text: string | undefined; kind?: string }) {
  if (!text) return null;
  return <span class={`badge badge-${kind ?? text.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`}>{text}</span>;
}
