/* Drives Debian's chromium, headless, through puppeteer-core over the
 * DevTools protocol against kcollectord's fleet page (run by
 * tests/live/fleet_page.sh, which starts the collector and the agents).
 * Prints "ok   ..." or "FAIL ..." per assertion; exit status 1 on any
 * failure.  Screenshots go to OUT_DIR.
 *   node fleet_page.js BASE_URL CHROMIUM OUT_DIR STALE_HOST STALE_PID HOSTILE_HOST HOSTILE_RACK */
'use strict';
const puppeteer = require('puppeteer-core');
const http = require('http');
const path = require('path');

const [base, chromium, outDir, staleHost, stalePid, hostileHost, hostileRack] =
  process.argv.slice(2);
let failed = 0;

function expect(name, want, got) {
  const w = JSON.stringify(want), g = JSON.stringify(got);
  if (w === g) {
    console.log('ok   ' + name + ': ' + g);
  } else {
    console.log('FAIL ' + name + ': want ' + w + ', got ' + g);
    failed++;
  }
}

function api(p) {
  return new Promise((resolve, reject) => {
    http.get(base + p, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

const rowIds = (page) => page.$$eval('#hosts tbody tr', (rs) => rs.map((r) => r.dataset.host));
const shot = (page, name) => page.screenshot({path: path.join(outDir, name), fullPage: true});

async function main() {
  const fleet = await api('/api/fleet');
  const ids = fleet.hosts.map((h) => h.host_id);
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
  const page = await browser.newPage();
  await page.setViewport({width: 1440, height: 900});
  const urls = [], errors = [];
  page.on('request', (r) => urls.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  const refused = [];
  page.on('response', (r) => { if (r.status() >= 400) refused.push(r.status() + ' ' + r.url()); });

  /* 1. The fleet: every host, every cluster with the API's verdict. */
  await page.goto(base + '/fleet', {waitUntil: 'load'});
  await page.waitForFunction((n) => document.querySelectorAll('#hosts tbody tr').length === n,
    {timeout: 20000}, ids.length);
  expect('hosts listed', ids, await rowIds(page));
  const verdicts = await page.$$eval('.cluster', (cs) => cs.map((c) =>
    [c.dataset.cluster, c.querySelector('.verdict').textContent]));
  expect('cluster verdicts as /api/fleet says',
    fleet.clusters.map((c) => [c.name, c.verdict]), verdicts);
  expect('fixture clusters: zk2 fail, zk3 pass, kafka2 fail, kmix fail',
    [['kafka2', 'fail'], ['kmix', 'fail'], ['zk2', 'fail'], ['zk3', 'pass']],
    verdicts.filter((v) => ['zk2', 'zk3', 'kafka2', 'kmix'].includes(v[0])));
  const step = fleet.clusters.find((c) => c.name === 'kmix').checks
    .find((c) => c.id === 'kafka.upgrade.step');
  expect('kmix rolling-upgrade step', 'step 2: 2 of 3 brokers upgraded', step.measured);
  expect('kmix rolling-upgrade step on the page', step.measured,
    await page.$eval('.cluster[data-cluster="kmix"] .upgrade .step', (e) => e.textContent));
  const nb = fleet.clusters.find((c) => c.name === 'kmix').checks
    .find((c) => c.id === 'kafka.upgrade.next');
  expect('kmix next broker on the page', 'Next broker: ' + nb.measured,
    await page.$eval('.cluster[data-cluster="kmix"] .upgrade .next-broker', (e) => e.textContent));
  const todo = fleet.clusters.find((c) => c.name === 'kmix').checks.filter((c) =>
    c.id.startsWith('kafka.upgrade.') && (c.severity === 'warn' || c.severity === 'fail'));
  expect('kmix next steps on the page', todo.map((c) => (c.instance ? c.instance + ': ' : '') + c.message),
    await page.$$eval('.cluster[data-cluster="kmix"] .upgrade li', (ls) => ls.map((l) => l.textContent)));
  const hostile = await page.$eval(`#hosts tr[data-host="${hostileHost}"] td:nth-child(4)`,
    (td) => [td.textContent, td.children.length]);
  expect('a rack of HTML shown as text', [hostileRack, 0], hostile);
  expect('no element made from it', [0, undefined],
    await page.evaluate(() => [document.querySelectorAll('main img').length, window.pwned]));
  await shot(page, 'fleet.png');

  /* 2. A filter narrows the list, and its count says so. */
  const before = (await rowIds(page)).length;
  await page.select('#f-cluster', 'zk3');
  const after = await rowIds(page);
  expect('rows before the cluster filter', ids.length, before);
  expect('rows with cluster zk3', ['zk3-a', 'zk3-b', 'zk3-c'], after);
  expect('count with cluster zk3', '(3 of ' + ids.length + ')',
    await page.$eval('#host-count', (e) => e.textContent));
  await page.select('#f-role', 'kafka');
  expect('rows with cluster zk3 and role kafka', [], await rowIds(page));
  await page.select('#f-cluster', '');
  expect('rows with role kafka', fleet.hosts.filter((h) => h.roles.includes('kafka'))
    .map((h) => h.host_id), await rowIds(page));
  await page.select('#f-role', '');
  await page.select('#f-rack', 'r1');
  expect('rows with rack r1', fleet.hosts.filter((h) => h.rack === 'r1').map((h) => h.host_id),
    await rowIds(page));
  await shot(page, 'filtered.png');
  await page.select('#f-rack', '');

  /* 3. One host: its disks (the fixture's), NICs and check history. */
  await page.click('#hosts tr[data-host="kafka2-a"] a');
  await page.waitForSelector('#disks tbody tr', {timeout: 10000});
  const h = await api('/api/hosts/kafka2-a'), hist = await api('/api/hosts/kafka2-a/history');
  const nvme = await page.$eval('#disks tr[data-disk="nvme0n1"]', (tr) =>
    [...tr.children].slice(2, 5).map((td) => td.textContent));
  expect('nvme0n1 model, serial, size on the host page',
    ['Samsung SSD 970 PRO 512GB', 'S680HF8N190894I', '512.1 GB'], nvme);
  const apiNvme = h.inventory.disks.find((d) => d.name === 'nvme0n1');
  expect('nvme0n1 as /api/hosts says', [apiNvme.model, apiNvme.serial, apiNvme.size_bytes],
    ['Samsung SSD 970 PRO 512GB', 'S680HF8N190894I', 512110190592]);
  expect('disk rows', h.inventory.disks.map((d) => d.name),
    await page.$$eval('#disks tbody tr', (rs) => rs.map((r) => r.dataset.disk)));
  expect('NIC rows', h.inventory.nics.map((n) => n.name),
    await page.$$eval('#nics tbody tr', (rs) => rs.map((r) => r.dataset.nic)));
  expect('history rows, newest first',
    hist.history.slice().reverse().map((r) => r.check_id),
    await page.$$eval('#history tbody tr', (rs) => rs.map((r) => r.children[1].textContent)));
  await shot(page, 'host.png');

  /* 4. An agent stops: its host turns stale without a reload. */
  await page.goBack();
  await page.waitForFunction((n) => document.querySelectorAll('#hosts tbody tr').length === n,
    {timeout: 10000}, ids.length);
  await page.evaluate(() => { window.notReloaded = true; });
  expect(staleHost + ' not stale before', null,
    await page.$(`#hosts tr[data-host="${staleHost}"].stale`));
  process.kill(Number(stalePid), 'SIGTERM');
  const t0 = Date.now();
  await page.waitForSelector(`#hosts tr[data-host="${staleHost}"].stale`, {timeout: 30000});
  console.log('     ' + staleHost + ' marked stale ' + (Date.now() - t0) + ' ms after its agent stopped');
  expect(staleHost + ' stale mark', 'STALE',
    await page.$eval(`#hosts tr[data-host="${staleHost}"] .stale-cell`, (e) => e.textContent));
  expect('the page was not reloaded', true, await page.evaluate(() => window.notReloaded));
  expect('stale hosts', [staleHost],
    await page.$$eval('#hosts tr.stale', (rs) => rs.map((r) => r.dataset.host)));
  await shot(page, 'stale.png');

  /* Nothing from elsewhere, nothing refused by the policy. */
  expect('every request to the collector', [],
    urls.filter((u) => !u.startsWith(base + '/')));
  expect('answers of 400 and above', [], refused);
  expect('console errors (a policy violation is one)', [], errors);
  await browser.close();
}

main().then(() => process.exit(failed ? 1 : 0), (e) => {
  console.log('FAIL ' + (e && e.stack || e));
  process.exit(1);
});
