import type { Role } from '@cloudexport/shared';
import type { ComponentType } from 'preact';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useEffect } from 'preact/hooks';
import { SessionProvider, useSession } from './api/session.js';
import { homeOf, Layout } from './components/layout.js';
import { Loading } from './components/states.js';
import { AuditLog } from './pages/admin/audit.js';
import { AdminJobs } from './pages/admin/jobs.js';
import { Fleet } from './pages/admin/fleet.js';
import { TiersAndPrices } from './pages/admin/money.js';
import { AdminOverview } from './pages/admin/overview.js';
import { UsersAndKeys } from './pages/admin/users.js';
import { AcceptInvite } from './pages/accept-invite.js';
import { MyJobs } from './pages/artist/my-jobs.js';
import { Spending } from './pages/artist/spending.js';
import { AddNode } from './pages/provider/add-node.js';
import { Earnings } from './pages/provider/earnings.js';
import { MyNodes } from './pages/provider/my-nodes.js';
import { ApiKeys } from './pages/shared/api-keys.js';
import { JobPage } from './pages/shared/job-page.js';
import { NodePage } from './pages/shared/node-page.js';
import { SignIn } from './pages/sign-in.js';

const { admin, artist, provider } = { admin: 'admin', artist: 'artist', provider: 'provider' } as const;

/** Every page, who may see it. The server enforces the same roles on the data behind it. */
/** A page gets its path's parameters as `params` (preact-iso), e.g. `params.id` on `/jobs/:id`. */
export type PageComponent = ComponentType<{ params?: Record<string, string> }>;

export const PAGES: { path: string; component: PageComponent; roles: readonly Role[] }[] = [
  { path: '/admin', component: AdminOverview, roles: [admin] },
  { path: '/admin/fleet', component: Fleet, roles: [admin] },
  { path: '/admin/jobs', component: AdminJobs, roles: [admin] },
  { path: '/admin/money', component: TiersAndPrices, roles: [admin] },
  { path: '/admin/users', component: UsersAndKeys, roles: [admin] },
  { path: '/admin/audit', component: AuditLog, roles: [admin] },
  { path: '/jobs', component: MyJobs, roles: [artist, admin] },
  { path: '/jobs/:id', component: JobPage, roles: [artist, admin] },
  { path: '/spending', component: Spending, roles: [artist, admin] },
  { path: '/nodes', component: MyNodes, roles: [provider, admin] },
  { path: '/nodes/add', component: AddNode, roles: [provider, admin] },
  { path: '/nodes/:id', component: NodePage, roles: [provider, admin] },
  { path: '/earnings', component: Earnings, roles: [provider, admin] },
  { path: '/keys', component: ApiKeys, roles: [artist, provider, admin] },
];

export function App() {
  return (
    <LocationProvider>
      <SessionProvider>
        <Gate />
      </SessionProvider>
    </LocationProvider>
  );
}

function Gate() {
  const { user } = useSession();
  const { path } = useLocation();
  if (path === '/invite') return <AcceptInvite />;
  if (user === undefined) return <Loading what="your session" />;
  if (user === null) return <SignIn />;
  const role = user.role;
  return (
    <Layout>
      <Router>
        {[
          ...PAGES.map((page) => <Route key={page.path} path={page.path} component={(page.roles.includes(role) ? page.component : Forbidden) as ComponentType} />),
          <Route key="home" path="/" component={() => <Redirect to={homeOf(role)} />} />,
          <Route key="sign-in" path="/sign-in" component={() => <Redirect to={homeOf(role)} />} />,
          <Route key="missing" default component={NotFound} />,
        ]}
      </Router>
    </Layout>
  );
}

function Redirect({ to }: { to: string }) {
  const { route } = useLocation();
  useEffect(() => route(to, true), [to]);
  return null;
}

function Forbidden() {
  const { user } = useSession();
  return (
    <div class="state state-error" role="alert" data-testid="forbidden">
      <strong>This page is not for your role.</strong> You are signed in as {user?.role === 'admin' ? 'an' : 'a'} {user?.role}; it needs another role. Go to{' '}
      <a href={user ? homeOf(user.role) : '/'}>your start page</a>, or ask an admin.
    </div>
  );
}

function NotFound() {
  return (
    <div class="state state-empty">
      <strong>No such page.</strong> <a href="/">Back to your start page</a>.
    </div>
  );
}
