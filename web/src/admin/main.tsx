import { mountApp } from '../shared/mount';
import { Session } from '../shared/session';
import { App } from './App';
import { messages } from './messages';
import './console.css';

mountApp(App, messages, new Session('console.token'));
