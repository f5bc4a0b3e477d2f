import type { Role } from '@cloudexport/shared';
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { useSession, useUser } from '../api/session.js';

interface NavItem {
  href: string;
  label: string;
}

/** Each role's pages, in the order the nav shows them. */
export const NAV: Record<Role, NavItem[]> = {
  admin: [
    { href: '/admin', label: 'Overview' },
    { href: '/admin/fleet', label: 'Fleet' },
    { href: '/admin/jobs', label: 'Jobs' },
    { href: '/admin/money', label: 'Tiers & prices' },
    { href: '/admin/users', label: 'Users & keys' },
    { href: '/admin/audit', label: 'Audit log' },
  ],
  artist: [
    { href: '/jobs', label: 'My jobs' },
    { href: '/spending', label: 'Spending' },
    { href: '/keys', label: 'API keys' },
  ],
  provider: [
    { href: '/nodes', label: 'My nodes' },
    { href: '/nodes/add', label: 'Add a node' },
    { href: '/earnings', label: 'Earnings' },
    { href: '/keys', label: 'API keys' },
  ],
};

export function homeOf(role: Role): string {
  return NAV[role][0]!.href;
}

export function Layout({ children }: { children: ComponentChildren }) {
  const user = useUser();
  const { signOut } = useSession();
  const { path } = useLocation();
  const [open, setOpen] = useState(false);
  const items = NAV[user.role];
  // the longest nav entry that prefixes the path is the current one
  const current = items.filter((i) => path === i.href || path.startsWith(`${i.href}/`)).sort((a, b) => b.href.length - a.href.length)[0];
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={homeOf(user.role)}>
          CloudExport
        </a>
        <button type="button" class="menu-toggle" aria-expanded={open} aria-controls="nav" onClick={() => setOpen(!open)}>
          Menu
        </button>
        <span class="whoami">
          <span data-testid="whoami">{user.name}</span> <span class="role-badge">{user.role}</span>
        </span>
        <button
          type="button"
          data-testid="sign-out"
          onClick={() => void signOut()}
        >
          Sign out
        </button>
      </header>
      <nav id="nav" class={open ? 'nav open' : 'nav'} aria-label="Pages">
        {items.map((item) => (
          <a key={item.href} href={item.href} aria-current={item === current ? 'page' : undefined} onClick={() => setOpen(false)}>
            {item.label}
          </a>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** A page's heading and the actions beside it. */
export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page-header">
      <h1>{title}</h1>
      {children && <div class="page-actions">{children}</div>}
    </div>
  );
}
