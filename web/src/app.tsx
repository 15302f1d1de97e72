/** The console's shell: sign-in, the header with who is signed in, and the two pages. */
import { useMemo, useState } from 'preact/hooks';
import { ApiClient } from './api';
import { ConnectionPage } from './connection';
import { ConnectionsPage } from './connections';
import { parseRoute, useHash, connectionsHref } from './router';
import { clearSession, loadSession, saveSession, type Session } from './session';
import { SignIn } from './signin';

export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const hash = useHash();
  const api = useMemo(() => (session ? new ApiClient(session) : undefined), [session]);

  if (!session || !api) {
    return (
      <>
        <Header />
        <SignIn onSignedIn={(s) => {
          saveSession(s);
          setSession(s);
          if (!location.hash) location.hash = connectionsHref(s.regionId);
        }} />
      </>
    );
  }
  const route = parseRoute(hash, session.regionId);
  return (
    <>
      <Header session={session} onSignOut={() => {
        clearSession();
        setSession(undefined);
      }} />
      {route.page === 'connection'
        ? <ConnectionPage key={`${route.regionId}/${route.connectionId}`} api={api} regionId={route.regionId} connectionId={route.connectionId} query={route.query} />
        : <ConnectionsPage api={api} regionId={route.regionId} pageNumber={Math.max(1, Number(route.query.get('page')) || 1)} />}
    </>
  );
}

function Header({ session, onSignOut }: { session?: Session; onSignOut?(): void }) {
  return (
    <header class="top">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <a class="brand" href={session ? connectionsHref(session.regionId) : '#'}>vcoroute console</a>
      {session ? (
        <div class="who">
          <span class="muted" title="GetCallerIdentity">{session.arn || session.accessKeyId}</span>
          <button type="button" onClick={onSignOut}>Sign out</button>
        </div>
      ) : null}
    </header>
  );
}
