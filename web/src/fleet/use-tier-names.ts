import type { Tier } from '@cloudexport/shared';
import { useEffect, useState } from 'preact/hooks';
import { call } from '../api/client.js';

/** Tier names by id, for the tier column and filter; ids until they load. */
export function useTierNames(): Map<string, string> {
  const [tiers, setTiers] = useState(() => new Map<string, string>());
  useEffect(() => {
    call('listTiers')
      .then((answer) => setTiers(new Map(answer.items.map((t: Tier) => [t.id, t.name]))))
      .catch((err: unknown) => console.warn('tier names could not be loaded', err));
  }, []);
  return tiers;
}
