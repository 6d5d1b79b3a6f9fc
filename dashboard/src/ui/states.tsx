import type { CombinedError } from '@urql/core';
import type { ReactNode } from 'react';
import { describeError, errorCodeOf } from '../api/errors';
import type { LiveStatus } from '../api/live';
import { formatStatus } from './format';

export function Loading({ children }: { children: ReactNode }) {
  return (
    <div className="state state-loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {children}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children ? <p>{children}</p> : null}
    </div>
  );
}

/** An error in words, with its code for whoever reports it, and a way to try again. */
export function ErrorNote({ error, message, code, onRetry }: { error?: CombinedError; message?: string; code?: string; onRetry?: () => void }) {
  const text = message ?? describeError(error);
  const shownCode = code ?? errorCodeOf(error);
  return (
    <div className="state state-error" role="alert">
      <span>{text}</span>
      {shownCode ? <code className="error-code">{shownCode}</code> : null}
      {onRetry ? (
        <button type="button" className="button-link" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${status.toLowerCase()}`} data-status={status}>
      {formatStatus(status)}
    </span>
  );
}

export function LiveIndicator({ status }: { status: LiveStatus }) {
  const label = status.state === 'live' ? 'Live' : status.state === 'connecting' ? 'Connecting…' : status.state === 'reconnecting' ? 'Reconnecting…' : 'Not live';
  const title = status.state === 'reconnecting' || status.state === 'failed' ? status.reason : 'Updates arrive as they happen';
  return (
    <span className={`live live-${status.state}`} title={title} data-live={status.state}>
      <span className="live-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
