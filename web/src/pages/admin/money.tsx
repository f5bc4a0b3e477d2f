import type { Tier } from '@cloudexport/shared';
import { useState } from 'preact/hooks';
import { ApiCallError, call } from '../../api/client.js';
import { formOf, tierIssues, tierUpdate, type TierErrors, type TierForm } from '../../admin/tier-form.js';
import { EstimatePanel } from '../../components/estimate-panel.js';
import { PageHeader } from '../../components/layout.js';
import { Empty, ErrorState, Loading } from '../../components/states.js';
import { useLoad } from '../../components/use-load.js';

/** /admin/money: the tier table, each row edited and saved on its own, beside what a sample job costs per tier. */
export function TiersAndPrices() {
  const tiers = useLoad(() => call('listTiers'));
  // bumped on every save, so the estimate panel prices the sample job again at the new prices
  const [saves, setSaves] = useState(0);
  const onSaved = (tier: Tier) => {
    tiers.set((d) => ({ items: d.items.map((t) => (t.id === tier.id ? tier : t)) }));
    setSaves((n) => n + 1);
  };
  return (
    <>
      <PageHeader title="Tiers & prices" />
      <p class="hint">
        A node's tier is the tier listing its GPU model. A new price applies to chunks charged from now on; running jobs keep the hold taken at their start.
      </p>
      <div class="money-layout">
        <section aria-labelledby="tiers-heading">
          <h2 id="tiers-heading">Tiers</h2>
          {tiers.state.status === 'loading' && <Loading what="the tiers" />}
          {tiers.state.status === 'error' && <ErrorState what="the tiers" error={tiers.state.error} retry={tiers.reload} />}
          {tiers.state.status === 'ready' &&
            (tiers.state.data.items.length === 0 ? (
              <Empty title="No tiers yet.">The coordinator writes the default tier table on its first start; restart it, or check its log for database errors.</Empty>
            ) : (
              <div class="table-wrap">
                <table data-testid="tier-table">
                  <thead>
                    <tr>
                      <th scope="col">Tier</th>
                      <th scope="col">Price per GPU-minute (USD)</th>
                      <th scope="col">GPU models (one per line)</th>
                      <th scope="col">Save</th>
                    </tr>
                  </thead>
                  <tbody>
                    {tiers.state.data.items.map((tier) => (
                      <TierRow key={tier.id} tier={tier} onSaved={onSaved} />
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
        </section>
        <EstimatePanel refresh={saves} />
      </div>
    </>
  );
}

function TierRow({ tier, onSaved }: { tier: Tier; onSaved: (tier: Tier) => void }) {
  const [form, setForm] = useState<TierForm>(() => formOf(tier));
  const [errors, setErrors] = useState<TierErrors>({});
  const [message, setMessage] = useState<{ kind: 'ok' | 'error' | 'idle'; text: string }>({ kind: 'idle', text: '' });
  const [busy, setBusy] = useState(false);
  const id = tier.id;
  const dirty = tierUpdate(tier, form).body !== null;

  const edit = (field: keyof TierForm) => (e: Event) => {
    setForm({ ...form, [field]: (e.currentTarget as HTMLInputElement).value });
    setErrors({ ...errors, [field]: undefined });
    if (message.kind !== 'idle') setMessage({ kind: 'idle', text: '' });
  };

  const save = async (e: Event) => {
    e.preventDefault();
    const { body, errors: found } = tierUpdate(tier, form);
    setErrors(found);
    if (Object.keys(found).length > 0) return setMessage({ kind: 'error', text: 'Fix the marked fields, then save.' });
    if (!body) return setMessage({ kind: 'ok', text: 'Nothing changed.' });
    setBusy(true);
    try {
      const saved = await call('updateTier', { params: { id }, body });
      setForm(formOf(saved));
      setMessage({ kind: 'ok', text: `Saved at ${new Date(saved.updatedAt).toLocaleTimeString()}.` });
      onSaved(saved);
    } catch (err) {
      const { errors: fromServer, rest } = err instanceof ApiCallError ? tierIssues(err.issues) : { errors: {}, rest: [] };
      setErrors(fromServer);
      setMessage({ kind: 'error', text: [err instanceof Error ? err.message : String(err), ...rest].join(' ') });
    } finally {
      setBusy(false);
    }
  };

  // the row's inputs and button belong to one form (the form attribute: a <form> cannot wrap a <tr>)
  const formId = `tier-form-${id}`;
  return (
    <tr data-testid="tier-row" data-tier-id={id}>
      <td>
        <label class="cell-field">
          <span class="visually-hidden">Name of tier {id}</span>
          <input form={formId} value={form.name} onInput={edit('name')} aria-invalid={!!errors.name} aria-describedby={errors.name ? `${formId}-name-error` : undefined} maxLength={60} size={14} />
        </label>
        <div class="muted tier-id">{id}</div>
        <FieldError id={`${formId}-name-error`} text={errors.name} />
      </td>
      <td>
        <label class="cell-field">
          <span class="visually-hidden">Price per GPU-minute for {tier.name}, in dollars</span>
          <span class="price-input">
            <span aria-hidden="true">$</span>
            <input
              form={formId}
              data-testid={`tier-price-${id}`}
              class="num"
              inputMode="decimal"
              value={form.price}
              onInput={edit('price')}
              aria-invalid={!!errors.price}
              aria-describedby={errors.price ? `${formId}-price-error` : undefined}
              size={10}
            />
          </span>
        </label>
        <FieldError id={`${formId}-price-error`} text={errors.price} />
      </td>
      <td>
        <label class="cell-field">
          <span class="visually-hidden">GPU models of {tier.name}, one per line or comma separated</span>
          <textarea
            form={formId}
            data-testid={`tier-models-${id}`}
            class="tier-models"
            rows={3}
            value={form.models}
            onInput={edit('models')}
            aria-invalid={!!errors.models}
            aria-describedby={errors.models ? `${formId}-models-error` : undefined}
          />
        </label>
        <FieldError id={`${formId}-models-error`} text={errors.models} />
      </td>
      <td>
        <form id={formId} class="tier-save" onSubmit={(e) => void save(e)}>
          <button type="submit" class={dirty ? 'primary' : ''} disabled={busy} data-testid={`tier-save-${id}`}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <span class={message.kind === 'error' ? 'inline-error' : 'muted'} role={message.kind === 'error' ? 'alert' : 'status'} data-testid={`tier-status-${id}`}>
            {message.kind === 'idle' ? (dirty ? 'Unsaved changes' : '') : message.text}
          </span>
        </form>
      </td>
    </tr>
  );
}

function FieldError({ id, text }: { id: string; text: string | undefined }) {
  if (!text) return null;
  return (
    <div id={id} class="inline-error field-error">
      {text}
    </div>
  );
}
