import { useState } from 'react';
import { useQuery } from 'urql';
import { useApi, useSession } from '../api/context';
import { DashboardViewerDocument, SignOutDocument } from '../generated/graphql';
import { OrdersPage } from '../orders/OrdersPage';
import { StockPage } from '../stock/StockPage';
import { hrefOf, useRoute, type Route } from './router';
import { SignIn } from './SignIn';

export function App() {
  const session = useSession();
  return session ? <Shell key={`${session.tenant}/${session.user.id}`} /> : <SignIn />;
}

function Shell() {
  const { client, session } = useApi();
  const current = useSession()!;
  const [route, navigate] = useRoute();
  const [signingOut, setSigningOut] = useState(false);
  // Checks the kept session against the gateway (a reload after a long pause refreshes it here).
  const [viewer] = useQuery({ query: DashboardViewerDocument });
  const tenantName = viewer.data?.me.tenant.name ?? current.tenant;

  async function signOut() {
    setSigningOut(true);
    // Ends the session at the gateway (its tokens stop working everywhere), then here.
    await client.mutation(SignOutDocument, {}).toPromise();
    session.end();
  }

  const link = (target: Route, label: string) => (
    <a
      href={hrefOf(target)}
      className={route.page === target.page ? 'nav-link active' : 'nav-link'}
      aria-current={route.page === target.page ? 'page' : undefined}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(target);
      }}
    >
      {label}
    </a>
  );

  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <strong>Supergraph Commerce</strong>
          <span className="tenant" title={`tenant ${current.tenant}`}>
            {tenantName}
          </span>
        </div>
        <nav className="nav" aria-label="Sections">
          {link({ page: 'orders' }, 'Orders')}
          {link({ page: 'stock' }, 'Stock')}
        </nav>
        <div className="account">
          <a className="muted small" href="/graphql" target="_blank" rel="noreferrer">
            GraphiQL
          </a>
          <span className="user" data-testid="signed-in-user">
            {current.user.email}
          </span>
          <button type="button" className="button" onClick={() => void signOut()} disabled={signingOut}>
            {signingOut ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
      </header>
      {route.page === 'stock' ? <StockPage /> : <OrdersPage selectedId={route.orderId} onSelect={(orderId) => navigate({ page: 'orders', orderId })} />}
    </div>
  );
}
