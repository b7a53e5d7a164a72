// The single page: routes on the URL's hash to one page element at a time.
//   #/            choose: 会议号登录 or 法院工作人员登录
//   #/join        会议号登录 (parties, judges and clerks with the meeting number)
//   #/room        the hearing room
//   #/verify      笔录核验: a record PDF checked against the court's record
//   #/console...  the court console (staff); #/console/staff 工作人员账号 (administrators);
//                 #/console/hearing/N/record is the record editor,
//                 #/console/hearing/N/edit 修改庭审

import './pages/join.js';
import './pages/staff-login.js';
import './pages/staff.js';
import './pages/console.js';
import './pages/booking.js';
import './pages/hearing-admin.js';
import './pages/hearing-edit.js';
import './pages/record.js';
import './pages/room.js';
import './pages/verify.js';
import './visible-text.js';
import { learnCourtClock } from './api.js';
import { onPhone } from './device.js';
import { h } from './dom.js';
import { participantSession, staffSession } from './session.js';

const main = /** @type {HTMLElement} */ (document.getElementById('app'));

function home() {
  return h(
    'section',
    { class: 'card narrow home' },
    h('h1', {}, '云审 · 互联网庭审'),
    h('p', {}, onPhone()
      ? '当事人、代理人请使用短信中的会议号登录，在手机浏览器中直接参加庭审。'
      : '当事人、代理人请使用短信中的会议号登录；法官、书记员可从法院工作台进入。'),
    h('div', { class: 'actions column' },
      h('a', { class: 'button primary', href: '#/join' }, '会议号登录'),
      onPhone() ? null : h('a', { class: 'button', href: '#/console' }, '法院工作人员登录'),
      h('a', { class: 'button', href: '#/verify', name: 'verify' }, '笔录核验')),
  );
}

function route() {
  const [path, query = ''] = window.location.hash.slice(1).split('?');
  const params = new URLSearchParams(query);
  /** @type {Element} */
  let page;
  if (path === '/join') page = h('ct-join', { dataset: { meeting: params.get('meeting') ?? '' } });
  else if (path === '/room') page = participantSession() ? h('ct-room') : h('ct-join');
  else if (path === '/verify') page = h('ct-verify');
  else if (path.startsWith('/console')) {
    if (!staffSession()) page = h('ct-staff-login');
    else if (path === '/console/book') page = h('ct-booking');
    else if (path === '/console/staff') page = h('ct-staff');
    else if (/^\/console\/hearing\/\d+\/record$/.test(path)) page = h('ct-record-page', { dataset: { id: path.split('/')[3] } });
    else if (/^\/console\/hearing\/\d+\/edit$/.test(path)) page = h('ct-hearing-edit', { dataset: { id: path.split('/')[3] } });
    else if (path.startsWith('/console/hearing/')) page = h('ct-hearing-admin', { dataset: { id: path.split('/')[3] } });
    else page = h('ct-console');
  } else page = home();
  main.replaceChildren(page);
  window.scrollTo(0, 0);
}

await learnCourtClock();
window.addEventListener('hashchange', route);
// The SMS landing page links here as /?meeting=12345678.
const meeting = new URLSearchParams(window.location.search).get('meeting');
if (meeting && !window.location.hash) window.location.hash = `#/join?meeting=${meeting}`;
else route();
