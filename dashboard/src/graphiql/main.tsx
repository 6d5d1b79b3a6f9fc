// GraphiQL, self-hosted: every script, style, font and worker comes from this build, so the
// explorer works on a closed network. The gateway serves this page for browsers at GET /graphql.
import './monaco-workers';
import 'graphiql/style.css';
import './graphiql.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { SignInDocument } from '../generated/graphql';
import { trustedEntryOf } from '../api/trusted';
import { graphqlHttpUrl, graphqlWsUrl } from '../api/endpoint';

const fetcher = createGraphiQLFetcher({
  url: graphqlHttpUrl(),
  // Subscriptions go over graphql-ws on the same endpoint; the headers editor's Authorization is
  // sent as connectionParams, which the gateway reads as it reads the HTTP header.
  subscriptionUrl: graphqlWsUrl(),
  // The gateway does not stream @defer results; plain JSON keeps responses simple.
  enableIncrementalDelivery: false,
});

// The session operation exactly as the trusted-documents manifest holds it, so it also runs where
// the gateway accepts trusted documents only.
const signIn = trustedEntryOf(SignInDocument)!.body;

const signInVariables = JSON.stringify({ tenant: 'acme', email: 'admin@acme.test', password: 'demo-password' }, null, 2);
const tabs = [
  { query: signIn, variables: signInVariables },
  { query: 'query Me {\n  me { email role tenant { slug name } }\n}\n' },
  { query: 'subscription LiveOrderStatuses {\n  orderUpdated { id status total { amount currency } }\n}\n' },
];

createRoot(document.getElementById('graphiql')!).render(
  <StrictMode>
    {/* initialQuery/initialVariables as well: GraphiQL fills the first tab's editors from them, not
        from defaultTabs, and they bring the example back (as a tab of its own) on later visits. */}
    <GraphiQL
      fetcher={fetcher}
      defaultTabs={tabs}
      initialQuery={signIn}
      initialVariables={signInVariables}
      defaultEditorToolsVisibility="variables"
      shouldPersistHeaders={false}
    >
      <GraphiQL.Logo>Supergraph Commerce</GraphiQL.Logo>
      <GraphiQL.Footer>
        <p className="sc-help">
          Run <b>SignIn</b>, then put its token in <b>Headers</b>: <code>{'{ "Authorization": "Bearer <token>" }'}</code>. Subscriptions run over
          graphql-ws on this endpoint with the same header. <a href="/dashboard/">Admin dashboard</a>
        </p>
      </GraphiQL.Footer>
    </GraphiQL>
  </StrictMode>,
);
