// A screen that only explains something: no access, or no such page.
import { h } from '../dom.js';

export const messageView = {
  mount(main, params) {
    const k = params.kind === 'forbidden' ? 'forbidden' : 'not_found';
    const home = h('a', { class: 'btn primary', href: '#/', i18n: 'page.go_home' });
    main.append(h('div', { class: 'message-page' },
      h('section', { class: 'card', 'aria-labelledby': 'msg-title', dataset: { page: k } },
        h('h1', { id: 'msg-title', i18n: `page.${k}.title` }),
        h('p', { class: 'muted', i18n: `page.${k}.text` }),
        h('div', null, home))));
    home.focus();
  },
};
