import { render } from 'preact';
import { z } from 'zod';
import { App } from './app.js';
import './styles.css';

// zod would probe `new Function` for faster parsing, which the console's CSP forbids (and logs)
z.config({ jitless: true });

render(<App />, document.getElementById('app')!);
