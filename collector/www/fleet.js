/* The fleet page of kcollectord: reads /api/fleet, /api/hosts/{id} and
 * /api/hosts/{id}/history every few seconds and draws them.  Every string
 * comes from an agent's report, so every one is inserted as text
 * (textContent, createTextNode), never as HTML. */
'use strict';

const REFRESH_MS = 2000;
const FILTERS = ['cluster', 'rack', 'role', 'verdict', 'stale'];
let fleet = null;

/* el('td', {class: 'num'}, 'text', node...): an element whose children
 * are text nodes or elements. */
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  }
  for (const k of kids) {
    if (k === null || k === undefined) continue;
    e.appendChild(typeof k === 'object' ? k : document.createTextNode(String(k)));
  }
  return e;
}

function show(v) {
  return v === null || v === undefined || v === '' ? '-' : String(v);
}

function sev(s) {
  const name = show(s);
  return el('span', {class: 'sev sev-' + name}, name);
}

function bytes(n) {
  if (n === null || n === undefined) return '-';
  const u = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n, i = 0;
  while (v >= 1000 && i < u.length - 1) { v /= 1000; i++; }
  return (i ? v.toFixed(v < 10 ? 2 : 1) : String(v)) + ' ' + u[i];
}

function yesno(b) {
  return b === null || b === undefined ? '-' : (b ? 'yes' : 'no');
}

function table(id, head, rows) {
  return el('table', {id: id},
    el('thead', null, el('tr', null, ...head.map((h) => el('th', null, h)))),
    el('tbody', null, ...rows));
}

function replace(node, ...kids) {
  while (node.firstChild) node.removeChild(node.firstChild);
  for (const k of kids) node.appendChild(k);
}

/* Brings tbody's rows to `rows` (each with a data-key), touching only
 * the cells that changed: a row redrawn under the pointer every refresh
 * would swallow the click that was landing on it. */
function syncRows(tbody, rows) {
  const old = new Map(Array.from(tbody.children).map((r) => [r.dataset.key, r]));
  rows.forEach((r, i) => {
    let cur = old.get(r.dataset.key);
    if (cur) {
      old.delete(r.dataset.key);
      if (cur.className !== r.className) cur.className = r.className;
      const fresh = Array.from(r.children);
      fresh.forEach((td, j) => {
        const o = cur.children[j];
        if (o.innerHTML !== td.innerHTML || o.className !== td.className) cur.replaceChild(td, o);
      });
    } else {
      cur = r;
    }
    if (tbody.children[i] !== cur) tbody.insertBefore(cur, tbody.children[i] || null);
  });
  for (const r of old.values()) r.remove();
}

function setStatus(text, bad) {
  const s = document.getElementById('status');
  s.textContent = text;
  s.className = bad ? 'status error' : 'status';
}

async function getJSON(path) {
  const r = await fetch(path, {cache: 'no-store', credentials: 'same-origin'});
  if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
  return r.json();
}

/* ---- the fleet: clusters and the filtered hosts ---- */

function checkRows(checks) {
  return checks.map((c) => el('tr', {'data-check': c.id},
    el('td', null, c.id), el('td', null, show(c.instance)),
    el('td', null, sev(c.severity)), el('td', null, show(c.measured)),
    el('td', null, show(c.required)), el('td', null, show(c.message))));
}

/* The rolling upgrade as fleet_upgrade.c judges it: the step, and what
 * the warnings and failures of kafka.upgrade.* ask to do next. */
function upgradeBox(checks) {
  const step = checks.find((c) => c.id === 'kafka.upgrade.step');
  if (!step) return null;
  const todo = checks.filter((c) => c.id.startsWith('kafka.upgrade.') &&
    (c.severity === 'warn' || c.severity === 'fail'));
  const next = todo.length ? todo : [step];
  /* kafka.upgrade.next (fleet_kafka_next.c): the broker to restart next,
   * or what to wait for, from the brokers' live metadata. */
  const nb = checks.find((c) => c.id === 'kafka.upgrade.next');
  return el('div', {class: 'upgrade'},
    el('strong', null, 'Rolling upgrade: '), el('span', {class: 'step'}, show(step.measured)),
    nb ? el('div', {class: 'next-broker'}, 'Next broker: ' + show(nb.measured)) : null,
    el('div', null, 'Next: '),
    el('ul', {class: 'todo'}, ...next.map((c) => el('li', null,
      c === step ? '' : (c.instance ? c.instance + ': ' : ''), show(c.message)))));
}

function drawClusters(clusters) {
  replace(document.getElementById('clusters'), ...clusters.map((c) =>
    el('div', {class: 'cluster', 'data-cluster': c.name},
      el('h3', null, el('span', null, c.name), el('span', {class: 'verdict'}, sev(c.verdict))),
      upgradeBox(c.checks),
      table('', ['Check', 'Instance', 'Severity', 'Measured', 'Required', 'Message'],
        checkRows(c.checks)))));
  if (!clusters.length) {
    replace(document.getElementById('clusters'),
      el('p', {class: 'muted'}, 'No cluster has reported.'));
  }
}

