/** Renders build/icon.svg to the 512×512 build/icon.png electron-builder packages. Run after changing the SVG. */
import { readFileSync } from 'node:fs';
import { launchBrowser } from '../tests/e2e/support.js';

const svg = readFileSync('build/icon.svg', 'utf8');
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: 512, height: 512 } });
await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg ', '<svg width="512" height="512" ')}</body></html>`);
await page.screenshot({ path: 'build/icon.png', omitBackground: true });
await browser.close();
