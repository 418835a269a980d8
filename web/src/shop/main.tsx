import { mountApp } from '../shared/mount';
import { Session } from '../shared/session';
import { App } from './App';
import { messages } from './messages';
import './shop.css';

// The buyer's token is kept for this tab only: closing it signs out.
mountApp(App, messages, new Session('shop.token', 'session'));
