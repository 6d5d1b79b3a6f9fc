import { useState, type FormEvent } from 'react';
import { useApi } from '../api/context';
import { ErrorNote } from '../ui/states';

/** Sign-in for admins; a customer is turned away (Session.signIn ends the session it opened). */
export function SignIn() {
  const { session } = useApi();
  const [tenant, setTenant] = useState('acme');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ message: string; code?: string } | null>(session.notice ? { message: session.notice } : null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const outcome = await session.signIn(tenant.trim(), email.trim(), password, 'ADMIN');
    if (!outcome.ok) {
      setBusy(false);
      setProblem({ message: outcome.message, code: outcome.code });
    }
  }

  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit} aria-label="Sign in">
        <h1>Supergraph Commerce</h1>
        <p className="muted">Admin dashboard: orders and stock, live.</p>
        <label>
          Tenant
          <input name="tenant" value={tenant} onChange={(e) => setTenant(e.target.value)} autoComplete="organization" required />
        </label>
        <label>
          Email
          <input name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
        </label>
        {problem ? <ErrorNote message={problem.message} code={problem.code} /> : null}
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">
          Demo data: <code>admin@acme.test</code> and <code>admin@globex.test</code> (password <code>demo-password</code>). The API explorer is at{' '}
          <a href="/graphql">/graphql</a>.
        </p>
      </form>
    </main>
  );
}