function hostValue(h, key) {
  if (key === 'role') return h.roles;
  if (key === 'stale') return [h.stale ? 'stale' : 'fresh'];
  return [show(h[key])];
}

/* Keeps each filter's choice across refreshes while its options follow
 * the fleet. */
function drawFilters(hosts) {
  for (const key of FILTERS) {
    const sel = document.getElementById('f-' + key);
    const keep = sel.value || '';
    const values = new Set();
    for (const h of hosts) for (const v of hostValue(h, key)) values.add(v);
    if (keep) values.add(keep);
    const sorted = [...values].sort();
    /* Rebuilt only when they change: an open list is left alone. */
    if (sel.dataset.values === JSON.stringify(sorted)) continue;
    sel.dataset.values = JSON.stringify(sorted);
    replace(sel, el('option', {value: ''}, 'all'),
      ...sorted.map((v) => el('option', {value: v}, v)));
    sel.value = keep;
  }
}

function zkText(z) {
  if (!z) return '-';
  if (z.mode) return z.mode + (z.version ? ' ' + z.version : '');
  return z.running === false ? 'not running' : '-';
}

function drawHosts(hosts) {
  const want = {};
  for (const key of FILTERS) want[key] = document.getElementById('f-' + key).value;
  const shown = hosts.filter((h) => FILTERS.every((key) =>
    !want[key] || hostValue(h, key).includes(want[key])));
  const rows = shown.map((h) => el('tr', {'data-host': h.host_id, 'data-key': h.host_id,
    class: h.stale ? 'stale' : null},
    el('td', null, el('a', {href: '#host/' + encodeURIComponent(h.host_id)}, h.host_id)),
    el('td', null, show(h.cluster)), el('td', null, h.roles.join(', ') || '-'),
    el('td', null, show(h.rack)), el('td', null, show(h.zone)),
    el('td', {class: 'verdict'}, sev(h.verdict)), el('td', null, show(h.last_seen)),
    el('td', {class: 'stale-cell'}, h.stale ? el('span', {class: 'stale-mark'}, 'STALE') : 'no'),
    el('td', null, zkText(h.zookeeper))));
  syncRows(document.querySelector('#hosts tbody'), rows);
  document.getElementById('host-count').textContent =
    shown.length === hosts.length ? '(' + hosts.length + ')'
      : '(' + shown.length + ' of ' + hosts.length + ')';
}

function drawFleet() {
  drawClusters(fleet.clusters);
  drawFilters(fleet.hosts);
  drawHosts(fleet.hosts);
}

/* ---- one host ---- */

function facts(pairs) {
  const dl = el('dl', {class: 'facts'});
  for (const [k, v] of pairs) {
    dl.appendChild(el('dt', null, k));
    dl.appendChild(el('dd', null, v));
  }
  return dl;
}

// A disk behind the logical disk's RAID controller, on a row under it.
function raidRow(d, m) {
  const h = m.health || {};
  const name = d.name + '/' + m.device_type;
  return el('tr', {'data-disk': name, class: 'raid-member'},
    el('td', null, name), el('td', null, 'raid member'), el('td', null, show(m.model)),
    el('td', null, show(m.serial)), el('td', {class: 'num'}, '-'), el('td', null, '-'),
    el('td', null, show(m.path)),
    el('td', null, m.health ? sev(h.verdict) : '-'),
    el('td', {class: 'num'}, show(h.temperature_c)),
    el('td', {class: 'num'}, show(h.power_on_hours)),
    el('td', {class: 'num'}, show(h.bad_sectors)), el('td', null, show(h.reason)),
    el('td', null, '-'));
}

function diskRows(disks) {
  return disks.flatMap((d) => [diskRow(d)].concat((d.raid_members || []).map((m) => raidRow(d, m))));
}

function diskRow(d) {
  const h = d.health || {};
  return el('tr', {'data-disk': d.name},
    el('td', null, d.name), el('td', null, d.kind), el('td', null, show(d.model)),
    el('td', null, show(d.serial)), el('td', {class: 'num'}, bytes(d.size_bytes)),
    el('td', null, d.rotational === null ? '-' : (d.rotational ? 'HDD' : 'SSD')),
    el('td', null, show(d.transport)),
    el('td', null, d.health ? sev(h.verdict) : '-'),
    el('td', {class: 'num'}, show(h.temperature_c)),
    el('td', {class: 'num'}, show(h.power_on_hours)),
    el('td', {class: 'num'}, show(h.bad_sectors)), el('td', null, show(h.reason)),
    el('td', null, d.mounts.map((m) => m.path).join(', ') || '-'));
}

