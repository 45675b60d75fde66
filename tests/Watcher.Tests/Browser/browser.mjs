// Drives Debian's headless Chromium with playwright-core for the browser tests.
//   node browser.mjs screenshot <html-file> <png-file> <width> <light|dark>
//   node browser.mjs preferences <url> <topic-to-uncheck> <schedule>
// Prints one JSON object on stdout; exits non-zero with the reason on stderr.
import { chromium } from 'playwright-core';
import { existsSync, readFileSync } from 'node:fs';

const executablePath = process.env.WATCHER_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`Chromium not found at ${executablePath}. Install it with: apt-get install -y chromium`);
  process.exit(3);
}

const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

try {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'screenshot') {
    const [htmlFile, pngFile, width, scheme] = args;
    const page = await browser.newPage({ viewport: { width: Number(width), height: 800 }, colorScheme: scheme });
    const requests = [];
    page.on('request', request => { if (!request.url().startsWith('data:') && request.url() !== 'about:blank') requests.push(request.url()); });
    await page.setContent(readFileSync(htmlFile, 'utf8'), { waitUntil: 'load' });
    await page.screenshot({ path: pngFile, fullPage: true });
    const layout = await page.evaluate(() => {
      const card = document.querySelector('.w-card');
      const style = getComputedStyle(card);
      return {
        cardWidth: card.getBoundingClientRect().width,
        scrollWidth: document.documentElement.scrollWidth,
        cardBackground: style.backgroundColor,
        cardColor: style.color,
        scripts: document.scripts.length,
        images: document.images.length,
      };
    });
    console.log(JSON.stringify({ ...layout, requests }));
  } else if (command === 'preferences') {
    const [url, uncheck, schedule] = args;
    const page = await browser.newPage();
    const response = await page.goto(url);
    const before = { status: response.status(), title: await page.locator('h1').innerText() };
    await page.locator(`input[name="topic"][value="${uncheck}"]`).uncheck();
    await page.locator(`input[name="schedule"][value="${schedule}"]`).check();
    const [saved] = await Promise.all([page.waitForNavigation(), page.locator('button[value="save"]').click()]);
    console.log(JSON.stringify({
      before,
      savedStatus: saved.status(),
      notice: await page.locator('[role="status"]').innerText(),
      checkedTopics: await page.locator('input[name="topic"]:checked').evaluateAll(inputs => inputs.map(i => i.value)),
      schedule: await page.locator('input[name="schedule"]:checked').getAttribute('value'),
    }));
  } else {
    throw new Error(`unknown command '${command}'`);
  }
} finally {
  await browser.close();
}
