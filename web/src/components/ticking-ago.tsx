import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { ago } from '../format/format.js';

/** One 1 s timer per page that every "12 s ago" on it follows. */
class SecondTicker {
  private readonly listeners = new Set<(now: number) => void>();
  private timer: ReturnType<typeof setInterval> | null = null;

  subscribe(listener: (now: number) => void): () => void {
    this.listeners.add(listener);
    this.timer ??= setInterval(() => {
      const now = Date.now();
      for (const l of this.listeners) l(now);
    }, 1000);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer !== null) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }
}

const TickerContext = createContext<SecondTicker | null>(null);

/**
 * Gives the page's "ago" texts one shared timer. The ticker object never changes, so the tick
 * re-renders only the <Ago> texts, not the rows around them.
 */
export function TickerProvider({ children }: { children: ComponentChildren }) {
  const [ticker] = useState(() => new SecondTicker());
  return <TickerContext.Provider value={ticker}>{children}</TickerContext.Provider>;
}

/** "12 s ago", moving on every second of the page's ticker (static without a TickerProvider). */
export function Ago({ iso }: { iso: string | null }) {
  const ticker = useContext(TickerContext);
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    setNow(Date.now());
    return iso ? ticker?.subscribe(setNow) : undefined;
  }, [ticker, iso]);
  return (
    <time class="num" dateTime={iso ?? undefined} title={iso ?? undefined}>
      {ago(iso, now)}
    </time>
  );
}