function nicRows(nics) {
  return nics.map((n) => el('tr', {'data-nic': n.name},
    el('td', null, n.name), el('td', null, show(n.mac)), el('td', null, show(n.operstate)),
    el('td', null, yesno(n.carrier)),
    el('td', {class: 'num'}, n.speed_mbps === null ? '-' : n.speed_mbps + ' Mb/s'),
    el('td', {class: 'num'}, n.max_speed_mbps === null ? '-' : n.max_speed_mbps + ' Mb/s'),
    el('td', {class: 'num'}, show(n.mtu)), el('td', null, show(n.driver)),
    el('td', null, n.addresses.join(', ') || '-')));
}

function sensorRows(sensors) {
  return sensors.map((s) => el('tr', null,
    el('td', null, s.chip), el('td', null, s.label), el('td', null, s.kind),
    el('td', {class: 'num'}, show(s.value)), el('td', {class: 'num'}, show(s.max)),
    el('td', {class: 'num'}, show(s.crit)), el('td', null, yesno(s.alarm))));
}

function drawHost(h, hist) {
  const cpu = h.inventory.cpu, mem = h.inventory.memory;
  const title = document.getElementById('host-title');
  replace(title, el('span', null, h.host_id), document.createTextNode(' '), sev(h.verdict),
    h.stale ? el('span', {class: 'stale-mark'}, ' STALE') : document.createTextNode(''));
  const k = h.kafka, z = h.zookeeper;
  const history = hist.history.slice().reverse().map((r) => el('tr', null,
    el('td', null, r.time), el('td', null, r.check_id), el('td', null, show(r.instance)),
    el('td', null, sev(r.severity))));
  replace(document.getElementById('host-body'),
    facts([['Hostname', show(h.hostname)], ['Cluster', show(h.cluster)],
      ['Roles', h.roles.join(', ') || '-'], ['Rack / zone', show(h.rack) + ' / ' + show(h.zone)],
      ['Last seen', show(h.last_seen)], ['Agent', show(h.agent_version)],
      ['CPU', show(cpu.model) + ', ' + show(cpu.sockets) + ' sockets, ' + show(cpu.cores) +
        ' cores, ' + show(cpu.logical) + ' threads'],
      ['Memory', bytes(mem.total_bytes) + ' usable, ' + bytes(mem.installed_bytes) + ' installed'],
      ['Kafka', k ? show(k.installed_version) + ', broker ' + show(k.broker_id) +
        ', running ' + yesno(k.running) : '-'],
      ['ZooKeeper', z ? show(z.mode) + ' ' + show(z.version) + ', myid ' + show(z.myid) : '-']]),
    el('h3', null, 'Disks'),
    table('disks', ['Name', 'Kind', 'Model', 'Serial', 'Size', 'Media', 'Transport', 'SMART',
      '°C', 'Power-on h', 'Bad sectors', 'Reason', 'Mounts'], diskRows(h.inventory.disks)),
    el('h3', null, 'Network interfaces'),
    table('nics', ['Name', 'MAC', 'State', 'Carrier', 'Speed', 'Max speed', 'MTU', 'Driver',
      'Addresses'], nicRows(h.inventory.nics)),
    el('h3', null, 'Sensors'),
    h.sensors.length ? table('sensors', ['Chip', 'Label', 'Kind', 'Value', 'Max', 'Crit', 'Alarm'],
      sensorRows(h.sensors)) : el('p', {class: 'muted'}, show(h.sensors_error || 'No sensors reported.')),
    el('h3', null, 'Checks'),
    table('checks', ['Check', 'Instance', 'Severity', 'Measured', 'Required', 'Message'],
      checkRows(h.checks)),
    el('h3', null, 'Check history (newest first, last ' + hist.limit + ' changes)'),
    table('history', ['Time', 'Check', 'Instance', 'Severity'], history));
}

/* ---- the refresh loop and the #host/ID route ---- */

function routeHost() {
  const m = /^#host\/(.+)$/.exec(location.hash);
  return m ? decodeURIComponent(m[1]) : null;
}

async function refresh() {
  const id = routeHost();
  document.getElementById('fleet-view').hidden = id !== null;
  document.getElementById('host-view').hidden = id === null;
  try {
    if (id === null) {
      fleet = await getJSON('/api/fleet');
      drawFleet();
    } else {
      const path = '/api/hosts/' + encodeURIComponent(id);
      const [h, hist] = await Promise.all([getJSON(path), getJSON(path + '/history')]);
      if (routeHost() === id) drawHost(h, hist);
    }
    setStatus('updated ' + new Date().toISOString().replace(/\.\d+Z$/, 'Z'), false);
  } catch (e) {
    setStatus('cannot read the collector: ' + e.message, true);
  }
}

let timer = null;
function schedule() {
  if (timer) clearTimeout(timer);
  refresh().then(() => { timer = setTimeout(schedule, REFRESH_MS); });
}

document.addEventListener('DOMContentLoaded', () => {
  for (const key of FILTERS) {
    document.getElementById('f-' + key).addEventListener('change', () => {
      if (fleet) drawHosts(fleet.hosts);
    });
  }
  window.addEventListener('hashchange', schedule);
  schedule();
});
