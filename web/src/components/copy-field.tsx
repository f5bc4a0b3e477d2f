import { useRef, useState } from 'preact/hooks';

/**
 * A value to copy (a secret shown once, an install command, an invite link): shown in full,
 * selectable, with a Copy button that says what happened. Without the clipboard API (plain http
 * to a LAN address, or permission refused) it selects the text for Ctrl+C instead; never throws.
 */
export function CopyField({ value, testId, label, buttonTestId }: { value: string; testId: string; label: string; buttonTestId?: string }) {
  const pre = useRef<HTMLPreElement>(null);
  const [status, setStatus] = useState('');
  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(value);
      setStatus('Copied.');
    } catch {
      const range = document.createRange();
      if (pre.current) range.selectNodeContents(pre.current);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      setStatus('Selected: press Ctrl+C (⌘C on a Mac) to copy.');
    }
  };
  return (
    <div class="copy-field">
      <pre class="command" data-testid={testId} aria-label={label} ref={pre}>
        {value}
      </pre>
      <button type="button" data-testid={buttonTestId} onClick={() => void copy()}>
        Copy
      </button>
      <span class="muted" role="status">
        {status}
      </span>
    </div>
  );
}
