import { useState } from 'preact/hooks';

/** A value to copy: shown in full, selectable, with a Copy button that says whether it worked. */
export function CopyField({ value, testId, label }: { value: string; testId: string; label: string }) {
  const [copied, setCopied] = useState<'idle' | 'ok' | 'failed'>('idle');
  const copy = () => {
    // no clipboard API outside a secure context (plain http to a LAN address)
    const write = navigator.clipboard ? navigator.clipboard.writeText(value) : Promise.reject(new Error('no clipboard'));
    write.then(
      () => setCopied('ok'),
      () => setCopied('failed'),
    );
  };
  return (
    <div class="copy-field">
      <pre class="command" data-testid={testId} aria-label={label}>
        {value}
      </pre>
      <button type="button" onClick={copy}>
        Copy
      </button>
      <span class={copied === 'failed' ? 'inline-error' : 'muted'} role="status">
        {copied === 'ok' ? 'Copied.' : copied === 'failed' ? 'The browser refused the clipboard: select the text and copy it by hand.' : ''}
      </span>
    </div>
  );
}
