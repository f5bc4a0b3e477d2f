import type { Complexity, Estimate } from '@cloudexport/shared';
import { useEffect, useState } from 'preact/hooks';
import { call } from '../api/client.js';
import { duration, usd } from '../format/format.js';

/** The sample job: a 1920×1080 comp at 25 fps rendered with the web preset. */
const SAMPLE_FPS = 25;
const MAX_FRAMES = 86_400 * SAMPLE_FPS;

/**
 * What a sample job costs on each tier at today's prices, from the coordinator's own estimate
 * (the same formula artists are quoted). `refresh` changing prices it again: after a tier is saved.
 */
export function EstimatePanel({ refresh }: { refresh: number }) {
  const [frames, setFrames] = useState('250');
  const [complexity, setComplexity] = useState<Complexity>('standard');
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const count = Number(frames);
  const framesError = Number.isInteger(count) && count >= 1 && count <= MAX_FRAMES ? null : `Enter a whole number of frames from 1 to ${MAX_FRAMES}.`;

  useEffect(() => {
    if (framesError) return;
    let current = true;
    // typing 2, 25, 250 asks once, when the typing pauses
    const timer = setTimeout(() => {
      setBusy(true);
      call('createEstimate', { body: { durationSeconds: count / SAMPLE_FPS, fps: SAMPLE_FPS, complexity, preset: 'web' } }).then(
        (e) => {
          if (!current) return;
          setEstimate(e);
          setError(null);
          setBusy(false);
        },
        (err: unknown) => {
          if (!current) return;
          setError(err instanceof Error ? err.message : String(err));
          setBusy(false);
        },
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [count, complexity, refresh, framesError]);

  return (
    <section class="card estimate" data-testid="tier-estimate" aria-labelledby="estimate-heading" aria-busy={busy}>
      <h2 id="estimate-heading">What a sample job costs</h2>
      <p class="hint">
        A 1920×1080 comp at {SAMPLE_FPS} fps, web preset: {Number.isFinite(count) && !framesError ? `${count} frames (${duration(count / SAMPLE_FPS)} of comp time)` : '…'}.
      </p>
      <div class="toolbar">
        <label>
          Frames
          <input type="number" min={1} max={MAX_FRAMES} step={1} class="num" value={frames} onInput={(e) => setFrames(e.currentTarget.value)} data-testid="estimate-frames" aria-invalid={!!framesError} />
        </label>
        <label>
          Complexity
          <select value={complexity} onChange={(e) => setComplexity(e.currentTarget.value as Complexity)} data-testid="estimate-complexity">
            <option value="plain">Plain (1.0×)</option>
            <option value="standard">Standard effects (1.5×)</option>
            <option value="heavy">Heavy: 3D, particles (3.0×)</option>
          </select>
        </label>
      </div>
      {framesError && (
        <p class="inline-error" role="alert">
          {framesError}
        </p>
      )}
      {error && (
        <p class="inline-error" role="alert">
          Could not price the sample job: {error}
        </p>
      )}
      {estimate ? (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Tier</th>
                <th scope="col" class="num">
                  Total
                </th>
                <th scope="col" class="num" title="Wall time on the nodes online now">
                  ETA
                </th>
                <th scope="col" class="num">
                  Online
                </th>
              </tr>
            </thead>
            <tbody>
              {estimate.tiers.map((t) => (
                <tr key={t.tierId}>
                  <td>{t.name}</td>
                  <td class="num" data-testid={`estimate-${t.tierId}`}>
                    {usd(t.cost.totalUsd)}
                  </td>
                  <td class="num">{duration(t.etaSeconds)}</td>
                  <td class="num">{t.onlineNodes}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        !error && <p class="muted">Pricing the sample job…</p>
      )}
      {estimate && <p class="hint">{estimate.gpuMinutes.toFixed(2)} GPU-minutes at complexity {estimate.complexityFactor}× per tier, plus storage and transfer.</p>}
    </section>
  );
}
