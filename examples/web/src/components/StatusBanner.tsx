import type { ConnectionState } from '../connection-status';

const messages: Record<Exclude<ConnectionState, 'ok'>, string> = {
  unavailable: 'The task service is temporarily unavailable. Changes may not be saved; retrying…',
  unreachable: 'Cannot reach the task service. Check your connection; retrying…',
};

/** Always in the page, so screen readers announce the message when it appears. */
export function StatusBanner({ state }: { state: ConnectionState }) {
  return (
    <div role="status" aria-live="assertive" className={state === 'ok' ? 'banner-slot' : 'banner-slot banner'}>
      {state === 'ok' ? null : messages[state]}
    </div>
  );
}
