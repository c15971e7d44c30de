import { createRoot } from 'react-dom/client';
import { App } from './App';
// esbuild gathers these into renderer.css beside renderer.js: the CSP admits no inline styles.
import './styles/theme.css';
import './styles/base.css';
import './styles/shell.css';
import './styles/screens.css';
import './styles/exportWizard.css';
import './styles/importWizard.css';
import './styles/settings.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(<App />);
