/** Sign-in: an AccessKey pair or STS credentials, checked with STS GetCallerIdentity before they are kept. */
import { useState } from 'preact/hooks';
import { ApiClient, STS_VERSION } from './api';
import type { CallerIdentity } from './model';
import type { Session } from './session';
import { ErrorBox } from './ui';

export function SignIn({ onSignedIn }: { onSignedIn(session: Session): void }) {
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const field = (name: string) => String(form.get(name) ?? '').trim();
    const key = { accessKeyId: field('accessKeyId'), accessKeySecret: field('accessKeySecret'), securityToken: field('securityToken') || undefined };
    setBusy(true);
    setError(undefined);
    try {
      const who = await new ApiClient(key).call<CallerIdentity>('GetCallerIdentity', {}, STS_VERSION);
      onSignedIn({ ...key, regionId: field('regionId') || 'cn-hangzhou', arn: who.Arn ?? '' });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" tabIndex={-1} class="signin">
      <h1>Sign in to the vcoroute console</h1>
      <p class="muted">
        Your browser signs every request itself (ACS3-HMAC-SHA256) and calls this server's API like an SDK. The key stays in this
        tab's session storage and is forgotten when the tab closes.
      </p>
      <form onSubmit={submit} class="stack" aria-describedby="signin-note">
        <label>
          AccessKey ID
          <input name="accessKeyId" required autocomplete="username" spellcheck={false} />
        </label>
        <label>
          AccessKey secret
          <input name="accessKeySecret" type="password" required autocomplete="current-password" />
        </label>
        <label>
          Security token <span class="muted">(STS credentials only)</span>
          <textarea name="securityToken" rows={2} spellcheck={false} autocomplete="off" />
        </label>
        <label>
          Region
          <input name="regionId" defaultValue="cn-hangzhou" required spellcheck={false} />
        </label>
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
      <p id="signin-note" class="muted">The development identity's key is in the README (Credentials).</p>
      <ErrorBox error={error} title="Sign-in failed" />
    </main>
  );
}
