import { ApolloProvider } from '@apollo/client/react';
import { useMemo, useState } from 'react';
import { createApolloClient } from './apollo';
import { UserChooser } from './components/UserChooser';
import { TaskScreen } from './components/TaskScreen';
import { createConnectionStatus } from './connection-status';
import type { RuntimeConfig } from './runtime-config';
import { type Session, storedSession, storeSession } from './session';

export function App({ config }: { config: RuntimeConfig }) {
  const [session, setSession] = useState<Session | null>(storedSession);
  const status = useMemo(createConnectionStatus, []);
  // A fresh client (and cache) per user: nothing of one user's tasks is ever shown to the next.
  const client = useMemo(
    () => (session ? createApolloClient({ config, token: session.token, status }) : null),
    [config, session, status],
  );

  const choose = (next: Session | null) => {
    storeSession(next);
    setSession(next);
  };

  return (
    <div className="app">
      <header className="app-header">
        <h1>Tasks</h1>
        {session && (
          <p className="signed-in">
            Signed in as <strong>{session.userId}</strong>{' '}
            <button type="button" className="link-button" onClick={() => choose(null)}>
              Switch user
            </button>
          </p>
        )}
      </header>
      {session && client ? (
        <ApolloProvider client={client}>
          <TaskScreen key={session.userId} userId={session.userId} status={status} />
        </ApolloProvider>
      ) : (
        <UserChooser onChoose={choose} />
      )}
    </div>
  );
}
